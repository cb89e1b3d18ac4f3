// Every shell block marked runnable (```sh runnable) in README.md and docs/ runs with bash against
// the emulator: a fresh emulator and a fresh copy of the example config repo per Markdown file (its
// blocks run in order, so a recipe's steps can build on each other; files run side by side), and
// `flowsync` on PATH running the bundled CLI, as the npm package does (a start costs a fraction of
// one through tsx). A failing block is reported by file and line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildBundle } from '../../cmd/build.ts';
import { DEMO_SECRET_ENV } from '../../src/cli/demo-env.ts';
import { startEmulator } from '../../src/emulator/index.ts';
import { docFiles, runnableBlocks, type CodeBlock } from './markdown.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BLOCK_TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  output: string;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -euo pipefail\n${script}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), BLOCK_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * bin/flowsync in a temp folder, running npm test's bundle (FLOWSYNC_TEST_BIN, see test/helpers/cli.ts)
 * or, for a file run by hand, one built here in the package's layout (schemas/ two levels above it).
 */
async function installCli(dir: string): Promise<string> {
  let file = process.env.FLOWSYNC_TEST_BIN ? path.resolve(process.env.FLOWSYNC_TEST_BIN) : undefined;
  if (!file) {
    file = (await buildBundle({ ...process.env, FLOWSYNC_BUILD_REVISION: 'doc-test' }, path.join(dir, 'dist'))).file;
    cpSync(path.join(ROOT, 'schemas'), path.join(dir, 'schemas'), { recursive: true });
  }
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'flowsync'), `#!/bin/sh\nexec "${process.execPath}" "${file}" "$@"\n`);
  chmodSync(path.join(bin, 'flowsync'), 0o755);
  return bin;
}

/** repo/: a git repository holding a copy of manifests/ (schemas/ beside it, where its $schema comments point). */
function workspace(): { dir: string; repo: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowsync-doctest-'));
  const repo = path.join(dir, 'repo');
  cpSync(path.join(ROOT, 'manifests'), repo, { recursive: true });
  cpSync(path.join(ROOT, 'schemas'), path.join(dir, 'schemas'), { recursive: true });
  return { dir, repo };
}

const blocksByFile = new Map<string, CodeBlock[]>();
for (const doc of docFiles(ROOT)) {
  const blocks = runnableBlocks(doc);
  if (blocks.length > 0) blocksByFile.set(doc.file, blocks);
}

test('the docs have runnable blocks', () => {
  assert.ok(blocksByFile.size > 0, 'no ```sh runnable block in README.md or docs/');
});

test('runnable blocks run against the emulator', { concurrency: 4 }, async (t) => {
  const cliDir = mkdtempSync(path.join(tmpdir(), 'flowsync-doctest-cli-'));
  t.after(() => rmSync(cliDir, { recursive: true, force: true }));
  const bin = await installCli(cliDir);
  await Promise.all([...blocksByFile].map(([file, blocks]) => t.test(file, async (t) => {
    const emu = await startEmulator({ port: 0, host: '127.0.0.1', transitionMs: 0 }); // flows settle at once: the docs show commands, not waiting
    const ws = workspace();
    t.after(async () => {
      await emu.close();
      rmSync(ws.dir, { recursive: true, force: true });
    });
    const env: NodeJS.ProcessEnv = {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: ws.dir,
      NO_COLOR: '1',
      ...DEMO_SECRET_ENV,
      FLOWSYNC_ENDPOINT: emu.url,
      FLOWSYNC_IMS_ENDPOINT: emu.imsUrl,
      FLOWSYNC_EMULATOR: emu.url, // the emulator's admin routes, for blocks that play the person in the AEP UI
      // what a user following the docs has exported: the example repo's client and org
      FLOWSYNC_CLIENT_ID: 'flowsync-example',
      FLOWSYNC_ORG_ID: '0123456789ABCDEF01234567@AdobeOrg',
      GIT_AUTHOR_NAME: 'Doc Test',
      GIT_AUTHOR_EMAIL: 'doc-test@example.com',
      GIT_COMMITTER_NAME: 'Doc Test',
      GIT_COMMITTER_EMAIL: 'doc-test@example.com',
    };
    const git = await bash('git init -q -b main && git add -A && git commit -qm "example config repo"', ws.repo, env);
    assert.equal(git.code, 0, git.output);
    for (const block of blocks) {
      const run = await bash(block.body, ws.repo, env);
      assert.equal(run.code, 0, `${block.file}:${block.line}: the block exited ${run.code}\n--- block ---\n${block.body}\n--- output ---\n${run.output}`);
    }
  })));
});
