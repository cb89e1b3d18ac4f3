// `flowsync comment --github` (the GitHub Action's comment step) against a stand-in of GitHub's
// REST API: one sticky comment, edited in place, parts added and removed, other comments untouched.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { planUpsert } from '../../src/review/comment-upsert.ts';
import { runCli } from '../helpers/cli.ts';
import { copyExampleRepo, startTestEmulator } from '../helpers/emulator.ts';
import { startGitHubStandIn } from '../helpers/github-api.ts';
import { tempRepo } from '../helpers/repo.ts';

const TOKEN = 'ghs_standInToken0123456789';
const REPO = 'acme/aep-config';

test('planUpsert: ours by the marker on the first line, edits in order, adds extra parts, removes leftovers', () => {
  const steps = planUpsert(
    [
      { id: 9, body: '<!-- flowsync-plan: config part 2 of 3 -->\nold 2' },
      { id: 3, body: '<!-- flowsync-plan: config part 1 of 3 -->\nnew 1' },
      { id: 4, body: 'quoting:\n<!-- flowsync-plan: config -->' },
      { id: 5, body: '<!-- flowsync-plan: config-other -->\nx' },
      { id: 12, body: '<!-- flowsync-plan: config part 3 of 3 -->\nold 3' },
    ],
    ['<!-- flowsync-plan: config part 1 of 2 -->\nnew 1', '<!-- flowsync-plan: config part 2 of 2 -->\nnew 2'],
  );
  // part 1's body differs only in "part 1 of 2" vs "of 3": that is an edit too
  assert.deepEqual(steps.update, [
    { id: 3, body: '<!-- flowsync-plan: config part 1 of 2 -->\nnew 1' },
    { id: 9, body: '<!-- flowsync-plan: config part 2 of 2 -->\nnew 2' },
  ]);
  assert.deepEqual(steps.create, []);
  assert.deepEqual(steps.remove, [12]);
  assert.equal(steps.firstId, 3);
  assert.deepEqual(steps.unchanged, []);
  const same = planUpsert([{ id: 3, body: '<!-- flowsync-plan: config -->\nplan' }], ['<!-- flowsync-plan: config -->\nplan']);
  assert.deepEqual(same.unchanged, [3]);
  assert.deepEqual(same.update, []);
  const fresh = planUpsert([{ id: 1, body: 'LGTM' }], ['<!-- flowsync-plan: config -->\nplan']);
  assert.deepEqual(fresh, { update: [], create: ['<!-- flowsync-plan: config -->\nplan'], remove: [], unchanged: [], firstId: undefined });
  assert.throws(() => planUpsert([], ['no marker']));
});

test('comment --github: edits our parts in place, adds the extra part, deletes leftovers, leaves other comments alone', async (t) => {
  const gh = await startGitHubStandIn(t, {
    repo: REPO,
    pr: 7,
    token: TOKEN,
    comments: [
      { body: 'LGTM', user: 'alice' },
      { body: '<!-- flowsync-plan: config part 1 of 3 -->\nold 1', user: 'github-actions[bot]' },
      { body: '<!-- flowsync-plan: config-other -->\nanother folder', user: 'github-actions[bot]' },
      { body: '<!-- flowsync-plan: config part 2 of 3 -->\nold 2', user: 'github-actions[bot]' },
      { body: '<!-- flowsync-plan: config part 3 of 3 -->\nold 3', user: 'github-actions[bot]' },
    ],
  });
  const dir = await tempRepo(t);
  const out = path.join(dir, 'out');
  await mkdir(out);
  await writeFile(path.join(out, 'comment-1.md'), '<!-- flowsync-plan: config part 1 of 2 -->\nnew 1');
  await writeFile(path.join(out, 'comment-2.md'), '<!-- flowsync-plan: config part 2 of 2 -->\nnew 2');
  await writeFile(path.join(dir, 'event.json'), JSON.stringify({ pull_request: { number: 7 } }));
  const env = { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: REPO, GITHUB_EVENT_PATH: path.join(dir, 'event.json'), GITHUB_TOKEN: TOKEN };

  const res = await runCli(['comment', '--github', out, '--output', 'json'], { env });
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout), { pr: 7, url: `https://github.example/${REPO}/pull/7#issuecomment-101`, created: 0, updated: 2, deleted: 1, unchanged: 0 });
  assert.deepEqual([...gh.comments.values()].map((c) => [c.id, c.body]), [
    [100, 'LGTM'],
    [101, '<!-- flowsync-plan: config part 1 of 2 -->\nnew 1'],
    [102, '<!-- flowsync-plan: config-other -->\nanother folder'],
    [103, '<!-- flowsync-plan: config part 2 of 2 -->\nnew 2'],
  ]);
  assert.ok(gh.requests.includes(`GET /repos/${REPO}/issues/7/comments?per_page=2&page=3`), 'followed the Link header to the last page');
  assert.ok(gh.requests.includes(`DELETE /repos/${REPO}/issues/comments/104`));
  assert.ok(!res.stdout.includes(TOKEN) && !res.stderr.includes(TOKEN));

  // The same plan again: nothing to write.
  gh.requests.length = 0;
  const again = await runCli(['comment', '--github', '--dir', out], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^comment on acme\/aep-config#7: 2 part\(s\); 0 updated, 0 created, 0 deleted, 2 unchanged: https:\/\/github\.example\/\S+#issuecomment-101\n$/);
  assert.ok(gh.requests.every((r) => r.startsWith('GET ')), gh.requests.join('\n'));
});

