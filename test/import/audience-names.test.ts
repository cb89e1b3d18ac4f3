// Import writes a segment by audience name where the name is unique in the sandbox, by id (with the
// name, which then agrees) where it is not, and by id alone where the id is no audience.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withAudienceNames } from '../../src/import/audience-names.ts';
import type { ImportSelection } from '../../src/import/select.ts';
import type { AudienceList } from '../../src/plan/audiences.ts';

const [MEN, TWIN1, TWIN2, GONE] = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004'];

test('unique names by name, shared names by id and name, unknown ids by id alone', () => {
  const sel = {
    accounts: [], envVars: [], skipped: [],
    destinations: [{ sandbox: 'prod', name: 'summer', segments: [{ id: MEN, name: 'old label' }, { id: TWIN1 }, { id: GONE, name: 'Gone' }] }],
  } as unknown as ImportSelection;
  const lists = new Map<string, AudienceList>([['prod', { audiences: [{ id: MEN, name: 'Men over 50' }, { id: TWIN1, name: 'Twins' }, { id: TWIN2, name: 'Twins' }] }]]);
  const [d] = withAudienceNames(sel, lists).destinations;
  assert.deepEqual(d!.writeSegments, [{ name: 'Men over 50' }, { id: TWIN1, name: 'Twins' }, { id: GONE }]);
  assert.deepEqual(d!.segments, [{ id: MEN, name: 'Men over 50' }, { id: TWIN1, name: 'Twins' }, { id: GONE, name: 'Gone' }]);
});

test('without the sandbox\'s audience list every segment is written by id, as before', () => {
  const sel = { accounts: [], envVars: [], skipped: [], destinations: [{ sandbox: 'qa', name: 'x', segments: [{ id: MEN }] }] } as unknown as ImportSelection;
  assert.deepEqual(withAudienceNames(sel, new Map([['qa', { unavailable: 'no permission' }]])).destinations[0]!.writeSegments, [{ id: MEN }]);
});
