// Golden folders: test/golden/<case>/{desired.json, live.json, options.json?} in, and the three
// views out (plan.txt, plan.md, plan.json). UPDATE_GOLDEN=1 rewrites the outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { planChanges } from '../../src/plan/index.ts';
import { renderPlanText } from '../../src/render/text.ts';
import { renderPlanMarkdown } from '../../src/render/markdown.ts';
import { parsePlanJson } from '../../src/cli/plan-file.ts';
import { renderPlanJson } from '../../src/render/json.ts';

const root = new URL('../golden/', import.meta.url);
export const PART_SEPARATOR = '\n<!-- ======== next comment ======== -->\n';

interface CaseOptions { prune?: boolean; manager?: string; forceConflicts?: boolean; org?: string; revision?: string; maxLength?: number; runUrl?: string; title?: string }

function check(dir: URL, file: string, actual: string): void {
  const path = new URL(file, dir);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    writeFileSync(path, actual);
    if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`${file} was missing and has been written; review it and run again`);
    return;
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `${file} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

for (const name of readdirSync(root).filter((n) => existsSync(new URL(`${n}/desired.json`, root))).sort()) {
  test(`golden: ${name}`, () => {
    const dir = new URL(`${name}/`, root);
    const read = (f: string) => JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
    const options: CaseOptions = existsSync(new URL('options.json', dir)) ? read('options.json') : {};
    const plan = planChanges(read('desired.json'), read('live.json'), {
      prune: options.prune ?? false,
      createdAt: '2026-03-01T12:00:00.000Z',
      manager: options.manager ?? 'github.com/acme/aep',
      ...(options.forceConflicts ? { forceConflicts: true } : {}),
      ...(options.org ? { org: options.org } : {}),
      ...(options.revision ? { revision: options.revision } : {}),
    });
    const parts = renderPlanMarkdown(plan, {
      ...(options.maxLength ? { maxLength: options.maxLength } : {}),
      ...(options.runUrl ? { runUrl: options.runUrl } : {}),
      ...(options.title ? { title: options.title } : {}),
    });
    for (const part of parts) assert.ok(part.length <= (options.maxLength ?? 65_536), `a part is ${part.length} characters`);
    check(dir, 'plan.txt', renderPlanText(plan, { color: false }));
    check(dir, 'plan.md', parts.join(PART_SEPARATOR));
    const json = renderPlanJson(plan);
    check(dir, 'plan.json', json);
    assert.deepEqual(parsePlanJson(json), plan);
  });
}
