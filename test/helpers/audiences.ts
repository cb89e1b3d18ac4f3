// Audiences for tests: the emulator refuses to activate an id that is no audience of the flow's
// sandbox, as AEP does, so a test makes the audiences it activates exist first, in the sandboxes
// it uses, under names of their own ("Audience <id>").
import { EXAMPLE_AUDIENCES, type AudienceSeed, type StartedEmulator } from '../../src/emulator/index.ts';
import { segmentId, type DestinationSpec } from './repo.ts';

/** Seeds for ids in sandboxes (default prod and dev) of an org (default the demo org). */
export function audienceSeeds(ids: Iterable<string>, opts: { sandboxes?: readonly string[]; orgId?: string } = {}): AudienceSeed[] {
  const sandboxes = opts.sandboxes ?? ['prod', 'dev'];
  return [...new Set(ids)].flatMap((id) => sandboxes.map((sandbox) => ({ sandbox, id, name: `Audience ${id}`, ...(opts.orgId ? { orgId: opts.orgId } : {}) })));
}

/** Makes each id an audience of the sandboxes (default prod and dev) of an org (default the demo org). */
export function seedAudiences(emu: Pick<StartedEmulator, 'admin'>, ids: Iterable<string>, opts: { sandboxes?: readonly string[]; orgId?: string } = {}): void {
  for (const seed of audienceSeeds(ids, opts)) emu.admin.addAudience(seed);
}

/** Makes every segment a test repo's destinations list an audience of the destination's sandbox. */
export function seedRepoAudiences(emu: Pick<StartedEmulator, 'admin'>, destinations: readonly DestinationSpec[], orgId?: string): void {
  for (const d of destinations) seedAudiences(emu, d.segments ?? [], { sandboxes: [d.sandbox ?? 'prod'], ...(orgId ? { orgId } : {}) });
}

/**
 * Test segment n (segmentId(n)) is an audience of prod and dev in the demo org of every emulator the
 * test helpers start, for n below this; a test activating others seeds them (seedRepoAudiences).
 */
export const TEST_SEGMENTS = 200;

/** What the test helpers' emulators start with: the example repo's audiences and the test segments. */
export const TEST_AUDIENCES: readonly AudienceSeed[] = [...EXAMPLE_AUDIENCES, ...audienceSeeds(Array.from({ length: TEST_SEGMENTS }, (_, n) => segmentId(n)))];
