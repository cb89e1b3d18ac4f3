// A holder on this machine whose process is gone frees its lease at once; anything less certain
// (another host, another PID namespace, a pid that exists, no namespace recorded) waits for expiry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holderGoneHere, pidNamespace } from '../../src/lease/local-holder.ts';
import { freeRecord, type LeaseRecord } from '../../src/lease/record.ts';

const held = (over: Partial<LeaseRecord>): LeaseRecord => ({ ...freeRecord(), holder: 'h:4242:abcd', host: 'h', pid: 4242, ns: '4026531836', ...over });
const here = { host: 'h', ns: '4026531836' };
const gone = () => false;
const alive = () => true;

test('a holder on this host and PID namespace whose process is gone has freed its lease', () => {
  assert.equal(holderGoneHere(held({}), here, gone), true);
});

test('anything less certain counts as alive', () => {
  assert.equal(holderGoneHere(held({}), here, alive), false, 'the pid exists (or was reused)');
  assert.equal(holderGoneHere(held({ host: 'other' }), here, gone), false, 'another host');
  assert.equal(holderGoneHere(held({ ns: '4026532000' }), here, gone), false, 'another PID namespace (a container with host networking)');
  assert.equal(holderGoneHere(held({ ns: undefined }), here, gone), false, 'a record without a namespace');
  assert.equal(holderGoneHere(held({}), { host: 'h', ns: undefined }, gone), false, 'this process knows no namespace');
  assert.equal(holderGoneHere(held({ holder: '' }), here, gone), false, 'a free lease');
  assert.equal(holderGoneHere(held({ pid: process.pid }), here, gone), false, 'our own pid');
});

test('the real check: a pid that exists is alive, an unused one is gone (Linux)', { skip: pidNamespace() === undefined }, () => {
  const ns = pidNamespace()!;
  assert.equal(holderGoneHere(held({ host: 'h', ns, pid: process.ppid }), { host: 'h', ns }), false);
  assert.equal(holderGoneHere(held({ host: 'h', ns, pid: 4_194_000 }), { host: 'h', ns }), true);
});
