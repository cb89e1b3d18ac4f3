// Deep copy of plain JSON data. Several times faster than structuredClone for the small documents the
// emulator copies on every write.
export function clone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    // JSON.parse makes "__proto__" an own key; assigning it would set the copy's prototype instead
    if (key === '__proto__') Object.defineProperty(out, key, { value: clone(v), enumerable: true, writable: true, configurable: true });
    else out[key] = clone(v);
  }
  return out as T;
}
