// The part of the Flow Service client that apply uses. FlowServiceClient (src/api) satisfies it;
// keeping the seam narrow documents exactly which calls a plan can make.

export type Collection = 'connections' | 'sourceConnections' | 'targetConnections' | 'flows';

export interface EntityRef {
  id: string;
  etag: string;
}

export interface ApplyClient {
  list<T>(sandbox: string, collection: Collection, query?: { property?: string[]; orderby?: string; limit?: number }): Promise<T[]>;
  create(sandbox: string, collection: Collection, body: unknown, opts?: { findExisting?: () => Promise<EntityRef | undefined> }): Promise<EntityRef>;
  patch(sandbox: string, collection: Collection, id: string, etag: string, ops: unknown[]): Promise<EntityRef>;
  delete(sandbox: string, collection: Collection, id: string): Promise<void>;
  flowAction(sandbox: string, id: string, op: 'enable' | 'disable'): Promise<EntityRef>;
  /** Waits until the flows written by this client have settled (their updates are asynchronous). */
  settleWritten?(): Promise<void>;
}
