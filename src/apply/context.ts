// What one apply run learns as it goes: IDs of entities it created, and the etags its own writes
// produced, so a second action on the same entity continues from our write instead of failing
// the If-Match check against the etag the plan was computed from.
import type { EntityRef } from './client.ts';

export class RunContext {
  readonly accountIds = new Map<string, string>(); // "sandbox/account" -> base connection id
  readonly targetIds = new Map<string, string>(); // "sandbox/destination" -> target connection id
  readonly sourceIds = new Map<string, string>(); // sandbox -> Profile Store source connection id
  private readonly chained = new Map<string, { from: string; to: string }>(); // entity id -> etag before/after our write

  /** The etag to send: ours if this run already wrote the entity starting from the planned etag. */
  etagFor(entityId: string, planned: string): string {
    const chain = this.chained.get(entityId);
    return chain && chain.from === planned ? chain.to : planned;
  }

  /** Record a write; `planned` is the etag the action was computed from (default: the current chain). */
  wrote(ref: EntityRef, planned?: string): EntityRef {
    const previous = this.chained.get(ref.id);
    const from = previous?.from ?? planned ?? ref.etag;
    this.chained.set(ref.id, { from, to: ref.etag });
    return ref;
  }
}
