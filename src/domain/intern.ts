// Strings the models keep for as long as a plan or a daemon cycle lives, copied out of the texts they
// were parsed from. A parser's scalar is a slice of its input: one kept name keeps a whole manifest
// file alive (js-yaml's own copy of it, 145 KB per file at 10,000 destinations: 14.5 MB), and each
// parse makes a string of its own for every audience id, though 10,000 destinations name the same
// few hundred audiences 200,000 times (~20 MB of the heap).

const MAX_ENTRIES = 50_000;
const pool = new Map<string, string>();

/** An equal string that owns its characters (lone surrogates and all), not a slice of a larger text. */
export function ownCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/**
 * The pooled copy of `s`, for strings that repeat (audience ids, XDM paths, sandbox and account
 * names). Past MAX_ENTRIES the pool starts over, so it stays bounded in a process that runs for months.
 */
export function intern(s: string): string {
  const known = pool.get(s);
  if (known !== undefined) return known;
  if (pool.size >= MAX_ENTRIES) pool.clear();
  const own = ownCopy(s);
  pool.set(own, own);
  return own;
}
