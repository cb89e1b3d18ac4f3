// The layers of src/ (scripts/layers.json): a package imports only the packages below it, so the core
// never reaches up into the daemon or the CLI, and the emulator stands beside them on domain alone.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { $comment: _, ...LAYERS } = JSON.parse(readFileSync(join(ROOT, 'scripts/layers.json'), 'utf8')) as Record<string, string[]>;

interface SourceFile {
  path: string; // relative to the repository root, e.g. src/plan/diff.ts
  text: string;
}

/** Relative imports and re-exports: static `from '…'` and dynamic `import('…')`. */
const RELATIVE_IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g;

/** Every import that crosses from one src/ package to one its layer does not allow, or to an unknown package. */
function violations(files: readonly SourceFile[], layers: Record<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = file.path.split('/')[1] ?? '';
    for (const m of file.text.matchAll(RELATIVE_IMPORT)) {
      const target = normalize(join(dirname(file.path), m[1] as string));
      const [top, to] = target.split('/');
      if (top !== 'src' || to === undefined || to === from) continue;
      if (!layers[from]?.includes(to)) out.push(`${file.path} imports ${target} (${from} -> ${to})`);
    }
  }
  return out;
}

function sources(): SourceFile[] {
  return readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => {
      const file = join(e.parentPath, e.name);
      return { path: relative(ROOT, file), text: readFileSync(file, 'utf8') };
    });
}

test('every src/ package has a layer, and the layers list only packages that exist', () => {
  const packages = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  assert.deepEqual(Object.keys(LAYERS).sort(), packages);
  for (const [pkg, allowed] of Object.entries(LAYERS)) for (const to of allowed) assert.ok(to in LAYERS, `${pkg} may import "${to}", which is no package`);
});

test('the layers have no cycle: following allowed imports never leads back', () => {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (pkg: string, trail: string[]): void => {
    if (done.has(pkg)) return;
    assert.ok(!visiting.has(pkg), `cycle: ${[...trail, pkg].join(' -> ')}`);
    visiting.add(pkg);
    for (const to of LAYERS[pkg] ?? []) visit(to, [...trail, pkg]);
    visiting.delete(pkg);
    done.add(pkg);
  };
  for (const pkg of Object.keys(LAYERS)) visit(pkg, []);
});

test('src/ imports only down its layers', () => {
  assert.deepEqual(violations(sources(), LAYERS), []);
});

test('a deliberate back-edge fails: the core importing the daemon, the emulator importing the planner', () => {
  const files: SourceFile[] = [
    { path: 'src/reconcile/cycle.ts', text: "import type { Source } from '../daemon/types.ts';\nimport { planChanges } from '../plan/index.ts';" },
    { path: 'src/emulator/server.ts', text: "const plan = await import('../plan/index.ts');" },
    { path: 'src/domain/model.ts', text: "export { main } from '../cli/main.ts';\nimport { x } from './local.ts';" },
  ];
  assert.deepEqual(violations(files, LAYERS), [
    'src/reconcile/cycle.ts imports src/daemon/types.ts (reconcile -> daemon)',
    'src/emulator/server.ts imports src/plan/index.ts (emulator -> plan)',
    'src/domain/model.ts imports src/cli/main.ts (domain -> cli)',
  ]);
});

test('the lint refuses a back-edge import too: reconcile importing the daemon is a no-restricted-imports error', async () => {
  const { ESLint } = await import('eslint');
  // eslint.config.js as `npm run lint` runs it, less the one rule that needs type information: the
  // TypeScript program it builds for it would cost this test about 4 s of CPU, and the layer rules
  // read import paths only.
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: { files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false } }, rules: { '@typescript-eslint/no-floating-promises': 'off' } },
  });
  const file = join(ROOT, 'src/reconcile/contract.ts');
  const backEdge = "\nimport type { BuildInfo } from '../daemon/types.ts';\nexport type Built = BuildInfo;\n";
  const [clean] = await eslint.lintText(readFileSync(file, 'utf8'), { filePath: file });
  assert.deepEqual(clean?.messages, []);
  const [dirty] = await eslint.lintText(readFileSync(file, 'utf8') + backEdge, { filePath: file });
  assert.deepEqual(dirty?.messages.map((m) => m.ruleId), ['no-restricted-imports']);
  assert.match(dirty?.messages[0]?.message ?? '', /src\/reconcile may import only .*scripts\/layers\.json/);
});
