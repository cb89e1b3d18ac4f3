// `flowsync destinations` through the real CLI against the emulator's catalog (GET /connectionSpecs).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { DESTINATION_TYPE_SPECS } from '../../src/domain/specs.ts';
import { EMULATOR_DEFAULTS, startEmulator } from '../../src/emulator/index.ts';
import { runCli } from '../helpers/cli.ts';

async function setup(t: TestContext) {
  const emu = await startEmulator({ port: 0 });
  t.after(() => emu.close());
  // No flowsync.yaml: every connection setting comes from the environment.
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'flowsync-destinations-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const env = {
    FLOWSYNC_ENDPOINT: emu.url, FLOWSYNC_IMS_ENDPOINT: emu.imsUrl, FLOWSYNC_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret,
    FLOWSYNC_CLIENT_ID: EMULATOR_DEFAULTS.clientId, FLOWSYNC_ORG_ID: EMULATOR_DEFAULTS.orgId,
  };
  return { emu, cwd, env };
}

test('destinations lists the catalog\'s destination types with auth and target params, marking the supported ones', async (t) => {
  const { emu, cwd, env } = await setup(t);
  const res = await runCli(['destinations', '--dir', cwd, '--output', 'json'], { env });
  assert.equal(res.code, 0, res.stderr);
  const { formatVersion, destinations } = JSON.parse(res.stdout);
  assert.equal(formatVersion, 1);
  assert.deepEqual(destinations.map((d: { name: string }) => d.name), ['Amazon Kinesis', 'Azure Event Hubs']);
  const kinesis = destinations[0];
  assert.equal(kinesis.id, DESTINATION_TYPE_SPECS['amazon-kinesis'].specId);
  assert.equal(kinesis.flowsyncType, 'amazon-kinesis');
  assert.equal(kinesis.auth[0].name, 'Aws Kinesis authentication credentials');
  assert.deepEqual(kinesis.auth[0].params.map((p: { name: string; secret: boolean; required: boolean }) => [p.name, p.secret, p.required]), [
    ['accessKeyId', false, true], ['secretKey', true, true], ['region', false, true],
  ]);
  assert.deepEqual(kinesis.target.map((p: { name: string; required: boolean }) => [p.name, p.required]), [
    ['stream', true], ['region', true], ['includeSegmentNames', false], ['includeSegmentTimestamps', false],
  ]);
  const hubs = destinations[1];
  assert.deepEqual(hubs.auth[0].params.filter((p: { secret: boolean }) => p.secret).map((p: { name: string }) => p.name), ['sasKey']);
  // Only reads: the catalog, never a write.
  assert.equal(emu.admin.requests().filter((r) => r.write).length, 0);
  assert.ok(emu.admin.requests().some((r) => r.path.endsWith('/connectionSpecs')));

  const all = await runCli(['destinations', '--dir', cwd, '--all', '--output', 'json'], { env });
  const names = JSON.parse(all.stdout).destinations.map((d: { name: string; flowsyncType?: string }) => [d.name, d.flowsyncType ?? null]);
  assert.deepEqual(names, [['Amazon Kinesis', 'amazon-kinesis'], ['Azure Event Hubs', 'azure-event-hubs'], ['Profile Store', null]]);
});

test('destinations text view names each type, its secret params and the flowsync type', async (t) => {
  const { cwd, env } = await setup(t);
  const res = await runCli(['destinations', '--dir', cwd], { env });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^Amazon Kinesis {2}86043421-563b-46ec-8e6c-e23184711bf6$/m);
  assert.match(res.stdout, /flowsync: {2}supported \(spec\.type: azure-event-hubs\)/);
  assert.match(res.stdout, /auth: {6}Aws Kinesis authentication credentials: accessKeyId, secretKey \(secret\), region/);
  assert.match(res.stdout, /target: {4}stream, region, includeSegmentNames\?, includeSegmentTimestamps\?/);
  assert.match(res.stdout, /2 destination type\(s\), 2 supported by flowsync/);
  assert.doesNotMatch(res.stdout, /\x1b\[/, 'no colour when not a TTY');
});

test('destinations without credentials fails with FS_API_AUTH before any request', async (t) => {
  const { emu, cwd, env } = await setup(t);
  const res = await runCli(['destinations', '--dir', cwd, '--endpoint', emu.url], { env: { ...env, FLOWSYNC_CLIENT_SECRET: undefined } });
  assert.equal(res.code, 1);
  assert.match(res.stderr, /FS_API_AUTH/);
  assert.equal(emu.admin.requests().length, 0);
});
