// Types of cmd/bundle.mjs for the TypeScript entry (cmd/flowsync.ts).
export declare const ROOT: string;
export declare const ENTRY: string;
export declare const BUNDLE: string;
export declare function isFresh(): boolean;
export declare function build(): Promise<string>;
export declare function freshBundle(env?: Record<string, string | undefined>): Promise<string | undefined>;
export declare function launch(argv: string[], opts: { tsxLoaded: boolean }): Promise<void>;
