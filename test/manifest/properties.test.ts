// Property-based: random valid repos load to exactly the model they were generated from; random
// byte mutations of valid files only ever produce diagnostics (no throw, no hang, no secret).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { loadRepo } from '../../src/manifest/index.ts';
import { repoArb } from './arbitraries.ts';
import { mutate, mutationArb } from './mutations.ts';

const LONG = process.env.FLOWSYNC_LONG_TESTS === '1';
const EXAMPLE = fileURLToPath(new URL('../../manifests/', import.meta.url));
const PLAIN_SECRET = 'Zq8+PLAINSECRET/xY7=';

test('random valid repos load to the generated model, without loss', async (t) => {
  const base = await mkdtemp(path.join(tmpdir(), 'flowsync-prop-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  let run = 0;
  await fc.assert(
    fc.asyncProperty(repoArb, async (gen) => {
      const dir = path.join(base, String(run++));
      for (const [rel, text] of Object.entries(gen.files)) {
        await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
        await writeFile(path.join(dir, rel), text);
      }
      const repo = await loadRepo(dir, { env: gen.env });
      assert.deepEqual(repo.diagnostics, []);
      const { sandboxSources: _where, ...desired } = repo.desired; // positions are checked in loader.test.ts
      // The segments as written (segmentRefs) are resolved against the sandbox's audiences at plan
      // time; with ids only, they are exactly the model's segments, in manifest order.
      const destinations = desired.destinations.map(({ segmentRefs, ...d }) => {
        assert.deepEqual(new Set((segmentRefs ?? []).map((r) => r.id)), new Set(d.segments.map((s) => s.id)));
        return d;
      });
      assert.deepEqual({ ...desired, destinations }, gen.expected);
      await rm(dir, { recursive: true, force: true });
    }),
    { numRuns: LONG ? 500 : 25 },
  );
});

const SPECIALS = ['\t', '\0', '\r', '&a ', '*a', '[', ']', '{', '}', '---\n', '- ', ': ', '"', "'", '!!binary ', '%YAML 1.1\n', '<<: *a\n', '\uFEFF', '#', '|', '>', '?', '\\'];

const mutations = mutationArb(SPECIALS);

async function yamlFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...(await yamlFiles(dir, r)));
    else if (/\.ya?ml$/.test(e.name)) out.push(r);
  }
  return out.sort();
}

test('random byte mutations of valid files give diagnostics, never a crash, a hang or a secret', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-mut-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(EXAMPLE, dir, { recursive: true });
  const files = await yamlFiles(dir);
  const originals = new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f))] as const)));
  const env = {
    KINESIS_ACCESS_KEY_ID: 'AKIAFAKEEXAMPLE00001',
    KINESIS_SECRET_KEY: 'mutation-secret-kinesis-3b3b',
    EVENTHUB_SAS_KEY: 'mutation-secret-sas-4c4c',
    KINESIS_DEV_ACCESS_KEY_ID: 'AKIAFAKEEXAMPLE00002',
    KINESIS_DEV_SECRET_KEY: 'mutation-secret-kinesis-dev-5d5d',
    EVENTHUB_DEV_SAS_KEY: 'mutation-secret-sas-dev-6e6e',
  };
  // A secret pasted in plain into a manifest (an error) must not leak through any message either.
  const planted = 'prod/accounts.yaml';
  originals.set(planted, Buffer.from(originals.get(planted)!.toString('utf8').replace('{ fromEnv: KINESIS_SECRET_KEY }', `"${PLAIN_SECRET}"`)));
  await writeFile(path.join(dir, planted), originals.get(planted)!);
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...files), fc.array(mutations, { minLength: 1, maxLength: 6 }), async (file, mutations) => {
      const original = originals.get(file)!;
      await writeFile(path.join(dir, file), mutate(original, mutations));
      try {
        const started = Date.now();
        const repo = await loadRepo(dir, { env });
        assert.ok(Date.now() - started < 5000, 'loads within 5 s');
        for (const d of repo.diagnostics) {
          assert.match(d.code, /^FS_(MANIFEST|SECRET|CONFIG)_[A-Z_]+$/);
          assert.ok(d.severity === 'error' || d.severity === 'warning');
          assert.equal(typeof d.summary, 'string');
          if (d.file) assert.ok(!path.isAbsolute(d.file));
        }
        const printed = JSON.stringify(repo);
        assert.ok(!printed.includes('PLAINSECRET'), 'the planted plain secret does not leak');
        for (const [k, v] of Object.entries(env)) if (/SECRET|SAS/.test(k)) assert.ok(!printed.includes(v), 'no secret in the loaded repo view');
      } finally {
        await writeFile(path.join(dir, file), original);
      }
    }),
    { numRuns: LONG ? 5000 : 100 },
  );
});
