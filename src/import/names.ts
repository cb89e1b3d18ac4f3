// Manifest names and env var names for imported entities. Pure: a live name in, a valid and
// unique manifest name out (the schemas' pattern: 1–100 of [a-z0-9._-], alphanumeric at both ends).

export const NAME_RE = /^[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?$/;
const ENV_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** "Summer Campaign 2024!" → "summer-campaign-2024"; '' when nothing usable is left. */
export function slugify(live: string): string {
  const slug = live
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/([._-])[._-]+/g, '$1')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 100)
    .replace(/[^a-z0-9]+$/, '');
  return slug;
}

/** Hands out names unique within one scope (kind and sandbox); `reserve` claims names first. */
export class NameScope {
  private readonly taken = new Set<string>();

  reserve(name: string): boolean {
    if (this.taken.has(name)) return false;
    this.taken.add(name);
    return true;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }

  /** The slug of `live` (or `fallback`), with -2, -3, … appended until it is free. */
  unique(live: string, fallback: string): string {
    const base = slugify(live) || fallback;
    if (this.reserve(base)) return base;
    for (let i = 2; ; i++) {
      const suffix = `-${i}`;
      const name = `${base.slice(0, 100 - suffix.length).replace(/[^a-z0-9]+$/, '')}${suffix}`;
      if (this.reserve(name)) return name;
    }
  }
}

/** "kinesis-prod" → "KINESIS_PROD"; a leading digit gets a prefix (env names cannot start with one). */
export function upperSnake(name: string): string {
  const snake = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(snake) ? `ACCOUNT_${snake}` : snake || 'ACCOUNT';
}

/** Env var names unique across one import (two sandboxes may both have an account "kinesis"). */
export class EnvNames {
  private readonly taken = new Set<string>();

  pick(sandbox: string, account: string, suffix: string): string {
    const candidates = [`${upperSnake(account)}_${suffix}`, `${upperSnake(`${sandbox}_${account}`)}_${suffix}`];
    for (const c of candidates) {
      if (ENV_RE.test(c) && !this.taken.has(c)) {
        this.taken.add(c);
        return c;
      }
    }
    for (let i = 2; ; i++) {
      const c = `${upperSnake(`${sandbox}_${account}`).slice(0, 100)}_${i}_${suffix}`;
      if (!this.taken.has(c)) {
        this.taken.add(c);
        return c;
      }
    }
  }
}
