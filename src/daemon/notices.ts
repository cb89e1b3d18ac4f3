// Pure: which notifications a cycle deserves, given what was already announced. A lasting
// condition is announced once; its end is announced as "recovered". Healed drift is an event,
// not a condition, so each heal is announced. A destination's activation health is announced on
// each transition into Degraded or Failed (or between them), and "recovered" when it leaves them.
import type { CycleOutcome } from './types.ts';

export interface Notice {
  kind: 'drift' | 'healed' | 'failed' | 'health' | 'recovered';
  key: string;
  text: string;
}

export interface NoticeContext {
  revision: string | null;
  mode: 'apply' | 'observe';
}

/** `announced` maps a dedup key to the text announced for it; the returned map replaces it. */
export function noticesFor(outcome: CycleOutcome, ctx: NoticeContext, announced: ReadonlyMap<string, string>): { notices: Notice[]; announced: Map<string, string> } {
  const rev = ctx.revision ? ` (revision ${ctx.revision.slice(0, 12)})` : '';
  const active = new Map<string, string>();

  for (const d of outcome.drift) {
    if (d.healed || d.policy === 'ignore') continue; // ignore means: neither fixed nor reported
    const by = d.changedBy ? ` by ${d.changedBy}` : '';
    const why = ctx.mode === 'observe' ? 'observe mode, left alone' : `drift: ${d.policy}, left alone`;
    active.set(`drift:${d.sandbox}/${d.name}`, `Drift found on destination ${d.sandbox}/${d.name}${by}: ${d.fields.join(', ') || 'changed'} (${why})${rev}`);
  }
  for (const e of outcome.entities) {
    if (e.condition === 'Failed') active.set(`failed:${e.sandbox}/${e.kind}/${e.name}`, `Apply failed for ${e.kind} ${e.sandbox}/${e.name}: ${e.reason}${e.message ? ` (${e.message})` : ''}${rev}`);
    const h = e.activation?.health;
    // the text names the health and reason only (no counts), so it changes only on a transition
    if (h === 'Degraded' || h === 'Failed') active.set(`health:${e.sandbox}/${e.name}`, `Destination ${e.sandbox}/${e.name} is ${h}: ${REASONS[e.activation!.reason] ?? e.activation!.reason}`);
  }
  const assessed = new Map(outcome.entities.filter((e) => e.activation).map((e) => [`health:${e.sandbox}/${e.name}`, e.activation!.health]));
  if (outcome.result === 'failed' || outcome.result === 'invalid' || outcome.result === 'refused') {
    const what = { failed: 'Reconcile failed', invalid: 'Manifests are invalid, nothing applied', refused: 'Plan refused by the delete safety limit, nothing applied' }[outcome.result];
    const err = outcome.error ? `: ${outcome.error.code} ${outcome.error.message}` : '';
    active.set(`cycle:${outcome.result}`, `${what}${err}${rev}`);
  }

  const notices: Notice[] = [];
  for (const d of outcome.drift) {
    if (d.healed) notices.push({ kind: 'healed', key: `healed:${d.sandbox}/${d.name}`, text: `Drift healed on destination ${d.sandbox}/${d.name}${d.changedBy ? ` (changed by ${d.changedBy})` : ''}: ${d.fields.join(', ') || 'changed'}${rev}` });
  }
  for (const [key, text] of active) {
    const isHealth = key.startsWith('health:');
    if (!announced.has(key) || (isHealth && announced.get(key) !== text)) notices.push({ kind: key.startsWith('drift:') ? 'drift' : isHealth ? 'health' : 'failed', key, text });
  }
  // A cycle that could not see the entities (invalid, refused, source or API down) cannot say a
  // drift or an entity failure is over: only a cycle that read live state can.
  const sawEntities = outcome.result === 'success' || outcome.result === 'suspended' || outcome.entities.length > 0;
  const next = new Map(active);
  for (const [key, text] of announced) {
    if (active.has(key)) continue;
    const cycleKey = key.startsWith('cycle:');
    if (key.startsWith('health:')) {
      // only a cycle that read the runs can say a destination delivers again
      const now = assessed.get(key);
      if (now === undefined) next.set(key, text);
      else notices.push({ kind: 'recovered', key, text: `Recovered: destination ${key.slice('health:'.length)} is ${now} again (was ${healthIn(text)})${rev}` });
      continue;
    }
    if (!cycleKey && !sawEntities) {
      next.set(key, text);
      continue;
    }
    if (cycleKey && outcome.result !== 'success' && outcome.result !== 'suspended') {
      continue; // one cycle failure replaced by another: the new one was announced above
    }
    notices.push({ kind: 'recovered', key, text: `${recoveredText(key)}${rev}` });
  }
  return { notices, announced: next };
}

function recoveredText(key: string): string {
  const [kind, what = ''] = splitOnce(key, ':');
  if (kind === 'drift') return `Recovered: destination ${what} matches git again`;
  if (kind === 'failed') {
    const [sandbox, rest = ''] = splitOnce(what, '/');
    const [entityKind, name = ''] = splitOnce(rest, '/');
    return `Recovered: ${entityKind} ${sandbox}/${name} is Ready again`;
  }
  return `Recovered: reconcile succeeds again after ${what === 'failed' ? 'failures' : `an ${what === 'invalid' ? 'invalid' : 'refused'} revision`}`;
}

const REASONS: Record<string, string> = {
  RunsFailed: 'its last dataflow runs all failed',
  RunFailed: 'its last dataflow run failed',
  RecordsFailed: 'its last dataflow run failed some records',
  RunLate: 'its last dataflow run is late',
};

function healthIn(text: string): string {
  return / is (Degraded|Failed):/.exec(text)?.[1] ?? 'unhealthy';
}

function splitOnce(s: string, sep: string): [string, string?] {
  const i = s.indexOf(sep);
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}
