// The ownership tag is the only state flowsync keeps in the org: its text must parse back exactly,
// old tags (no m=) must still be read, and nothing else that looks like a tag may be taken for one.
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { describeWithTag, formatOwnerTag, isOurs, ownerOf, parseOwnerTag, sameTag, type OwnerTag } from '../../src/domain/owner-tag.ts';

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
