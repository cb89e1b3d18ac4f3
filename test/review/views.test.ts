// The review views on hand-made documents: markers, sections, splitting, the base-invalid and
// missing-base cases, the JSON document against its schema, and the CI helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { planChanges } from '../../src/plan/index.ts';
import { renderReviewMarkdown } from '../../src/render/review-markdown.ts';
import { renderReviewText } from '../../src/render/review-text.ts';
import { ciRunUrl, nowFromEnv } from '../../src/review/ci.ts';
import { comparePlans } from '../../src/review/compare.ts';
import { invalidHeadDocument, renderReviewJson, reviewExitCode, type ReviewDocument } from '../../src/review/document.ts';
import { FlowsyncError } from '../../src/domain/errors.ts';
import { OPTS, SEG1, SEG2, SEG3, account, desiredState, destination, liveFor } from '../plan/fixtures.ts';

function reviewDoc(opts: { baseStatus?: 'valid' | 'invalid' | 'missing'; many?: number } = {}): ReviewDocument {
  const base = desiredState([account()], [destination({ segments: [{ id: SEG1 }] })]);
  const extra = Array.from({ length: opts.many ?? 0 }, (_, i) => destination({ name: `extra-${String(i).padStart(3, '0')}`, segments: [{ id: SEG2, name: 'x'.repeat(60) }, { id: SEG3 }] }));
  const head = desiredState([account()], [destination({ segments: [{ id: SEG1 }, { id: SEG2 }] }), ...extra]);
  const live = liveFor(desiredState([account()], [destination({ segments: [] })]));
  const status = opts.baseStatus ?? 'valid';
  const compared = comparePlans({ base: status === 'valid' ? base : status === 'missing' ? { accounts: [], destinations: [], sandboxes: [] } : undefined, head, live, basePrune: false, headPrune: false, createdAt: OPTS.createdAt, manager: OPTS.manager });
  return {
    formatVersion: 1,
    kind: 'flowsync-review',
    createdAt: OPTS.createdAt,
    commentId: 'config',
    folder: 'config',
    base: { ref: 'origin/main', commit: 'a'.repeat(40), status, secretsSkipped: false, diagnostics: status === 'invalid' ? [{ severity: 'error', code: 'FS_MANIFEST_SCHEMA', summary: 'broken', file: 'm/x.yaml', line: 3 }] : [] },
    head: { revision: 'b'.repeat(40), valid: true, diagnostics: [] },
    pullRequest: compared.pullRequest,
    drift: compared.drift ?? null,
  };
}

test('markdown: marker, summary, the pull request first with the added segment, drift after it with a warning', () => {
  const [md, ...rest] = renderReviewMarkdown(reviewDoc(), { runUrl: 'https://ci/run/1' });
  assert.equal(rest.length, 0);
  assert.ok(md!.startsWith('<!-- flowsync-plan: config -->\n## flowsync plan\n\n**This pull request: 0 to create, 1 to update'));
  const pr = md!.indexOf('### This pull request');
  const drift = md!.indexOf('### ⚠️ Pre-existing drift');
  assert.ok(pr > 0 && drift > pr);
  assert.match(md!.slice(pr, drift), new RegExp(`^\\+ +segment ${SEG2}$`, 'm'));
  assert.match(md!.slice(drift), new RegExp(`^\\+ +segment ${SEG1}$`, 'm'));
  assert.match(md!.slice(drift), /> \[!WARNING\]/);
  assert.match(md!, /base `origin\/main` \(`aaaaaaaaaaaa`\) · head `bbbbbbbbbbbb` · \[run\]\(https:\/\/ci\/run\/1\)/);
});

