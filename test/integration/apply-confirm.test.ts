// apply's question at a terminal, run in-process with a stdin that says it is a TTY: only "yes"
// approves; anything else, or the end of input (Ctrl-D), writes nothing and exits 1 with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCommand } from '../../src/cli/apply-command.ts';
import { copyExampleRepo, flowServiceWrites, startTestEmulator } from '../helpers/emulator.ts';
import { runInProcess } from '../helpers/in-process.ts';

test('apply at a terminal asks; "no" and the end of input write nothing, exit 1 and say why; "yes" applies', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const cwd = await copyExampleRepo(t);

  const declined = await runInProcess(applyCommand, [], { cwd, env, terminal: { answer: 'no\n' } });
  assert.equal(declined.code, 1);
  assert.match(declined.stderr, /Apply cancelled; nothing was written/);
  assert.deepEqual(flowServiceWrites(emu), []);
  // The lease was taken before the question (the plan shown is the one made under it) and given back.
  const lease = (emu.admin.snapshot().scopes[`${orgId}/prod`]?.connections ?? []).find((c) => (c as { name?: string }).name === 'flowsync-lease') as { description?: string } | undefined;
  assert.match(String(lease?.description), /"holder":""/);

  const eof = await runInProcess(applyCommand, [], { cwd, env, terminal: { answer: undefined } });
  assert.equal(eof.code, 1);
  assert.match(eof.stderr, /no answer \(end of input\)/);
  assert.match(eof.stderr, /Apply cancelled; nothing was written/);
  assert.deepEqual(flowServiceWrites(emu), []);

  const approved = await runInProcess(applyCommand, [], { cwd, env, terminal: { answer: 'yes\n' } });
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, /Apply complete: 14 applied/);
});
