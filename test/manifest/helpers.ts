// In-process runs of `flowsync validate` (fast; the CLI test runs the real binary) and temp repos.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { TestContext } from 'node:test';
import { validateCommand } from '../../src/cli/validate-command.ts';

export async function runValidate(argv: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await validateCommand.run(argv, { stdout, stderr, stdin: new PassThrough(), env: opts.env ?? {}, cwd: opts.cwd });
  stdout.end();
  return { code, stdout: out };
}

/** A temp folder with the given files (relative path -> text or bytes), removed after the test. */
export async function tempRepo(t: TestContext, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-manifest-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
  return dir;
}

export const ACCOUNT_KINESIS = `apiVersion: flowsync/v1
kind: DestinationAccount
metadata:
  name: kinesis-prod
spec:
  type: amazon-kinesis
  auth:
    accessKeyId: AKIAEXAMPLEEXAMPLE00
    secretKey: { fromEnv: KINESIS_SECRET_KEY }
    region: us-east-1
`;

export const DESTINATION_KINESIS = `apiVersion: flowsync/v1
kind: StreamingDestination
metadata:
  name: summer
spec:
  account: kinesis-prod
  target: { stream: summer, region: us-east-1 }
  segments:
    - id: 72ddd79b-6b0a-4e97-a8d2-112ccd81bd02
  profileAttributes: [person.name.lastName]
`;
