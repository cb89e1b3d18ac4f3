// The example CI files are valid YAML, shaped like what GitHub Actions / GitLab CI / pre-commit
// read, and every `flowsync …` command line in them uses a command and flags the real CLI has
// (compared with `flowsync <command> --help`). The GitLab note script is run against a small
// stand-in of GitLab's notes API to prove it updates one note in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, runCli } from '../helpers/cli.ts';
import { tempRepo } from '../helpers/repo.ts';

const FILES = ['examples/github/flowsync-plan.yml', 'examples/github/flowsync-apply.yml', 'examples/gitlab/.gitlab-ci.yml', '.pre-commit-hooks.yaml'];

function parse(file: string): unknown {
  const docs = parseAllDocuments(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
  assert.equal(docs.length, 1, `${file}: one YAML document`);
  assert.deepEqual(docs[0]!.errors.map((e) => e.message), [], `${file}: YAML errors`);
  return docs[0]!.toJS();
}

/** Shell text the CI system runs: `run:` (GitHub), script lists (GitLab), `entry:` (pre-commit). */
function shellTexts(node: unknown, key = ''): string[] {
  if (typeof node === 'string') return ['run', 'entry', 'script', 'before_script', 'after_script'].includes(key) ? [node] : [];
  if (Array.isArray(node)) return node.flatMap((v) => shellTexts(v, key));
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => shellTexts(v, k));
  return [];
}

interface Invocation { file: string; command: string; flags: string[]; line: string }

function invocations(file: string): Invocation[] {
  const out: Invocation[] = [];
  for (const text of shellTexts(parse(file))) {
    for (const m of text.replace(/\\\n\s*/g, ' ').matchAll(/(?:^|[\s;&|(])flowsync ([a-z][a-z-]*)([^\n;|&>]*)/g)) {
      const flags = [...m[2]!.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((f) => f[1]!);
      out.push({ file, command: m[1]!, flags, line: m[0].trim() });
    }
  }
  return out;
}

test('the example workflows, the GitLab pipeline and the pre-commit hooks are valid YAML of the expected shape', () => {
  for (const file of FILES.slice(0, 2)) {
    const wf = parse(file) as { on?: unknown; jobs?: Record<string, { 'runs-on'?: string; steps?: unknown[] }> };
    assert.ok(wf.on, `${file}: on`);
    for (const [name, job] of Object.entries(wf.jobs ?? {})) assert.ok(job['runs-on'] && Array.isArray(job.steps), `${file}: job ${name}`);
  }
  const gl = parse(FILES[2]!) as Record<string, unknown>;
  const stages = gl.stages as string[];
  for (const [name, value] of Object.entries(gl)) {
    if (['stages', 'default', 'variables'].includes(name) || name.startsWith('.')) continue;
    const job = value as { stage?: string; script?: unknown };
    assert.ok(stages.includes(job.stage!), `${name}: stage ${job.stage}`);
    assert.ok(Array.isArray(job.script), `${name}: script`);
  }
  const hooks = parse(FILES[3]!) as { id: string; entry: string; language: string }[];
  assert.deepEqual(hooks.map((h) => h.id), ['flowsync-validate']);
});

test('every flowsync command line in the examples uses commands and flags that exist (flowsync <command> --help)', async () => {
  const all = FILES.flatMap(invocations);
  const commands = [...new Set(all.map((i) => i.command))].sort();
  assert.deepEqual(commands, ['apply', 'plan', 'validate']);
  assert.ok(all.some((i) => i.command === 'plan' && i.flags.includes('--base') && i.flags.includes('--out-dir')), 'a plan --base --out-dir line');
  for (const command of commands) {
    const help = await runCli([command, '--help']);
    assert.equal(help.code, 0, `flowsync ${command} --help`);
    const known = new Set(help.stdout.match(/--[a-z][a-z-]*/g));
    for (const i of all.filter((x) => x.command === command)) {
      for (const flag of i.flags) assert.ok(known.has(flag), `${i.file}: \`${i.line}\` uses ${flag}, which flowsync ${command} does not have`);
    }
  }
});

test('the GitLab note script edits our note in place, adds the extra part, deletes leftovers and leaves other notes alone', async (t) => {
  const notes = new Map<number, { id: number; body: string; system: boolean }>([
    [1, { id: 1, body: 'LGTM', system: false }],
    [2, { id: 2, body: '<!-- flowsync-plan: config part 1 of 3 -->\nold 1', system: false }],
    [3, { id: 3, body: '<!-- flowsync-plan: config-other -->\nanother folder', system: false }],
    [4, { id: 4, body: '<!-- flowsync-plan: config part 2 of 3 -->\nold 2', system: false }],
    [5, { id: 5, body: '<!-- flowsync-plan: config part 3 of 3 -->\nold 3', system: false }],
  ]);
  let next = 6;
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      assert.equal(req.headers['private-token'], 'tok');
      const url = new URL(req.url!, 'http://x');
      const m = url.pathname.match(/^\/api\/v4\/projects\/42\/merge_requests\/7\/notes(?:\/(\d+))?$/);
      if (!m) return res.writeHead(404).end('{}');
      const id = m[1] ? Number(m[1]) : undefined;
      const send = (status: number, value?: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(value === undefined ? '' : JSON.stringify(value));
      if (req.method === 'GET') return send(200, url.searchParams.get('page') === '1' ? [...notes.values()] : []);
      if (req.method === 'POST') {
        const note = { id: next++, body: JSON.parse(body).body, system: false };
        notes.set(note.id, note);
        return send(201, note);
      }
      if (req.method === 'PUT' && id && notes.has(id)) {
        notes.get(id)!.body = JSON.parse(body).body;
        return send(200, notes.get(id));
      }
      if (req.method === 'DELETE' && id && notes.delete(id)) return send(204);
      return send(404, {});
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const dir = await tempRepo(t);
  await mkdir(path.join(dir, 'out'));
  await writeFile(path.join(dir, 'out', 'comment-1.md'), '<!-- flowsync-plan: config part 1 of 2 -->\nnew 1');
  await writeFile(path.join(dir, 'out', 'comment-2.md'), '<!-- flowsync-plan: config part 2 of 2 -->\nnew 2');
  const env = { ...process.env, CI_API_V4_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`, CI_PROJECT_ID: '42', CI_MERGE_REQUEST_IID: '7', FLOWSYNC_NOTE_TOKEN: 'tok' };
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'examples/gitlab/flowsync-note.mjs'), path.join(dir, 'out')], { env, stdio: 'inherit' });
    child.on('close', (c) => resolve(c ?? -1));
  });
  assert.equal(code, 0);
  assert.deepEqual([...notes.values()].map((n) => [n.id, n.body]), [
    [1, 'LGTM'],
    [2, '<!-- flowsync-plan: config part 1 of 2 -->\nnew 1'],
    [3, '<!-- flowsync-plan: config-other -->\nanother folder'],
    [4, '<!-- flowsync-plan: config part 2 of 2 -->\nnew 2'],
  ]);
  assert.ok(seen.includes('DELETE /api/v4/projects/42/merge_requests/7/notes/5'));
});
