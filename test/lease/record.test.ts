// The lease record codec: what a description holds, garbage read as a free lease, the deletion
// ledger's buckets, and (fast-check) the round trip and the size bound for any record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addDeletions,
  bound,
  decodeLease,
  deletionsSince,
  encodeLease,
  freeRecord,
  HOUR_MS,
  isLeaseEntity,
  LEASE_DESCRIPTION_PREFIX,
  MAX_BUCKETS,
  MAX_DESCRIPTION,
  MAX_MANAGERS,
  mergeLedgers,
  withManager,
  type LeaseRecord,
} from '../../src/lease/record.ts';
import { describeHolder } from '../../src/lease/index.ts';
import { PROFILE_STORE_SPEC_ID } from '../../src/domain/specs.ts';

const T0 = Date.UTC(2025, 5, 1, 10, 0, 0);

const held: LeaseRecord = {
  holder: 'ci-runner-7:4242:0a1b2c3d',
  host: 'ci-runner-7',
  pid: 4242,
  command: 'flowsync apply',
  manager: 'github.com/acme/aep',
  acquiredAt: T0,
  renewedAt: T0 + 20_000,
  durationMs: 60_000,
  transitions: 3,
  managers: ['github.com/acme/other', 'github.com/acme/aep'],
  deletions: [[T0 - HOUR_MS, 2], [T0, 5]],
};

test('a record is written after the marker as compact JSON and reads back unchanged', () => {
  const description = encodeLease(held);
  assert.ok(description.startsWith('flowsync writer lease; do not edit [flowsync:lease] {"holder":"ci-runner-7:4242:0a1b2c3d"'));
  assert.ok(!description.includes('\n'));
  assert.deepEqual(decodeLease(description), held);
});

test('garbage in the description reads as a free lease', () => {
  for (const garbage of [undefined, '', 'hello', '[flowsync:lease]', '[flowsync:lease] {not json', '[flowsync:lease] [1,2]', '[flowsync:lease] null', '[flowsync:lease] "x"']) {
    assert.deepEqual(decodeLease(garbage), freeRecord(), String(garbage));
  }
  // Field by field: wrong types fall back, the rest is kept.
  const partial = decodeLease(`${LEASE_DESCRIPTION_PREFIX}{"holder":7,"pid":"x","managers":["m1",3,"m1"],"deletions":[[${T0},2],"x",[${T0},-1],[${T0 + 5},1]]}`);
  assert.equal(partial.holder, '');
  assert.equal(partial.pid, 0);
  assert.deepEqual(partial.managers, ['m1']);
  assert.deepEqual(partial.deletions, [[T0, 3]]);
});

test('the ledger adds to the hour bucket, prunes only buckets a day old, and counts partly covered hours whole', () => {
  let ledger = addDeletions([], 2, T0 + 10 * 60_000);
  ledger = addDeletions(ledger, 3, T0 + 50 * 60_000);
  assert.deepEqual(ledger, [[T0, 5]]);
  ledger = addDeletions(ledger, 1, T0 + 23 * HOUR_MS + 59 * 60_000);
  assert.deepEqual(ledger, [[T0, 5], [T0 + 23 * HOUR_MS, 1]]);
  ledger = addDeletions(ledger, 1, T0 + 25 * HOUR_MS + 1);
  assert.deepEqual(ledger, [[T0 + 23 * HOUR_MS, 1], [T0 + 25 * HOUR_MS, 1]]);
  assert.equal(deletionsSince(ledger, T0 + 23 * HOUR_MS + 30 * 60_000), 2);
  assert.equal(deletionsSince(ledger, T0 + 24 * HOUR_MS), 1);
});

test('managers move to the end when they hold the lease again; merged ledgers keep the larger count per hour', () => {
  assert.deepEqual(withManager(['a', 'b', 'c'], 'a'), ['b', 'c', 'a']);
  const merged = mergeLedgers(held, { ...freeRecord(), managers: ['z'], deletions: [[T0, 4], [T0 + HOUR_MS, 1]], transitions: 9 });
  assert.deepEqual(merged, { managers: ['github.com/acme/other', 'github.com/acme/aep', 'z'], deletions: [[T0 - HOUR_MS, 2], [T0, 5], [T0 + HOUR_MS, 1]], transitions: 9 });
});

