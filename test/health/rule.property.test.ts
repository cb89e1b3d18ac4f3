// The activation health rule, property-based: what each health implies about the runs, and what
// never changes the verdict (run order, runs outside the window, runs still processing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { statusExitCode } from '../../src/health/destinations.ts';
import { assessHealth, DEFAULT_HEALTH, thresholdsOf, type HealthThresholds, type RunSummary } from '../../src/health/rule.ts';

const NOW = Date.UTC(2026, 2, 1, 12);
const HOUR = 3_600_000;

const run = (i: number): fc.Arbitrary<RunSummary> =>
  fc.record({
    ageMs: fc.integer({ min: 0, max: 30 * HOUR }),
    status: fc.constantFrom<RunSummary['status']>('success', 'success', 'failed', 'processing'),
    input: fc.integer({ min: 0, max: 1000 }),
    failedShare: fc.double({ min: 0, max: 1, noNaN: true }),
  }).map(({ ageMs, status, input, failedShare }) => {
    const failed = status === 'failed' ? input : Math.floor(input * failedShare * (failedShare < 0.5 ? 0 : 1));
    return { id: `run-${i}`, flowId: 'f', createdAt: NOW - ageMs, status, input, activated: input - failed, failed };
  });

const runs = fc.integer({ min: 0, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => run(i))));
const thresholds: fc.Arbitrary<HealthThresholds> = fc.record({
  failedRuns: fc.integer({ min: 1, max: 5 }),
  maxFailedRecordsPercent: fc.constantFrom(0, 5, 50),
  lateAfterMs: fc.constantFrom(HOUR, 2 * HOUR, 10 * HOUR),
  windowMs: fc.constantFrom(6 * HOUR, 24 * HOUR),
});

const finished = (rs: readonly RunSummary[], th: HealthThresholds) =>
  rs.filter((r) => r.status !== 'processing' && r.createdAt > NOW - th.windowMs).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));

test('each health means what the README says about the runs in the window', () => {
  fc.assert(fc.property(runs, thresholds, (rs, th) => {
    const v = assessHealth({ flowState: 'enabled', runs: rs, now: NOW, thresholds: th });
    const seen = finished(rs, th);
    const last = seen[0];
    assert.deepEqual(v.records, { activated: seen.reduce((n, r) => n + r.activated, 0), failed: seen.reduce((n, r) => n + r.failed, 0) });
    if (v.health === 'Unknown') assert.equal(seen.length, 0);
    else assert.equal(v.lastRun, last);
    if (v.health === 'Failed') assert.ok(seen.slice(0, th.failedRuns).length === th.failedRuns && seen.slice(0, th.failedRuns).every((r) => r.status === 'failed'));
    if (v.health === 'Healthy') {
      assert.equal(last?.status, 'success');
      assert.ok(last.failed === 0 || (100 * last.failed) / last.input <= th.maxFailedRecordsPercent);
      assert.ok(NOW - last.createdAt <= th.lateAfterMs);
    }
    if (last && last.status === 'failed') assert.ok(v.health === 'Failed' || v.health === 'Degraded');
  }));
});

test('the verdict does not depend on run order, old runs or runs still processing', () => {
  fc.assert(fc.property(runs, thresholds, fc.integer({ min: 0, max: 2 ** 31 }), (rs, th, seed) => {
    const v = assessHealth({ flowState: 'enabled', runs: rs, now: NOW, thresholds: th });
    const shuffled = [...rs].sort((a, b) => ((a.id.length * seed) % 7) - ((b.id.length * seed) % 7) || (a.id < b.id ? 1 : -1));
    const noise: RunSummary[] = [
      { id: 'old', flowId: 'f', createdAt: NOW - th.windowMs - 1, status: 'failed', input: 5, activated: 0, failed: 5 },
      { id: 'busy', flowId: 'f', createdAt: NOW, status: 'processing', input: 0, activated: 0, failed: 0 },
    ];
    const w = assessHealth({ flowState: 'enabled', runs: [...shuffled, ...noise], now: NOW, thresholds: th });
    assert.deepEqual([w.health, w.reason, w.records, w.lastRun?.id], [v.health, v.reason, v.records, v.lastRun?.id]);
  }));
});

test('no dataflow is Unknown, a disabled one is Disabled, whatever its runs', () => {
  fc.assert(fc.property(runs, thresholds, (rs, th) => {
    assert.equal(assessHealth({ flowState: undefined, runs: rs, now: NOW, thresholds: th }).health, 'Unknown');
    assert.equal(assessHealth({ flowState: 'disabled', runs: rs, now: NOW, thresholds: th }).health, 'Disabled');
  }));
});

test('a recovering destination: failed runs, then one success, is Healthy again', () => {
  const at = (h: number, status: RunSummary['status']): RunSummary => ({ id: `r${h}`, flowId: 'f', createdAt: NOW - h * HOUR, status, input: 10, activated: status === 'failed' ? 0 : 10, failed: status === 'failed' ? 10 : 0 });
  const failing = [at(1, 'failed'), at(2, 'failed'), at(3, 'failed')];
  assert.equal(assessHealth({ flowState: 'enabled', runs: failing, now: NOW, thresholds: DEFAULT_HEALTH }).health, 'Failed');
  assert.equal(assessHealth({ flowState: 'enabled', runs: failing.slice(0, 2), now: NOW, thresholds: DEFAULT_HEALTH }).reason, 'RunFailed');
  const back = assessHealth({ flowState: 'enabled', runs: [{ ...at(0.5, 'success'), id: 'new' }, ...failing], now: NOW, thresholds: DEFAULT_HEALTH });
  assert.deepEqual([back.health, back.records], ['Healthy', { activated: 10, failed: 30 }]);
  assert.equal(assessHealth({ flowState: 'enabled', runs: [at(3, 'success')], now: NOW, thresholds: DEFAULT_HEALTH }).reason, 'RunLate');
});

test('spec.health overrides the defaults field by field', () => {
  assert.deepEqual(thresholdsOf(undefined), DEFAULT_HEALTH);
  assert.deepEqual(thresholdsOf({ failedRuns: 1, lateAfter: '90m' }), { ...DEFAULT_HEALTH, failedRuns: 1, lateAfterMs: 90 * 60_000 });
});

test('status exit codes: the worst destination wins; a destination disabled on purpose counts as fine', () => {
  type Row = Parameters<typeof statusExitCode>[0][number];
  const row = (sync: Row['sync'], health: Row['health'], enabled = true): Row => ({ sync, health, enabled });
  assert.equal(statusExitCode([]), 0);
  assert.equal(statusExitCode([row('Synced', 'Healthy'), row('Synced', 'Disabled', false)]), 0);
  assert.equal(statusExitCode([row('OutOfSync', 'Healthy')]), 2);
  assert.equal(statusExitCode([row('Synced', 'Disabled')]), 3);
  assert.equal(statusExitCode([row('OutOfSync', 'Healthy'), row('Synced', 'Unknown')]), 3);
  assert.equal(statusExitCode([row('Synced', 'Degraded'), row('Missing', 'Failed')]), 4);
});
