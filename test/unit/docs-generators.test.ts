// The pure pieces behind docs/reference/ and the doc tests: flags read from help text, fields read
// from a JSON Schema, stale pages found, fenced blocks and heading anchors read from Markdown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/registry.ts';
import { flagsOfUsage } from '../../src/docs/cli.ts';
import { staleFiles } from '../../src/docs/check.ts';
import { schemaFields } from '../../src/docs/schema.ts';
import { anchors, links, runnableBlocks } from '../docs/markdown.ts';

test('flags are read from help text, continuation lines joined to their flag', () => {
  const usage = `Usage: x [flags]

Flags:
  --dir DIR             the folder
  --prune               delete orphans
                        (owned entities only)
  -h, --help            not a flag row of ours
  --sandbox NAME        only this sandbox
  --mode apply|observe  observe writes nothing
  --webhook-secret-env VAR shared secret
  --listen HOST:PORT    address
                        ("off" for none)
Some prose that mentions --dir again.
`;
  assert.deepEqual(flagsOfUsage(usage), [
    { flag: '--dir DIR', description: 'the folder' },
    { flag: '--prune', description: 'delete orphans (owned entities only)' },
    { flag: '--sandbox NAME', description: 'only this sandbox' },
    { flag: '--mode apply|observe', description: 'observe writes nothing' },
    { flag: '--webhook-secret-env VAR', description: 'shared secret' },
    { flag: '--listen HOST:PORT', description: 'address ("off" for none)' },
  ]);
});

test('a page is stale when changed, missing or no longer generated; equal pages are not', () => {
  const generated = new Map([['r/a.md', 'A'], ['r/b.md', 'B'], ['r/c.md', 'C']]);
  const disk = new Map([['r/a.md', 'A'], ['r/b.md', 'old'], ['r/gone.md', 'x']]);
  assert.deepEqual(staleFiles(generated, disk), [
    { file: 'r/b.md', why: 'changed' },
    { file: 'r/c.md', why: 'missing' },
    { file: 'r/gone.md', why: 'not generated' },
  ]);
  assert.deepEqual(staleFiles(generated, generated), []);
});

test('schema fields follow $ref and arrays, mark required ones and show enums and defaults', () => {
  const rows = schemaFields({
    type: 'object',
    required: ['spec'],
    properties: { spec: { $ref: '#/$defs/spec' } },
    $defs: {
      spec: { type: 'object', description: 'The spec.', properties: { drift: { enum: ['heal', 'warn'], default: 'heal' }, segments: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } } },
    },
  });
  assert.deepEqual(rows.map((r) => [r.path, r.type, r.required]), [
    ['spec', 'object', true],
    ['spec.drift', '"heal" \\| "warn"', false],
    ['spec.segments', 'array of object', false],
    ['spec.segments[].id', 'string', true],
  ]);
  assert.match(rows[1]!.description, /Default: `"heal"`/);
});

test('only fences marked runnable run, with the line of their opening fence', () => {
  const doc = { file: 'x.md', text: '# T\n\n```sh\nnot me\n```\n\n```sh runnable\nflowsync plan\n```\n' };
  assert.deepEqual(runnableBlocks(doc), [{ file: 'x.md', line: 7, info: 'sh runnable', body: 'flowsync plan' }]);
});

test('heading anchors follow GitHub: lower case, punctuation dropped, repeats numbered; links in code are ignored', () => {
  const doc = { file: 'x.md', text: '# Config file (flowsync.yaml)\n## `flowsync run`\n## Notes\n## Notes\n```md\n# Not a heading\n[x](nowhere.md)\n```\nSee [a](#notes-1) and `[b](code.md)`.\n' };
  assert.deepEqual([...anchors(doc)], ['config-file-flowsyncyaml', 'flowsync-run', 'notes', 'notes-1']);
  assert.deepEqual(links(doc).map((l) => [l.line, l.target]), [[9, '#notes-1']]);
});

test('the CLI reference has a row for every flag line of every command\'s help', () => {
  for (const command of COMMANDS) {
    const flagLines = command.usage.split('\n').filter((l) => /^ {2}--?[a-z]/.test(l)).length;
    assert.equal(flagsOfUsage(command.usage).length, flagLines, `flowsync ${command.name}`);
  }
});
