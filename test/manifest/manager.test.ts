// The default manager comes from the config repo's git remote: every clone of one repo (CI over
// https, a laptop over ssh, the daemon) must agree, and two repos must not. Real git repos in temp folders.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import { createHash } from 'node:crypto';
import { loadRepo } from '../../src/manifest/index.ts';
import { defaultManager, normalizeRemote } from '../../src/manifest/manager.ts';
import { tempRepo, writeRepo } from '../helpers/repo.ts';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } }).toString().trim();

async function gitRepo(dir: string, remote?: string): Promise<void> {
  git(dir, 'init', '-q', '-b', 'main');
  if (remote) git(dir, 'remote', 'add', 'origin', remote);
}

test('https, ssh and scp-style remotes of one repo give one manager; credentials, scheme and .git are dropped', async (t) => {
  const forms = [
    'https://github.com/acme/aep.git',
    'https://ci-bot:s3cr3t-token@GitHub.com/acme/aep.git/',
    'git@github.com:acme/aep.git',
    'ssh://git@github.com:22/acme/aep',
    'ssh://git@github.com/acme/aep.git',
  ];
  for (const url of forms) {
    const dir = await tempRepo(t);
    await gitRepo(dir, url);
    const manager = defaultManager(dir);
    assert.equal(manager, 'github.com/acme/aep', url);
    assert.ok(!manager.includes('s3cr3t'));
  }
  assert.notEqual(normalizeRemote('git@github.com:acme/other.git'), normalizeRemote('git@github.com:acme/aep.git'));
});

test('a config folder inside the repo adds its path; the explicit manager: wins', async (t) => {
  const dir = await tempRepo(t);
  await gitRepo(dir, 'git@gitlab.example.com:team/configs.git');
  const sub = path.join(dir, 'aep', 'prod');
  await mkdir(sub, { recursive: true });
  await writeRepo(sub, [], []);
  assert.equal((await loadRepo(sub, { env: {} })).manager, 'gitlab.example.com/team/configs/aep/prod');
  await writeRepo(sub, [], [], { manager: 'team-a' });
  assert.equal((await loadRepo(sub, { env: {} })).manager, 'team-a');
});

test('a linked worktree (a .git file) reads the main repo\'s remote', async (t) => {
  const dir = await tempRepo(t);
  const main = path.join(dir, 'main');
  await mkdir(main);
  await gitRepo(main, 'https://github.com/acme/aep');
  await writeFile(path.join(main, 'README'), 'x');
  git(main, 'add', 'README');
  git(main, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
  const linked = path.join(dir, 'linked');
  git(main, 'worktree', 'add', '-q', linked);
  assert.equal(defaultManager(linked), 'github.com/acme/aep');
});

test('without git, or without a remote: local/<folder>-<short hash of the absolute path>', async (t) => {
  const plain = await realpath(await tempRepo(t));
  const hash = createHash('sha256').update(plain).digest('hex').slice(0, 6);
  assert.equal(defaultManager(plain), `local/${path.basename(plain)}-${hash}`);
  const noRemote = await realpath(await tempRepo(t));
  await gitRepo(noRemote);
  assert.match(defaultManager(noRemote), /^local\/flowsync-test-[^/]+-[0-9a-f]{6}$/);
  assert.notEqual(defaultManager(noRemote), defaultManager(plain));
});

test('an over-long manager keeps a prefix and a hash, within 128 characters of the tag charset', async (t) => {
  const dir = await tempRepo(t);
  await gitRepo(dir, `https://example.com/${'very-long-group/'.repeat(12)}repo~name.git`);
  const manager = defaultManager(dir);
  assert.ok(manager.length <= 128, manager);
  assert.match(manager, /^example\.com\/very-long-group\/[A-Za-z0-9._/-]*-[0-9a-f]{8}$/);
});
