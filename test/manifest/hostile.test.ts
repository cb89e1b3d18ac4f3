// Hostile input: each limit turns into a clear diagnostic, quickly, never a crash or a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { invalidUtf8Offset } from '../../src/manifest/files.ts';
import { loadRepo, LIMITS } from '../../src/manifest/index.ts';
import { safeYamlMessage } from '../../src/manifest/yaml-docs.ts';
import { ACCOUNT_KINESIS, tempRepo } from './helpers.ts';

async function load(dir: string) {
  const started = Date.now();
  const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
  return { repo, ms: Date.now() - started, codes: repo.diagnostics.map((d) => `${d.file ?? ''}:${d.line ?? ''} ${d.code}`) };
}

test('a file over the size limit is refused before parsing', async (t) => {
  const dir = await tempRepo(t, { 'big.yaml': `a: "${'x'.repeat(LIMITS.fileBytes)}"\n`, 'ok.yaml': ACCOUNT_KINESIS });
  const { codes, repo } = await load(dir);
  assert.deepEqual(codes, ['big.yaml:1 FS_MANIFEST_TOO_LARGE']);
  assert.equal(repo.desired.accounts.length, 1);
});

test('too many documents in one file is refused', async (t) => {
  const dir = await tempRepo(t, { 'many.yaml': Array.from({ length: LIMITS.documentsPerFile + 1 }, () => 'a: 1\n').join('---\n') });
  const { codes } = await load(dir);
  assert.deepEqual(codes, ['many.yaml:1 FS_MANIFEST_TOO_MANY_DOCUMENTS']);
});

test('100,000 nested flow brackets: too deep, found before the parser runs out of memory', async (t) => {
  const dir = await tempRepo(t, { 'deep.yaml': `spec: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n` });
  const { codes, ms } = await load(dir);
  assert.deepEqual(codes, ['deep.yaml:1 FS_MANIFEST_TOO_DEEP']);
  assert.ok(ms < 5000, `${ms} ms`);
});

