// The container image: scripts/image-smoke.sh builds it and runs the daemon in it against the
// emulator (read-only root, host loopback network) when a Docker daemon answers; the Dockerfile's
// promises that need no Docker (non-root, the pod defaults, what the build context holds) are
// checked always.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { CACHE_DIR_ENV, LISTEN_ENV } from '../../src/daemon/run-options.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const run = promisify(execFile);

/** Dockerfile instructions of the stage named `name` (or the last one), continuation lines joined. */
function stage(dockerfile: string, name?: string): string[] {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const starts = lines.flatMap((l, i) => (/^FROM /i.test(l) ? [i] : []));
  const at = name === undefined ? starts.length - 1 : starts.findIndex((i) => new RegExp(` AS ${name}$`, 'i').test(lines[i]!));
  assert.ok(at >= 0, `stage ${name}`);
  return lines.slice(starts[at], starts[at + 1]);
}

async function dockerAnswers(): Promise<string | undefined> {
  try {
    return (await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 })).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

test('the Dockerfile: official Node base as an ARG, non-root, pod defaults, git, only the bundle in the runtime (always run)', async () => {
  const dockerfile = await readFile(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^ARG BASE=node:\d+-(alpine|bookworm-slim)$/m);
  const runtime = stage(dockerfile, 'runtime');
  assert.equal(runtime[0], 'FROM ${BASE} AS runtime');
  const user = runtime.find((l) => l.startsWith('USER '))!;
  assert.match(user, /^USER [1-9]\d*:[1-9]\d*$/, 'a numeric non-root user, so Kubernetes runAsNonRoot can check it');
  assert.ok(runtime.includes('ENTRYPOINT ["flowsync"]'));
  assert.ok(runtime.includes('EXPOSE 9465'));
  const env = runtime.find((l) => l.startsWith('ENV '))!;
  assert.match(env, new RegExp(`${LISTEN_ENV}=0\\.0\\.0\\.0:9465`));
  assert.match(env, new RegExp(`${CACHE_DIR_ENV}=/var/cache/flowsync`));
  assert.match(env, /HOME=\/tmp/, 'git reads its configuration from a HOME it can read on a read-only root');
  assert.ok(runtime.includes('VOLUME /var/cache/flowsync'));
  assert.match(runtime.join('\n'), /command -v git/, 'git is in the runtime image');
  // The runtime stages copy the bundle and nothing else from a build.
  for (const final of [stage(dockerfile, 'prebuilt'), stage(dockerfile)]) {
    assert.deepEqual(final.filter((l) => l.startsWith('COPY')).map((l) => l.replace(/--from=\w+ /, '').split(' ').at(-1)), ['/opt/flowsync/dist/']);
  }
  assert.match(stage(dockerfile, 'build').join('\n'), /RUN npm ci[\s\S]*RUN .*npm run build/);
  const ignore = (await readFile(path.join(REPO_ROOT, '.dockerignore'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
  assert.equal(ignore[0], '*', 'the context is a list of what is let in');
  assert.ok(!ignore.some((l) => /node_modules|\.git|test|bench|\.secrets/.test(l)), 'never let in');
});

test('scripts/image-smoke.sh: the image runs the daemon against the emulator and converges (skipped without a Docker daemon)', { timeout: 900_000 }, async (t) => {
  const server = await dockerAnswers();
  if (!server) {
    t.skip('no Docker daemon answers `docker info`: start one (e.g. `dockerd --bridge=none --iptables=false`) to run the image smoke test');
    return;
  }
  t.diagnostic(`Docker ${server}`);
  const child = spawn(path.join(REPO_ROOT, 'scripts/image-smoke.sh'), [], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  for (const line of out.trimEnd().split('\n')) t.diagnostic(line);
  assert.equal(code, 0, out.slice(-4000));
  assert.match(out, /\/status \.lastCycle\.changes = 0/);
  assert.match(out, /flowsync plan --detailed-exitcode on the host: 0/);
  assert.match(out, /image-smoke: PASS$/m);
});