test('at most 20 managers and 25 buckets: the least recent managers go, the oldest buckets merge forward', () => {
  const many: LeaseRecord = {
    ...held,
    managers: Array.from({ length: 30 }, (_, i) => `m${i}`),
    manager: 'm0',
    deletions: Array.from({ length: 30 }, (_, i): [number, number] => [T0 + i * HOUR_MS, 1]),
  };
  const cut = bound(many);
  assert.equal(cut.managers.length, MAX_MANAGERS);
  assert.ok(cut.managers.includes('m0'), 'the holder\'s manager stays');
  assert.equal(cut.deletions.length, MAX_BUCKETS);
  assert.equal(cut.deletions.reduce((s, [, c]) => s + c, 0), 30, 'no deletion is forgotten');
  assert.ok(encodeLease(many).length < MAX_DESCRIPTION);
});

test('the lease entity is a Profile Store connection named flowsync-lease', () => {
  assert.equal(isLeaseEntity({ name: 'flowsync-lease', description: 'whatever' }), true);
  assert.equal(isLeaseEntity({ name: 'flowsync-lease', specId: PROFILE_STORE_SPEC_ID }), true);
  assert.equal(isLeaseEntity({ name: 'flowsync-lease', specId: '86043421-563b-46ec-8e6c-e23184711bf6' }), false);
  assert.equal(isLeaseEntity({ name: 'profile-store' }), false);
});

test('the holder is named with host, pid, command, manager, since and expiry', () => {
  const text = describeHolder(held, T0 + 30_000);
  assert.equal(text, 'ci-runner-7 pid 4242 (flowsync apply, manager github.com/acme/aep) since 2025-06-01T10:00:00Z (30 s ago), expires 2025-06-01T10:01:20Z (in 50 s)');
  assert.match(describeHolder({ ...held, pod: 'flowsync-0' }, T0 + 200_000), /ci-runner-7 pod flowsync-0 pid 4242 .* expired 2025-06-01T10:01:20Z \(2 min ago\)$/);
});

const textArb = fc.string({ unit: 'binary', maxLength: 300 });
const intArb = fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER));
const recordArb: fc.Arbitrary<LeaseRecord> = fc.record({
  holder: textArb,
  host: textArb,
  pid: intArb,
  pod: fc.option(textArb, { nil: undefined }),
  command: textArb,
  manager: textArb,
  acquiredAt: intArb,
  renewedAt: intArb,
  durationMs: intArb,
  transitions: intArb,
  managers: fc.array(textArb, { maxLength: 40 }),
  deletions: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 60 }),
}, { requiredKeys: ['holder', 'host', 'pid', 'command', 'manager', 'acquiredAt', 'renewedAt', 'durationMs', 'transitions', 'managers', 'deletions'] });

test('property: any record encodes under 1,000 characters and decodes to its bounded self', () => {
  fc.assert(
    fc.property(recordArb, (record) => {
      const description = encodeLease(record);
      assert.ok(description.length < MAX_DESCRIPTION, `${description.length} characters`);
      const decoded = decodeLease(description);
      assert.deepEqual(decoded, bound(record));
      assert.equal(encodeLease(decoded), description, 'a second round changes nothing');
      assert.ok(decoded.managers.length <= MAX_MANAGERS && decoded.deletions.length <= MAX_BUCKETS);
    }),
    { numRuns: 300 },
  );
});

test('property: anything typed into the description decodes without throwing', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.boolean(), (junk, marked) => {
      const record = decodeLease(marked ? `[flowsync:lease] ${junk}` : junk);
      assert.ok(encodeLease(record).length < MAX_DESCRIPTION);
    }),
  );
});
