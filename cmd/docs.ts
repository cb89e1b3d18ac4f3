// `npm run docs` writes docs/reference/ from the code; `npm run docs:check` (first step of `npm test`)
// fails, naming each stale page, when what is committed differs from what the code generates.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleFiles } from '../src/docs/check.ts';
import { REFERENCE_DIR, generateReference } from '../src/docs/generate.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function onDisk(): Map<string, string> {
  const dir = path.join(ROOT, REFERENCE_DIR);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.md'));
  } catch {
    return new Map();
  }
  return new Map(names.map((n) => [`${REFERENCE_DIR}/${n}`, readFileSync(path.join(dir, n), 'utf8')]));
}

const generated = generateReference(ROOT);
const stale = staleFiles(generated, onDisk());
if (process.argv.includes('--check')) {
  if (stale.length > 0) {
    for (const s of stale) process.stderr.write(`${s.file}: ${s.why === 'changed' ? 'stale (the code says otherwise)' : s.why}\n`);
    process.stderr.write(`\n${stale.length} generated reference page(s) out of date: run \`npm run docs\` and commit ${REFERENCE_DIR}/.\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${REFERENCE_DIR}/ is up to date (${generated.size} pages).\n`);
  }
} else {
  mkdirSync(path.join(ROOT, REFERENCE_DIR), { recursive: true });
  for (const s of stale) if (s.why === 'not generated') rmSync(path.join(ROOT, s.file));
  for (const [file, text] of generated) writeFileSync(path.join(ROOT, file), text);
  process.stdout.write(`wrote ${generated.size} pages to ${REFERENCE_DIR}/${stale.length > 0 ? ` (${stale.map((s) => path.basename(s.file)).join(', ')} new or changed)` : ''}\n`);
}
