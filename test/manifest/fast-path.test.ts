// The js-yaml fast path must be invisible: whenever it accepts a file, the documents (index, value,
// start, positions from locate) are exactly what the `yaml` slow path gives, and the slow path has
// nothing to report. Checked on generated manifests, on generated YAML of every scalar style, on
// token soup, and on byte mutations of valid files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import jsyaml from 'js-yaml';
import { fastParseYamlFile, fastPathSafe } from '../../src/manifest/fast-yaml.ts';
import type { ParsedDoc } from '../../src/manifest/types.ts';
import { parseYamlFile, parseYamlFileSlow } from '../../src/manifest/yaml-docs.ts';
import { repoArb } from './arbitraries.ts';
import { mutate, mutationArb } from './mutations.ts';

const LONG = process.env.FLOWSYNC_LONG_TESTS === '1';
const EXAMPLE = fileURLToPath(new URL('../../manifests/', import.meta.url));

function fast(text: string): ParsedDoc[] | undefined {
  return fastParseYamlFile('f.yaml', text, (f, t) => parseYamlFileSlow(f, t).docs);
}

/** Paths to every node of a value (capped), for comparing locate(). */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 40) return out;
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

/** Asserts the fast path agrees with the slow path; returns whether the fast path took the file. */
function agrees(text: string, withPositions = true): boolean {
  const got = fast(text);
  if (!got) return false;
  const slow = parseYamlFileSlow('f.yaml', text);
  const ctx = `fast path accepted ${JSON.stringify(text)}`;
  assert.deepEqual(slow.diagnostics, [], ctx);
  assert.deepEqual(
    got.map((d) => ({ index: d.index, value: d.value, start: d.start })),
    slow.docs.map((d) => ({ index: d.index, value: d.value, start: d.start })),
    ctx,
  );
  if (withPositions) {
    for (const [i, d] of got.entries()) {
      for (const p of pathsOf(d.value)) {
        assert.deepEqual(d.locate(p), slow.docs[i]!.locate(p), ctx);
        assert.deepEqual(d.locate(p, { key: true }), slow.docs[i]!.locate(p, { key: true }), ctx);
      }
      assert.deepEqual(d.locate(['no', 'such', 'field']), slow.docs[i]!.locate(['no', 'such', 'field']), ctx);
    }
  }
  return true;
}

test('plain multi-document manifests take the fast path and read exactly as the slow path', () => {
  const text = [
    '# accounts for prod',
    '---',
    '',
    'apiVersion: flowsync/v1',
    'kind: DestinationAccount',
    'metadata: { name: k1, sandbox: prod }',
    'spec:',
    '  auth:',
    '    secretKey: { fromEnv: K }',
    '    region: "us-east-1"',
    '--- # second',
    '  # indented comment',
    '  apiVersion: flowsync/v1',
    '  spec: { segments: [ { id: a, upper: true }, { id: "b" } ], n: 0x1F, f: 1.50, o: 0o17, e: 1e3, i: .inf, nan: .NaN, neg: -0, t: True, z: ~ }',
    '---',
    '---',
    '- x',
    "- 'y'",
    '- z',
    '',
  ].join('\n');
  assert.equal(fastPathSafe(text), true);
  assert.ok(agrees(text), 'the fast path takes it');
  const docs = fast(text)!;
  assert.deepEqual(docs.map((d) => [d.index, d.start.line, d.start.column]), [[0, 4, 1], [1, 13, 3], [3, 17, 1]]);
});

