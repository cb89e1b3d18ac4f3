// The run reader's boundary: every documented shape of a run (capitalised or lower-case status,
// output or created counts, errors or failedInfo) becomes one RunSummary; malformed runs are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRun } from '../../src/health/runs.ts';

test('a run in the shape of the spec examples becomes a RunSummary', () => {
  const run = parseRun({
    id: 'r1', flowId: 'f1', createdAt: 1_700_000_000_000,
    metrics: {
      recordSummary: { inputRecordCount: 100, outputRecordCount: 90, failedRecordCount: 10, failedInfo: [{ code: 'ACTIVATION_BATCH-0000-FAILED', message: 'Job aborted.', count: 10 }] },
      statusSummary: { status: 'success' },
    },
  });
  assert.deepEqual(run, { id: 'r1', flowId: 'f1', createdAt: 1_700_000_000_000, status: 'success', input: 100, activated: 90, failed: 10, error: { code: 'ACTIVATION_BATCH-0000-FAILED', message: 'Job aborted.' } });
});

test('status is read case-insensitively; created + updated count as activated when output is absent; unknown statuses are still processing', () => {
  const base = { id: 'r', flowId: 'f', createdAt: 1 };
  assert.equal(parseRun({ ...base, metrics: { statusSummary: { status: 'Failed', errors: [{ code: 'X-1-500', message: 'm' }] } } })?.status, 'failed');
  assert.equal(parseRun({ ...base, metrics: { statusSummary: { status: 'Success' } } })?.status, 'success');
  assert.equal(parseRun({ ...base, metrics: { statusSummary: { status: 'Waiting' } } })?.status, 'processing');
  assert.equal(parseRun({ ...base, metrics: { recordSummary: { createdRecordCount: 3, updatedRecordCount: 4 } } })?.activated, 7);
  assert.deepEqual(parseRun({ ...base, metrics: { statusSummary: { status: 'failed', errors: [{ code: 'X-1-500', message: 'm' }] } } })?.error, { code: 'X-1-500', message: 'm' });
});

test('runs without an id, a flow id or a numeric createdAt are skipped; bad counts read as 0', () => {
  assert.equal(parseRun({ flowId: 'f', createdAt: 1 }), undefined);
  assert.equal(parseRun({ id: 'r', createdAt: 1 }), undefined);
  assert.equal(parseRun({ id: 'r', flowId: 'f', createdAt: '1' }), undefined);
  assert.equal(parseRun(null), undefined);
  assert.deepEqual(parseRun({ id: 'r', flowId: 'f', createdAt: 1, metrics: { recordSummary: { inputRecordCount: -5, failedRecordCount: 'x' } } }), { id: 'r', flowId: 'f', createdAt: 1, status: 'processing', input: 0, activated: 0, failed: 0 });
});