test('the real plan output posted on a pull request with no comment yet: one new comment; --pr and --repo override the environment', async (t) => {
  const { env: emuEnv } = await startTestEmulator(t);
  const config = await copyExampleRepo(t);
  const out = path.join(config, 'flowsync-out');
  const plan = await runCli(['plan', config, '--output', 'markdown', '--out-dir', out, '--comment-id', 'example', '--detailed-exitcode'], { env: { ...emuEnv, FLOWSYNC_NOW: '2026-03-01T12:00:00Z' } });
  assert.equal(plan.code, 2, plan.stderr);
  const gh = await startGitHubStandIn(t, { repo: 'acme/other', pr: 12, token: TOKEN, comments: [{ body: 'first!', user: 'bob' }] });
  const res = await runCli(['comment', '--github', out, '--pr', '12', '--repo', 'acme/other', '--api-url', gh.url, '--token-env', 'MY_TOKEN'], { env: { MY_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/wrong', GITHUB_TOKEN: 'wrong' } });
  assert.equal(res.code, 0, res.stderr);
  const posted = [...gh.comments.values()].filter((c) => c.user === 'github-actions[bot]');
  assert.equal(posted.length, 1);
  assert.match(posted[0]!.body, /^<!-- flowsync-plan: example -->\n/);
  assert.match(posted[0]!.body, /to create/);
});

test('comment --github: a refused request is FS_COMMENT_API with a hint and no token; missing settings fail before any request', async (t) => {
  const gh = await startGitHubStandIn(t, { repo: REPO, pr: 7, token: TOKEN });
  const dir = await tempRepo(t);
  await writeFile(path.join(dir, 'comment-1.md'), '<!-- flowsync-plan: config -->\nplan');
  const env = { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: REPO, GITHUB_TOKEN: TOKEN, GITHUB_EVENT_PATH: undefined };

  gh.failWith = 403;
  const refused = await runCli(['comment', '--github', dir, '--pr', '7'], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /FS_COMMENT_API.*GET issues\/7\/comments: HTTP 403 \(Resource not accessible by integration\)/);
  assert.match(refused.stderr, /pull-requests: write/);
  assert.ok(!refused.stderr.includes(TOKEN));
  assert.equal(gh.requests.length, 1);

  const badToken = await runCli(['comment', '--github', dir, '--pr', '7'], { env: { ...env, GITHUB_TOKEN: 'nope' } });
  assert.match(badToken.stderr, /HTTP 401 \(Bad credentials\)/);
  assert.ok(!badToken.stderr.includes('nope'));

  gh.requests.length = 0;
  const noPr = await runCli(['comment', '--github', dir], { env });
  assert.match(noPr.stderr, /FS_COMMENT_SETUP.*no pull request number/);
  const noToken = await runCli(['comment', '--github', dir, '--pr', '7'], { env: { ...env, GITHUB_TOKEN: undefined } });
  assert.match(noToken.stderr, /FS_COMMENT_SETUP.*GITHUB_TOKEN is not set/);
  const noFiles = await runCli(['comment', '--github', path.join(dir, 'nothing-here'), '--pr', '7'], { env });
  assert.match(noFiles.stderr, /FS_COMMENT_SETUP/);
  const noProvider = await runCli(['comment', dir, '--pr', '7'], { env });
  assert.match(noProvider.stderr, /FS_CLI_USAGE.*--github/);
  assert.deepEqual(gh.requests, [], 'nothing was sent');
});
