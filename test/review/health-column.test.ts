// `flowsync plan --base REF --health`: the pull-request comment and review.json gain the activation
// health of the destinations the pull request changes (and only those), read from the emulator's runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';
import { commitAll, git, initRepo } from './git-repo.ts';

const ACCOUNTS: AccountSpec[] = [{ name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' }];
const DESTS: DestinationSpec[] = [
  { name: 'summer', account: 'kin', segments: [segmentId(1)] },
  { name: 'loyalty', account: 'kin', segments: [segmentId(10)] },
];

test('plan --base --health: a health column for the destinations the pull request changes, in markdown and JSON', async (t) => {
  const { emu, env } = await startTestEmulator(t, { runIntervalMs: 150 });
  const repo = await tempRepo(t);
  initRepo(repo);
  const config = path.join(repo, 'config');
  await mkdir(config);
  await writeRepo(config, ACCOUNTS, DESTS);
  commitAll(repo, 'base');
  assert.equal((await runCli(['apply', '--dir', config, '--auto-approve'], { env })).code, 0);
  git(repo, 'checkout', '-q', '-b', 'feature');
  await writeRepo(config, ACCOUNTS, [{ ...DESTS[0]!, segments: [segmentId(1), segmentId(2)] }, DESTS[1]!]);
  commitAll(repo, 'summer: add segment 2');
  emu.admin.setFaults({ runFailureRate: 1 });
  // runs come with the emulator's clock: wait until summer has failed three in a row (Failed)
  await eventually(async () => {
    const res = await runCli(['status', config, '--output', 'json'], { env });
    return res.code === 4;
  }, { timeoutMs: 20_000, intervalMs: 200, message: 'destinations did not turn Failed' });

  emu.admin.resetRequests();
  const md = await runCli(['plan', config, '--base', 'main', '--health', '--output', 'markdown'], { env });
  assert.equal(md.code, 0, md.stderr);
  const table = md.stdout.slice(md.stdout.indexOf('#### Activation health'));
  assert.match(table, /^\| Destination \| Health \| Last run \| Activated \/ failed in the window \| Why \|$/m);
  assert.match(table, /^\| prod\/summer \| ❌ Failed \| \S+ failed \| \d+ \/ \d+ \(24h\) \| the last \d+ runs failed: ACTIVATION_BATCH-0000-FAILED Job aborted\. \|$/m);
  assert.doesNotMatch(table, /loyalty/, 'only destinations the pull request changes');
  assert.equal(emu.admin.requests().filter((r) => r.path.endsWith('/runs')).length, 1, 'one GET /runs for the one sandbox');

  const json = await runCli(['plan', config, '--base', 'main', '--health', '--output', 'json'], { env });
  const doc = JSON.parse(json.stdout) as { health: { name: string; health: string }[] };
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv); // the status schema's date-time fields are checked, not ignored with a warning
  const load = (f: string) => JSON.parse(readFileSync(new URL(`../../schemas/${f}`, import.meta.url), 'utf8'));
  ajv.addSchema(load('plan.schema.json'));
  ajv.addSchema(load('status.schema.json'));
  const validate = ajv.compile(load('review.schema.json'));
  assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.deepEqual(doc.health.map((h) => [h.name, h.health]), [['summer', 'Failed']]);

  const without = await runCli(['plan', config, '--base', 'main', '--output', 'markdown'], { env });
  assert.doesNotMatch(without.stdout, /Activation health/);
  const misuse = await runCli(['plan', config, '--health'], { env });
  assert.equal(misuse.code, 1);
  assert.match(misuse.stderr, /--health .* use it with --base REF/);
});
