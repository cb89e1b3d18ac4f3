// deploy/systemd/flowsync.service: systemd itself checks the unit when systemd-analyze is installed
// (`verify`, and `security --offline` for the exposure score); a structural check runs always, so
// the hardening and the secrets' wiring are checked on machines without systemd too.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT, runCli } from '../helpers/cli.ts';
import { tempRepo } from '../helpers/repo.ts';

const run = promisify(execFile);
const UNIT = path.join(REPO_ROOT, 'deploy/systemd/flowsync.service');

/** Sections of the unit, each a list of [key, value] in order; continuation lines joined. */
function parseUnit(text: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      sections.set(section[1]!, (current = []));
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    assert.ok(kv && current, `line ${i + 1} is not Key=value inside a section: ${line}`);
    current.push([kv[1]!, kv[2]!]);
  }
  return sections;
}

async function systemdAnalyze(): Promise<string | undefined> {
  try {
    return (await run('systemd-analyze', ['--version'])).stdout.split('\n')[0];
  } catch {
    return undefined;
  }
}

test('the unit is hardened and wires every secret through LoadCredential (structural check, always run)', async () => {
  const unit = parseUnit(await readFile(UNIT, 'utf8'));
  assert.deepEqual([...unit.keys()], ['Unit', 'Service', 'Install']);
  const service = unit.get('Service')!;
  const one = (key: string) => {
    const values = service.filter(([k]) => k === key).map(([, v]) => v);
    assert.equal(values.length, 1, `${key}= once`);
    return values[0]!;
  };
  for (const [key, value] of Object.entries({
    DynamicUser: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes', NoNewPrivileges: 'yes',
    StateDirectory: 'flowsync', CapabilityBoundingSet: '', RestrictSUIDSGID: 'yes', UMask: '0077', KillSignal: 'SIGTERM',
  })) assert.equal(one(key), value, key);
  assert.ok(!service.some(([k]) => k === 'MemoryDenyWriteExecute'), "V8's JIT needs writable, executable memory");
  assert.ok(!service.some(([k, v]) => k === 'Environment' && /SECRET|TOKEN|_KEY=/.test(v)), 'no secret in Environment=');

  const exec = one('ExecStart');
  const credentials = service.filter(([k]) => k === 'LoadCredential').map(([, v]) => v.split(':')[0]!);
  assert.deepEqual(credentials.sort(), ['EVENTHUB_SAS_KEY', 'FLOWSYNC_CLIENT_SECRET', 'FLOWSYNC_GIT_TOKEN', 'FLOWSYNC_WEBHOOK_SECRET', 'KINESIS_SECRET_KEY']);
  assert.match(exec, /--git-token-env FLOWSYNC_GIT_TOKEN/);
  assert.match(exec, /--webhook-secret-env FLOWSYNC_WEBHOOK_SECRET/);
  assert.match(exec, /--cache-dir %S\/flowsync\//, 'the clone lives in the state directory, the only writable place');
  // The destinations' credentials are the fromEnv names of the example manifests.
  const names = new Set<string>();
  for (const f of await readdir(path.join(REPO_ROOT, 'manifests'), { recursive: true })) {
    if (f.endsWith('.yaml')) for (const m of (await readFile(path.join(REPO_ROOT, 'manifests', f), 'utf8')).matchAll(/fromEnv:\s*([A-Z_]+)/g)) names.add(m[1]!);
  }
  for (const c of credentials.filter((c) => !c.startsWith('FLOWSYNC_'))) assert.ok(names.has(c), `${c} is a fromEnv name of the example`);

  // Every flag of ExecStart is one `flowsync run` has.
  const help = await runCli(['run', '--help']);
  const known = new Set(help.stdout.match(/--[a-z][a-z-]*/g));
  for (const flag of exec.match(/--[a-z][a-z-]*/g) ?? []) assert.ok(known.has(flag), `flowsync run has ${flag}`);
});

test('systemd-analyze verify accepts the unit and security --offline rates its exposure 2.0 or lower (skipped without systemd-analyze)', async (t) => {
  const version = await systemdAnalyze();
  if (!version) {
    t.skip('systemd-analyze is not installed: only the structural check above ran');
    return;
  }
  t.diagnostic(`checked with ${version}`);
  // verify also checks that ExecStart's program exists: point it at a stand-in of the installed bin.
  const dir = await tempRepo(t);
  const bin = path.join(dir, 'flowsync');
  await writeFile(bin, '#!/bin/sh\nexit 0\n');
  await chmod(bin, 0o755);
  const unit = path.join(dir, 'flowsync.service');
  await writeFile(unit, (await readFile(UNIT, 'utf8')).replace('ExecStart=/usr/local/bin/flowsync', `ExecStart=${bin}`));
  const verify = await run('systemd-analyze', ['verify', unit]).catch((err: { stdout: string; stderr: string; code: number }) => err);
  assert.equal('code' in verify ? verify.code : 0, 0, verify.stderr);
  assert.equal(verify.stderr.trim(), '', 'no unknown or misspelled directive');
  const security = await run('systemd-analyze', ['security', '--offline=true', '--threshold=20', unit]).catch((err: { stdout: string; code: number }) => err);
  const score = /Overall exposure level for flowsync\.service: ([\d.]+)/.exec(security.stdout)?.[1];
  t.diagnostic(`exposure level ${score}`);
  assert.equal('code' in security ? security.code : 0, 0, security.stdout.slice(-2000));
  // It can fail: a misspelled directive is reported.
  await writeFile(unit, (await readFile(unit, 'utf8')).replace('ProtectSystem=strict', 'ProtectSytem=strict'));
  assert.match((await run('systemd-analyze', ['verify', unit])).stderr, /Unknown key( name)? '?ProtectSytem/);
});
