// Audiences for tests: the emulator refuses to activate an id that is no audience of the flow's
// sandbox, as AEP does, so a test makes the audiences it activates exist first, in the sandboxes
// it uses, under names of their own ("Audience <id>").
import { EXAMPLE_AUDIENCES, type AudienceSeed } from '../../src/emulator/index.ts';
import { segmentId } from './repo.ts';

/** Seeds for ids in sandboxes (default prod and dev) of an org (default the demo org). */
export function audienceSeeds(ids: Iterable<string>, opts: { sandboxes?: readonly string[]; orgId?: string } = {}): AudienceSeed[] {
  const sandboxes = opts.sandboxes ?? ['prod', 'dev'];
  return [...new Set(ids)].flatMap((id) => sandboxes.map((sandbox) => ({ sandbox, id, name: `Audience ${id}`, ...(opts.orgId ? { orgId: opts.orgId } : {}) })));
}

/**
 * Test segment n (segmentId(n)) is an audience of prod and dev in the demo org of every emulator the
 * test helpers start, for n below this; a test activating other ids starts its emulator with
 * audienceSeeds(ids) too, or adds them with admin.addAudience.
 */
export const TEST_SEGMENTS = 200;

/** What the test helpers' emulators start with: the example repo's audiences and the test segments. */
export const TEST_AUDIENCES: readonly AudienceSeed[] = [...EXAMPLE_AUDIENCES, ...audienceSeeds(Array.from({ length: TEST_SEGMENTS }, (_, n) => segmentId(n)))];

/** TEST_AUDIENCES in the sandboxes an emulator has: prod and `sandboxes` (its `sandboxes` option; default dev). */
export function testAudiences(sandboxes: readonly string[] = ['dev']): AudienceSeed[] {
  return TEST_AUDIENCES.filter((s) => s.sandbox === 'prod' || sandboxes.includes(s.sandbox));
}
