// One copy of each short string that repeats across the models: audience ids and XDM paths. 10,000
// destinations name the same few hundred audiences 200,000 times, and each parse (js-yaml, JSON.parse)
// makes a string of its own for every one of them: ~20 MB of the heap at that size.

const MAX_ENTRIES = 50_000;
const pool = new Map<string, string>();

/**
 * The pooled copy of `s`. A new entry is stored as a string of its own (not a slice of the text it
 * was parsed from, which would keep that whole text alive); past MAX_ENTRIES the pool starts over,
 * so it stays bounded in a process that runs for months.
 */
export function intern(s: string): string {
  const known = pool.get(s);
  if (known !== undefined) return known;
  if (pool.size >= MAX_ENTRIES) pool.clear();
  // Joined from its code units: an exact copy (lone surrogates and all) that owns its characters.
  const own = s.split('').join('');
  pool.set(own, own);
  return own;
}
