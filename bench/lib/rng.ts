// A small seeded generator so synthetic repos are identical for the same seed on every machine.
// mulberry32: fast, 32-bit state, good enough for test data (not for anything secret).

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, max). */
  int(max: number): number;
  /** `count` distinct items of `pool`, in pool order (count <= pool.length). */
  sample<T>(pool: readonly T[], count: number): T[];
  /** A version-4-shaped UUID, lowercase. */
  uuid(): string;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  const hex = (digits: number): string => {
    let out = '';
    for (let i = 0; i < digits; i++) out += int(16).toString(16);
    return out;
  };
  return {
    next,
    int,
    sample<T>(pool: readonly T[], count: number): T[] {
      if (count > pool.length) throw new Error(`sample: asked for ${count} of ${pool.length}`);
      // Partial Fisher-Yates on indexes, then restore pool order so output is stable and readable.
      const idx = pool.map((_, i) => i);
      for (let i = 0; i < count; i++) {
        const j = i + int(idx.length - i);
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      }
      return idx
        .slice(0, count)
        .sort((a, b) => a - b)
        .map((i) => pool[i]!);
    },
    uuid(): string {
      const variant = '89ab'[int(4)]!;
      return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
    },
  };
}
