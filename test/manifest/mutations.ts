// Byte mutations of valid files, shared by the loader's property tests.
import fc from 'fast-check';

export const mutationArb = (specials: readonly string[]) =>
  fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...specials), fc.string({ maxLength: 8 })) }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
  );

export type Mutation = ReturnType<typeof mutationArb> extends fc.Arbitrary<infer T> ? T : never;

export function mutate(buf: Buffer, mutations: Mutation[]): Buffer {
  let out = buf;
  for (const m of mutations) {
    const at = out.length ? m.at % out.length : 0;
    if (m.op === 'flip') {
      out = Buffer.from(out);
      if (out.length) out[at] = m.byte;
    } else if (m.op === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from(m.text), out.subarray(at)]);
    else if (m.op === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.len)]);
    else out = Buffer.concat([out.subarray(0, at + m.len), out.subarray(at, at + m.len), out.subarray(at + m.len)]);
  }
  return out;
}
