// Relative links in README.md, CONTRIBUTING.md and docs/**/*.md resolve: the file exists inside the
// repository, and a #anchor names a heading of the page it points at.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { anchors, docFiles, links, type DocFile } from './markdown.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const docs = docFiles(ROOT);
const byFile = new Map<string, DocFile>(docs.map((d) => [d.file, d]));

/** What is wrong with one link, or undefined when it resolves. */
function broken(from: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // http:, https:, mailto:
  const [rawPath, anchor] = target.split('#') as [string, string | undefined];
  const file = rawPath === '' ? from : path.normalize(path.join(path.dirname(from), decodeURIComponent(rawPath)));
  if (file.startsWith('..')) return 'points outside the repository';
  if (!existsSync(path.join(ROOT, file))) return 'no such file';
  if (anchor === undefined || statSync(path.join(ROOT, file)).isDirectory() || !file.endsWith('.md')) return undefined;
  const page = byFile.get(file);
  if (page && !anchors(page).has(anchor)) return `no heading "#${anchor}" in ${file}`;
  return undefined;
}

test('every relative link in the docs resolves, anchors included', () => {
  const problems = docs.flatMap((doc) => links(doc).flatMap((l) => {
    const why = broken(l.file, l.target);
    return why ? [`${l.file}:${l.line}: ${l.target}: ${why}`] : [];
  }));
  assert.deepEqual(problems, []);
});
