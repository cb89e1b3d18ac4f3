// apply's question at a terminal, run in-process with a stdin that says it is a TTY: only "yes"
// approves; anything else, or the end of input (Ctrl-D), writes nothing and exits 1 with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { applyCommand } from '../../src/cli/apply-command.ts';
import type { CommandIO } from '../../src/cli/command.ts';
import { copyExampleRepo, flowServiceWrites, startTestEmulator } from '../helpers/emulator.ts';

/** A CommandIO whose stdin is a terminal that types `answer` (undefined: Ctrl-D, the end of input). */
function terminalIO(cwd: string, env: Record<string, string>, answer: string | undefined) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    // answer once the question is on screen
    if (/Enter a value: $/.test(err)) (answer === undefined ? stdin.end() : stdin.write(answer));
  });
  const io: CommandIO = { stdin, stdout, stderr, env: { ...env, NO_COLOR: '1' }, cwd };
  return { io, output: () => ({ out, err }) };
}

test('apply at a terminal asks; "no" and the end of input write nothing, exit 1 and say why; "yes" applies', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);

  const declined = terminalIO(repo, env, 'no\n');
  assert.equal(await applyCommand.run([], declined.io), 1);
  assert.match(declined.output().err, /Apply cancelled; nothing was written/);
  assert.deepEqual(flowServiceWrites(emu), []);
  // The lease was taken before the question (the plan shown is the one made under it) and given back.
  const lease = (emu.admin.snapshot().scopes[`${orgId}/prod`]?.connections ?? []).find((c) => (c as { name?: string }).name === 'flowsync-lease') as { description?: string } | undefined;
  assert.match(String(lease?.description), /"holder":""/);

  const eof = terminalIO(repo, env, undefined);
  assert.equal(await applyCommand.run([], eof.io), 1);
  assert.match(eof.output().err, /no answer \(end of input\)/);
  assert.match(eof.output().err, /Apply cancelled; nothing was written/);
  assert.deepEqual(flowServiceWrites(emu), []);

  const approved = terminalIO(repo, env, 'yes\n');
  assert.equal(await applyCommand.run([], approved.io), 0, approved.output().err);
  assert.match(approved.output().out, /Apply complete: 14 applied/);
});