test('constructs the parsers could read differently go to the slow path', () => {
  for (const text of [
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: |\n  text\n',
    'a: >\n  text\n',
    '? a\n: 1\n',
    '[a, b]: 1\n',
    '{a: 1}: 2\n',
    '%YAML 1.2\n---\na: 1\n',
    'a: 1\n...\n',
    '--- a\n',
    'a:\t1\n',
    'a: 1\r\n',
    '<<: {a: 1}\n',
    '__proto__: 1\n',
    '-\n  - -\n- a\n',
    '- -\n- a\n',
    '""#"\n',
    '"\\U10001F600"\n',
    // A flow collection as a key with no value: js-yaml makes it a string ("[object Object]", "x").
    "{a: '.inf', {}}\n# tail\n",
    'a: {b: 1, [x]}\n',
    'a: {[x]}\n',
    'a: {b: 1,\n  {c: 2}}\n',
  ]) {
    assert.equal(fast(text), undefined, JSON.stringify(text));
  }
  // Accepted textually, refused on the value: keys the slow path stores or reports differently.
  for (const text of ['~: 1\n', 'null: 1\n', '"": 1\n', 'a: 1\na: 2\n', 'a: [\n', 'a: "x\n']) assert.equal(fast(text), undefined, JSON.stringify(text));
  // Nesting near the depth limit is left to the slow path's diagnostics.
  assert.equal(fast(`${'['.repeat(40)}${']'.repeat(40)}\n`), undefined);
});

test('parseYamlFile: a fast-path file gives no diagnostics and locate() points at exact line:column', () => {
  const text = 'apiVersion: flowsync/v1\nkind: StreamingDestination\nspec:\n  segments:\n    - id: a\n    - id: b\n';
  const r = parseYamlFile('m.yaml', text);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.docs[0]!.locate(['spec', 'segments', 1, 'id']), { line: 6, column: 11 });
  assert.deepEqual(r.docs[0]!.locate(['spec', 'segments', 1, 'id'], { key: true }), { line: 6, column: 7 });
  assert.deepEqual(r.docs[0]!.locate(['spec', 'nope']), { line: 4, column: 3 });
});

test('random valid manifests: fast and slow paths give equal documents', () => {
  let taken = 0;
  let total = 0;
  fc.assert(
    fc.property(repoArb, (gen) => {
      for (const [rel, text] of Object.entries(gen.files)) {
        if (!rel.endsWith('.yaml') || rel.endsWith('flowsync.yaml')) continue;
        total++;
        if (agrees(text)) taken++;
      }
    }),
    { numRuns: LONG ? 500 : 40 },
  );
  assert.ok(taken > total / 2, `the fast path took ${taken} of ${total} generated manifest files`);
});

// Scalars in every style YAML 1.2 core resolves, and strings that look like them.
const plainScalar = fc.oneof(
  fc.constantFrom('0', '-0', '+12', '007', '0o17', '0o8', '0x1F', '0xg', '0b101', '1_000', '1.5', '1.', '.5', '-.5e3', '1e3', '1E+3', '6.8523015e+5', '1:20', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'NaN', 'nan', 'true', 'True', 'TRUE', 'tRue', 'yes', 'no', 'on', 'off', 'y', 'n', 'false', 'null', 'Null', 'NULL', 'nULL', '~', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '12:30:00', '99999999999999999999', '1e400', '0.1e-400', '+', '-', '.', 'a b', 'a#b', 'a: b', 'x-y', 'é', '😀'),
  fc.stringMatching(/^[a-z0-9.+-]{1,6}$/),
);
const scalarText = fc.oneof(
  plainScalar,
  plainScalar.map((s) => JSON.stringify(s)),
  plainScalar.map((s) => `'${s.replace(/'/g, "''")}'`),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"\\x41\\u00e9\\U0001F600\\n\\t\\\\"', '"a\\\n  b"', '"multi\n  line"', "'multi\n\n  line'", 'plain\n  continued', '""', "''", ''),
);