test('markdown: invalid base says drift is unknown; a folder new in the pull request says there is no drift', () => {
  const [invalid] = renderReviewMarkdown(reviewDoc({ baseStatus: 'invalid' }));
  assert.match(invalid!, /### ⚠️ Pre-existing drift: unknown/);
  assert.match(invalid!, /not valid \(1 error, 0 warnings\)/);
  const [missing] = renderReviewMarkdown(reviewDoc({ baseStatus: 'missing' }));
  assert.match(missing!, /None: the folder does not exist at `origin\/main`\./);
});

test('markdown: long comments split into parts under the limit, each with the marker, part i of n and the summary', () => {
  const doc = reviewDoc({ many: 60 });
  const parts = renderReviewMarkdown(doc, { maxLength: 4_000 });
  assert.ok(parts.length > 3, `${parts.length} parts`);
  for (const [i, p] of parts.entries()) {
    assert.ok(p.length <= 4_000, `part ${i + 1} is ${p.length} characters`);
    assert.ok(p.startsWith(`<!-- flowsync-plan: config part ${i + 1} of ${parts.length} -->\n## flowsync plan (part ${i + 1} of ${parts.length})`));
    assert.match(p, /This pull request: 60 to create|This pull request: \d+ to create/);
    // Every opened code fence and <details> is closed in the same part.
    assert.equal((p.match(/```/g) ?? []).length % 2, 0);
    assert.equal((p.match(/<details>/g) ?? []).length, (p.match(/<\/details>/g) ?? []).length);
  }
  const all = parts.join('\n');
  for (let i = 0; i < 60; i++) assert.ok(all.includes(`destination extra-${String(i).padStart(3, '0')}`));
});

test('invalid head: the comment lists each diagnostic with folder/file:line:column; exit code 1', () => {
  const doc = invalidHeadDocument({ createdAt: OPTS.createdAt, commentId: 'config', folder: 'config' }, [
    { severity: 'error', code: 'FS_MANIFEST_SCHEMA', summary: 'spec.account is required', file: 'm/a.yaml', line: 4, column: 3, hint: 'Add it.' },
    { severity: 'warning', code: 'FS_MANIFEST_GUARDRAIL', summary: 'many <segments>', file: 'm/b.yaml', line: 9 },
  ]);
  const [md] = renderReviewMarkdown(doc);
  assert.match(md!, /❌ \*\*The manifests in this pull request are not valid \(1 error\)\.\*\*/);
  assert.match(md!, /- `config\/m\/a\.yaml:4:3` error \*\*FS_MANIFEST_SCHEMA\*\* spec\.account is required<br>hint: Add it\./);
  assert.match(md!, /`config\/m\/b\.yaml:9` warning \*\*FS_MANIFEST_GUARDRAIL\*\* many &lt;segments&gt;/);
  assert.equal(reviewExitCode(doc, true), 1);
  assert.equal(reviewExitCode(doc, false), 1);
  assert.match(renderReviewText(doc, { color: false }), /config\/m\/a\.yaml:4:3: error FS_MANIFEST_SCHEMA/);
});

test('exit codes: 2 only with --detailed-exitcode and pull-request changes; drift alone is 0', () => {
  const doc = reviewDoc();
  assert.equal(reviewExitCode(doc, true), 2);
  assert.equal(reviewExitCode(doc, false), 0);
  const none = { ...doc, pullRequest: { ...doc.pullRequest!, actions: [] } };
  assert.equal(reviewExitCode(none, true), 0);
});

test('text: the pull request first, then the drift warning, then the counts line', () => {
  const text = renderReviewText(reviewDoc(), { color: false });
  const pr = text.indexOf('== This pull request (against origin/main, aaaaaaaaaaaa) ==');
  const drift = text.indexOf('== WARNING: pre-existing drift (not part of this pull request) ==');
  assert.ok(pr === 0 && drift > pr, text);
  assert.ok(text.endsWith('This pull request: 0 to create, 1 to update, 0 to delete, 0 to replace.\n'));
});

test('JSON: the review document validates against schemas/review.schema.json (valid, invalid and invalid-base cases)', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const load = (f: string) => JSON.parse(readFileSync(new URL(`../../schemas/${f}`, import.meta.url), 'utf8'));
  ajv.addSchema(load('plan.schema.json'));
  ajv.addSchema(load('status.schema.json'));
  const validate = ajv.compile(load('review.schema.json'));
  const invalid = invalidHeadDocument({ createdAt: OPTS.createdAt, commentId: 'c', folder: '.' }, [{ severity: 'error', code: 'FS_X', summary: 's' }]);
  for (const doc of [reviewDoc(), reviewDoc({ baseStatus: 'invalid' }), reviewDoc({ baseStatus: 'missing' }), invalid]) {
    const parsed = JSON.parse(renderReviewJson(doc));
    assert.ok(validate(parsed), JSON.stringify(validate.errors?.slice(0, 3)));
  }
  assert.ok(!validate({ ...JSON.parse(renderReviewJson(reviewDoc())), formatVersion: 2 }));
});

test('CI run links: GitHub Actions, GitLab, or none; FLOWSYNC_NOW fixes the clock and rejects garbage', () => {
  assert.equal(ciRunUrl({ GITHUB_SERVER_URL: 'https://github.com/', GITHUB_REPOSITORY: 'acme/config', GITHUB_RUN_ID: '42' }), 'https://github.com/acme/config/actions/runs/42');
  assert.equal(ciRunUrl({ CI_JOB_URL: 'https://gitlab.example.com/acme/config/-/jobs/7' }), 'https://gitlab.example.com/acme/config/-/jobs/7');
  assert.equal(ciRunUrl({ GITHUB_REPOSITORY: 'acme/config' }), undefined);
  assert.equal(nowFromEnv({ FLOWSYNC_NOW: '2026-03-01T12:00:00Z' }).toISOString(), '2026-03-01T12:00:00.000Z');
  const real = new Date('2030-01-01T00:00:00Z');
  assert.equal(nowFromEnv({}, () => real), real);
  assert.throws(() => nowFromEnv({ FLOWSYNC_NOW: 'yesterday' }), (e: unknown) => e instanceof FlowsyncError && e.code === 'FS_CLI_USAGE');
});

test('drift-only base plan against an unchanged pull request: planChanges sanity for the fixtures', () => {
  // Guards the fixtures the tests above rely on: the live destination lacks SEG1, the base adds it.
  const doc = reviewDoc();
  assert.deepEqual(doc.drift!.actions.map((a) => a.type), planChanges(desiredState([account()], [destination({ segments: [{ id: SEG1 }] })]), liveFor(desiredState([account()], [destination({ segments: [] })])), OPTS).actions.map((a) => a.type));
});