test('deep block nesting is too deep', async (t) => {
  const text = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}a${i}:`).join('\n') + ' x\n';
  const dir = await tempRepo(t, { 'deep.yaml': text });
  const { codes } = await load(dir);
  assert.equal(codes.length, 1);
  assert.match(codes[0]!, /^deep\.yaml:\d+ FS_MANIFEST_TOO_DEEP$/);
});

test('30,000 keys in one map load in linear time (no quadratic duplicate-key check)', async (t) => {
  const text = `${ACCOUNT_KINESIS}---\n${Array.from({ length: 30_000 }, (_, i) => `k${i}: v`).join('\n')}\n`;
  const dir = await tempRepo(t, { 'keys.yaml': text });
  const { codes, ms } = await load(dir);
  assert.deepEqual(codes, ['keys.yaml:12 FS_MANIFEST_API_VERSION', 'keys.yaml:12 FS_MANIFEST_KIND']);
  assert.ok(ms < 8000, `${ms} ms`);
});

test('an alias expansion bomb is refused', async (t) => {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
  const dir = await tempRepo(t, { 'bomb.yaml': `${levels.join('\n')}\n` });
  const { codes, ms } = await load(dir);
  assert.deepEqual(codes, ['bomb.yaml:1 FS_MANIFEST_ALIAS']);
  assert.ok(ms < 5000, `${ms} ms`);
});

test('a self-referencing alias is refused, not followed forever', async (t) => {
  const dir = await tempRepo(t, { 'loop.yaml': 'apiVersion: flowsync/v1\nkind: DestinationAccount\nmetadata: &m { name: x, more: [*m] }\n' });
  const { codes } = await load(dir);
  assert.deepEqual(codes, ['loop.yaml:1 FS_MANIFEST_TOO_DEEP']);
});

test('non-UTF-8 bytes are refused with the line of the first bad byte', async (t) => {
  const bytes = Buffer.concat([Buffer.from('apiVersion: flowsync/v1\nkind: DestinationAccount\nmetadata: { name: caf'), Buffer.from([0xe9]), Buffer.from(' }\n')]);
  const dir = await tempRepo(t, { 'latin1.yaml': bytes });
  const { repo } = await load(dir);
  assert.deepEqual(repo.diagnostics.map((d) => [d.code, d.line, d.column]), [['FS_MANIFEST_ENCODING', 3, 22]]);
});

test('the native UTF-8 check the loader runs first agrees with the byte loop that says where (overlongs, surrogates, past U+10FFFF)', () => {
  const tricky = [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98, 0x80], [0xe2, 0x82], [0xc2, 0xa9]];
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.array(fc.oneof(fc.constantFrom(...tricky), fc.uint8Array({ maxLength: 2 }))).map((parts) => Uint8Array.from(parts.flatMap((p) => [...p]))));
  fc.assert(fc.property(bytes, (b) => assert.equal(isUtf8(b), invalidUtf8Offset(b) < 0)), { numRuns: 3000 });
});

test('a UTF-8 byte order mark is accepted', async (t) => {
  const dir = await tempRepo(t, { 'bom.yaml': `\uFEFF${ACCOUNT_KINESIS}` });
  const { codes, repo } = await load(dir);
  assert.deepEqual(codes, []);
  assert.equal(repo.desired.accounts.length, 1);
});

test('symlinks: leaving the repo is refused, broken links are reported, loops end', async (t) => {
  const outside = await tempRepo(t, { 'evil.yaml': ACCOUNT_KINESIS, 'dir/evil.yaml': ACCOUNT_KINESIS });
  const dir = await tempRepo(t, { 'real/a.yaml': ACCOUNT_KINESIS });
  await symlink(path.join(outside, 'evil.yaml'), path.join(dir, 'link.yaml'));
  await symlink(path.join(outside, 'dir'), path.join(dir, 'linkdir'));
  await symlink(path.join(dir, 'missing.yaml'), path.join(dir, 'broken.yaml'));
  await symlink(dir, path.join(dir, 'real', 'loop'));
  await symlink(path.join(dir, 'real', 'a.yaml'), path.join(dir, 'same.yaml')); // inside: fine, read once
  const { codes, repo } = await load(dir);
  assert.deepEqual(codes, ['broken.yaml: FS_MANIFEST_SYMLINK', 'link.yaml: FS_MANIFEST_SYMLINK', 'linkdir: FS_MANIFEST_SYMLINK']);
  assert.equal(repo.desired.accounts.length, 1);
});

test('too many files is refused with a hint to narrow the manifest folders', async (t) => {
  const dir = await tempRepo(t, {});
  // Written synchronously: 12,000 awaited writes would dominate the test.
  mkdirSync(path.join(dir, 'm'));
  for (let i = 0; i <= LIMITS.files; i++) writeFileSync(path.join(dir, 'm', `${String(i).padStart(5, '0')}.yaml`), '');
  const { repo } = await load(dir);
  assert.ok(repo.diagnostics.some((d) => d.code === 'FS_MANIFEST_TOO_MANY_FILES'));
});

test('folders nested deeper than the limit stop the walk with a diagnostic', async (t) => {
  const dir = await tempRepo(t, {});
  const deep = path.join(dir, ...Array.from({ length: LIMITS.folderDepth + 2 }, () => 'd'));
  await mkdir(deep, { recursive: true });
  const { repo } = await load(dir);
  assert.ok(repo.diagnostics.some((d) => d.code === 'FS_MANIFEST_TOO_DEEP'));
});

test('YAML parser messages never quote the source text they complain about', () => {
  assert.equal(safeYamlMessage('Not a YAML token: s3cr3t-value'), 'Not a YAML token');
  assert.equal(safeYamlMessage('Unresolved plain scalar "s3cr3t-value"'), 'Unresolved plain scalar');
  assert.equal(safeYamlMessage('Unexpected s3cr3t-value in flow sequence'), 'Unexpected token in flow sequence');
  assert.equal(safeYamlMessage('Unexpected , in flow map'), 'Unexpected , in flow map');
  assert.equal(safeYamlMessage('Map keys must be unique at line 3, column 1:\n\nsecretKey: x\n^\n'), 'Map keys must be unique');
  assert.equal(safeYamlMessage('Unexpected token in YAML stream: "s3cr3t-value"'), 'Unexpected token in YAML stream');
  assert.equal(safeYamlMessage('Ordered maps must not include duplicate keys: s3cr3t-value'), 'Ordered maps must not include duplicate keys');
  assert.equal(safeYamlMessage('Unexpected flow-map-start token'), 'Unexpected flow-map-start token');
  assert.equal(safeYamlMessage('Alias ending in : is ambiguous'), 'Alias ending in : is ambiguous');
  assert.equal(safeYamlMessage('Unresolved tag: !secret'), 'Unresolved tag: !secret');
  assert.equal(safeYamlMessage('Missing closing "quote'), 'Missing closing "quote');
});

test('a value that lost its key is not echoed as an unknown field name', async (t) => {
  const text = ACCOUNT_KINESIS.replace('    secretKey: { fromEnv: KINESIS_SECRET_KEY }\n', '    "Zq8+PLAINSECRET/xY7=": x\n    secretKey: { fromEnv: KINESIS_SECRET_KEY }\n');
  const dir = await tempRepo(t, { 'a.yaml': `${text}---\n${text.replace('kinesis-prod', 'other')}\nZq8+PLAINSECRET/xY7=: 1\nZq8+PLAINSECRET/xY7=: 2\n` });
  const { repo } = await load(dir);
  assert.deepEqual(repo.diagnostics.map((d) => [d.code, d.line, d.path]), [
    ['FS_MANIFEST_SCHEMA', 9, 'spec.auth.<key>'],
    ['FS_MANIFEST_YAML', 26, '<key>'],
  ]);
  assert.ok(!JSON.stringify(repo.diagnostics).includes('PLAINSECRET'));
});

test('a .yaml FIFO (not a regular file) in the manifests folder is an error naming it, not skipped', { skip: process.platform === 'win32' ? 'needs mkfifo' : false }, async (t) => {
  const dir = await tempRepo(t, { 'a.yaml': ACCOUNT_KINESIS });
  execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
  await symlink(path.join(dir, 'pipe.yaml'), path.join(dir, 'link.yml'));
  const { codes, repo } = await load(dir);
  assert.deepEqual(codes, ['link.yml: FS_MANIFEST_READ', 'pipe.yaml: FS_MANIFEST_READ']);
  assert.match(repo.diagnostics[1]!.summary, /pipe\.yaml is not a regular file/);
  assert.equal(repo.desired.accounts.length, 1);
});