/** Random YAML text: nested blocks and flows of those scalars, with comments, blank lines and separators. */
const yamlNode = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarText,
    fc.array(fc.tuple(fc.oneof(plainScalar, fc.constantFrom('key', 'a', 'b')), tie('node')), { maxLength: 3 }).map((pairs) => `{${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
    fc.array(tie('node'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
  ),
})).node;

const blockArb: fc.Arbitrary<string> = fc.letrec<{ block: string }>((tie) => ({
  block: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    yamlNode.map((s) => ` ${s}`),
    fc.array(fc.tuple(fc.oneof(plainScalar, fc.constantFrom('key', 'a', 'b', '"q"', "'s'")), tie('block'), fc.constantFrom('', '', '  # note', '\n', '\n# c')), { minLength: 1, maxLength: 4 }).map(
      (pairs) => `\n${pairs.map(([k, v, after]) => indent(`${k}:${v}${after}`)).join('\n')}`,
    ),
    fc.array(tie('block'), { minLength: 1, maxLength: 4 }).map((items) => `\n${items.map((v) => indent(`-${v}`)).join('\n')}`),
  ),
})).block;

function indent(s: string): string {
  return s.split('\n').map((l, i) => (i === 0 || l === '' ? l : `  ${l}`)).join('\n');
}

const docArb = fc.tuple(fc.constantFrom('', '# lead\n', '\n\n', '  # lead\n\n'), blockArb, fc.constantFrom('', '  ', '    ')).map(([lead, body, pad]) =>
  lead + (body.startsWith('\n') ? body.slice(1).split('\n').map((l) => (l ? pad + l : l)).join('\n') : body.trimStart()),
);
const fileArb = fc.tuple(fc.boolean(), fc.array(fc.tuple(docArb, fc.constantFrom('---', '--- # c', '---  ')), { minLength: 1, maxLength: 4 }), fc.constantFrom('', '\n', '\n---\n', '\n# tail\n')).map(
  ([leading, docs, tail]) => (leading ? '---\n' : '') + docs.map(([d, sep], i) => (i ? `${sep}\n${d}` : d)).join('\n') + tail,
);

test('random YAML of every scalar style: whenever the fast path takes a file, it reads as the slow path', () => {
  let taken = 0;
  fc.assert(
    fc.property(fileArb, (text) => {
      if (agrees(text)) taken++;
    }),
    { numRuns: LONG ? 20000 : 600 },
  );
  assert.ok(taken > 50, `the fast path took ${taken} generated files`);
});

test('values dumped by both libraries read the same on both paths', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  fc.assert(
    fc.property(json, fc.boolean(), (value, useYaml) => {
      const text = useYaml ? stringify(value) : jsyaml.dump(value);
      agrees(text);
    }),
    { numRuns: LONG ? 5000 : 300 },
  );
});

const SPECIALS = ['\t', '\0', '\r', '&a ', '*a', '[', ']', '{', '}', ',', '---\n', '...\n', '- ', ': ', ':', '"', "'", '!!binary ', '%YAML 1.1\n', '<<: *a\n', '#', '|', '>', '?', '\\', '\n', ' ', '  ', '~', '0x', '.inf', '\u2028', '\u0085'];

function exampleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? exampleFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [readFileSync(path.join(dir, e.name), 'utf8')] : []));
}

test('mutated files: whenever the fast path takes one, it reads as the slow path', () => {
  const examples = exampleFiles(EXAMPLE);
  const source = fc.oneof(fc.constantFrom(...examples), fileArb, repoArb.map((g) => Object.values(g.files).join('\n---\n')));
  fc.assert(
    fc.property(source, fc.array(mutationArb(SPECIALS), { minLength: 1, maxLength: 6 }), (text, mutations) => {
      agrees(mutate(Buffer.from(text), mutations).toString('utf8'), false);
    }),
    { numRuns: LONG ? 20000 : 1000 },
  );
});

test('with reread, the positions asked for in one synchronous run read the file once, and each run reads it again', async () => {
  const text = ['a: 1', 'b:', '  - x', '---', 'a: 2', 'b:', '  - y', '---', 'a: 3', 'b:', '  - z', ''].join('\n');
  let reads = 0;
  const docs = fastParseYamlFile('f.yaml', text, (f, t) => parseYamlFileSlow(f, t).docs, () => (reads++, text));
  assert.ok(docs);
  const expected = parseYamlFileSlow('f.yaml', text).docs.map((d) => d.locate(['b', 0]));
  assert.deepEqual([docs[0]!.locate(['b', 0]), docs[1]!.locate(['b', 0])], expected.slice(0, 2));
  assert.equal(reads, 1, 'one read for both documents');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(docs[2]!.locate(['b', 0]), expected[2]);
  assert.equal(reads, 2, 'the text is not kept past the run');
});
