// The ownership tag is the only state flowsync keeps in the org: its text must parse back exactly,
// old tags (no m=) must still be read, and nothing else that looks like a tag may be taken for one.
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { describeWithTag, flowHash, formatOwnerTag, isOurs, ownerOf, parseOwnerTag, sameTag, targetHash, type OwnerTag } from '../../src/domain/owner-tag.ts';
import { specHash } from '../../src/domain/fingerprint.ts';
import type { DesiredDestination } from '../../src/domain/model.ts';

test('a tag with a manager round-trips through the description', () => {
  const tag: OwnerTag = { kind: 'destination', name: 'summer-campaign', manager: 'github.com/acme/aep/prod', specHash: '3f2a9c01d4e5' };
  const text = describeWithTag('Summer campaign', tag);
  assert.equal(text, 'Summer campaign [flowsync:destination/summer-campaign m=github.com/acme/aep/prod h=3f2a9c01d4e5]');
  assert.deepEqual(parseOwnerTag(text), { userDescription: 'Summer campaign', tag });
});

test('a tag written before managers parses as legacy; ours, unlike another manager\'s', () => {
  const legacy = parseOwnerTag('x [flowsync:account/kinesis h=abc c=def]').tag!;
  assert.deepEqual(legacy, { kind: 'account', name: 'kinesis', specHash: 'abc', credentialFingerprint: 'def' });
  assert.equal(ownerOf(legacy, 'me'), 'legacy');
  assert.equal(ownerOf({ ...legacy, manager: 'me' }, 'me'), 'mine');
  assert.equal(ownerOf({ ...legacy, manager: 'them' }, 'me'), 'foreign');
  assert.ok(isOurs(legacy, 'me') && isOurs({ ...legacy, manager: 'me' }, 'me'));
  assert.ok(!isOurs({ ...legacy, manager: 'them' }, 'me') && !isOurs(undefined, 'me'));
  assert.ok(!sameTag(legacy, { ...legacy, manager: 'me' }), 'adding m= is a tag change');
});

test('the lease marker and malformed tags are not ownership tags', () => {
  for (const text of ['{"holder":""} [flowsync:lease]', '[flowsync:destination/x m=bad manager h=abc]', '[flowsync:destination/x h=abc m=late]', '[flowsync:bogus/x]']) {
    assert.equal(parseOwnerTag(text).tag, undefined, text);
  }
});

test('any manager of the config charset round-trips, in every position of the optional fields', () => {
  const manager = fc.stringMatching(/^[A-Za-z0-9._/-]{1,128}$/);
  const hex = fc.stringMatching(/^[0-9a-f]{1,16}$/);
  fc.assert(
    fc.property(fc.record({ manager: fc.option(manager, { nil: undefined }), specHash: fc.option(hex, { nil: undefined }), credentialFingerprint: fc.option(hex, { nil: undefined }) }), (fields) => {
      const tag: OwnerTag = { kind: 'account', name: 'a-1', ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
      assert.deepEqual(parseOwnerTag(`user text ${formatOwnerTag(tag)}`).tag, tag);
    }),
  );
});

test('the spec hashes are those every tag in an org was written with (keys in any order hash alike)', () => {
  // The definitions as first written: a live tag's h= must keep matching an unchanged manifest.
  const targetBefore = (d: DesiredDestination) => specHash({ kind: 'target', account: d.account, type: d.type, name: d.name, description: d.description, target: d.target, format: d.format });
  const flowBefore = (d: DesiredDestination) =>
    specHash({ kind: 'flow', name: d.name, description: d.description, enabled: d.enabled, segments: d.segments.map((s) => s.id), profileAttributes: d.profileAttributes });
  const destination = fc.record({
    name: fc.string(), sandbox: fc.string(), account: fc.string(), type: fc.constantFrom('amazon-kinesis' as const, 'azure-event-hubs' as const),
    description: fc.string(), target: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.boolean())), format: fc.constant('json' as const),
    enabled: fc.boolean(), drift: fc.constant('heal' as const), segments: fc.array(fc.record({ id: fc.uuid() })), profileAttributes: fc.array(fc.string()),
    source: fc.constant({ file: 'a.yaml', line: 1, column: 1 }),
  });
  fc.assert(fc.property(destination, (d) => {
    assert.equal(targetHash(d), targetBefore(d));
    assert.equal(flowHash(d), flowBefore(d));
  }), { numRuns: 500 });
});
