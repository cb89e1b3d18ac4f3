// Every devDependency is either a runtime library the bundle is built from or a build/test tool, and every
// runtime library is imported from src/ or cmd/: one imported nowhere is dead weight to remove, not ship.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { DEV_ONLY, RUNTIME_LIBRARIES } from '../../cmd/build.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

/** Static `from 'pkg'` / `from 'pkg/sub'` and dynamic `import('pkg')`. */
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*)'((?:@[^/']+\/)?[^/']+)(?:\/[^']*)?'/g;

function importedPackages(source: string): Set<string> {
  return new Set([...source.matchAll(IMPORT)].map((m) => m[1] as string));
}

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(REPO_ROOT, dir), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

async function importsOf(files: string[]): Promise<Set<string>> {
  const all = new Set<string>();
  for (const file of files) for (const name of importedPackages(await readFile(file, 'utf8'))) all.add(name);
  return all;
}

/** The libraries that no file imports. */
function unused(libraries: readonly string[], imported: Set<string>): string[] {
  return libraries.filter((name) => !imported.has(name));
}

const devDependencies = async () => Object.keys((JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);

test('the import scan sees static, sub-path, scoped and dynamic imports, and reports a library imported nowhere', () => {
  const imported = importedPackages(`import a from 'alpha';\nimport { b } from 'beta/sub/path';\nimport type { C } from '@scope/gamma';\nconst d = await import('delta');\nconst x = 'epsilon';`);
  assert.deepEqual([...imported].sort(), ['@scope/gamma', 'alpha', 'beta', 'delta']);
  assert.deepEqual(unused(['alpha', 'beta', 'epsilon'], imported), ['epsilon']);
});

test('every devDependency is a listed runtime library, a listed tool, or the types of one of them (or of node)', async () => {
  const listed = new Set([...RUNTIME_LIBRARIES, ...DEV_ONLY]);
  for (const name of await devDependencies()) {
    const typed = /^@types\/(.+)$/.exec(name)?.[1];
    if (typed !== undefined) assert.ok(typed === 'node' || listed.has(typed), `${name} types a package flowsync does not use`);
    else assert.ok(listed.has(name), `${name} is in neither RUNTIME_LIBRARIES nor DEV_ONLY (cmd/build.ts)`);
  }
  const declared = new Set(await devDependencies());
  for (const name of listed) assert.ok(declared.has(name), `${name} is listed in cmd/build.ts but not a devDependency`);
});

test('every runtime library is imported from src/ or cmd/, and no build or test tool is imported from src/', async () => {
  const srcFiles = await sources('src');
  const cmdFiles = (await sources('cmd')).filter((f) => !f.endsWith('build.ts')); // the build imports tools, not libraries
  assert.deepEqual(unused(RUNTIME_LIBRARIES, await importsOf([...srcFiles, ...cmdFiles])), []);
  // src/docs generates docs/reference (cmd/docs.ts) and may use the TypeScript compiler; the CLI never
  // reaches it, and cmd/build.ts refuses a bundle holding a build tool.
  const inSrc = await importsOf(srcFiles.filter((f) => !relative(REPO_ROOT, f).startsWith(join('src', 'docs'))));
  assert.deepEqual(DEV_ONLY.filter((name) => inSrc.has(name)), []);
});
