// Lease entity I/O over the Flow Service client: list, create (free), compare-and-swap of the
// description, delete. Every write here bypasses the client's write guard: these requests are what
// keeps the guard satisfied (and a lost lease must still be able to give back what it took).
import type { FlowServiceClient } from '../api/client.ts';
import { isApiError } from '../api/errors.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { PROFILE_STORE_SPEC_ID } from '../domain/specs.ts';
import { decodeLease, encodeLease, freeRecord, LEASE_NAME, type LeaseRecord } from './record.ts';

export interface LeaseEntity {
  id: string;
  etag: string;
  record: LeaseRecord;
}

type Client = Pick<FlowServiceClient, 'list' | 'get' | 'create' | 'patch' | 'delete'>;
type Raw = Record<string, unknown>;

const BYPASS = { bypassWriteGuard: true } as const;

function entityError(sandbox: string, what: string, cause: unknown): FlowsyncError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new FlowsyncError('FS_LEASE_ENTITY', `sandbox ${sandbox}: could not ${what} the writer lease entity${reason}`, { cause });
}

function toEntity(raw: unknown): LeaseEntity | undefined {
  const e = (raw && typeof raw === 'object' ? raw : {}) as Raw;
  const spec = (e.connectionSpec && typeof e.connectionSpec === 'object' ? e.connectionSpec : {}) as Raw;
  // A destination connection someone named flowsync-lease is not ours to write or delete.
  if (e.name !== LEASE_NAME || spec.id !== PROFILE_STORE_SPEC_ID || typeof e.id !== 'string') return undefined;
  const etag = typeof e.etag === 'string' ? e.etag : typeof e.version === 'string' ? e.version : '';
  if (!etag) return undefined;
  return { id: e.id, etag, record: decodeLease(typeof e.description === 'string' ? e.description : undefined) };
}

/** Every lease entity of the sandbox, in id order (the order every run takes them in). One GET. */
export async function listLeaseEntities(client: Client, sandbox: string): Promise<LeaseEntity[]> {
  let items: unknown[];
  try {
    items = await client.list<unknown>(sandbox, 'connections', { property: [`name==${LEASE_NAME}`] });
  } catch (err) {
    throw entityError(sandbox, 'list', err);
  }
  return items
    .map(toEntity)
    .filter((e): e is LeaseEntity => e !== undefined)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** One lease entity, or undefined when it is gone. */
export async function getLeaseEntity(client: Client, sandbox: string, id: string): Promise<LeaseEntity | undefined> {
  try {
    return toEntity(await client.get<unknown>(sandbox, 'connections', id));
  } catch (err) {
    throw entityError(sandbox, 'read', err);
  }
}

/** Creates a free lease entity: a Profile Store base connection (its spec needs no credentials). */
export async function createLeaseEntity(client: Client, sandbox: string): Promise<void> {
  const body = {
    name: LEASE_NAME,
    description: encodeLease(freeRecord()),
    connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' },
  };
  try {
    // A create whose answer was lost is settled by looking for any lease entity: whichever run
    // made it, one is all the taking needs (extras are harmless: the run that takes the lease
    // deletes them).
    const findExisting = async () => {
      const found = (await listLeaseEntities(client, sandbox))[0];
      return found ? { id: found.id, etag: found.etag } : undefined;
    };
    await client.create(sandbox, 'connections', body, { ...BYPASS, findExisting });
  } catch (err) {
    throw entityError(sandbox, 'create', err);
  }
}

/** PATCH of the description with If-Match: the new etag, or undefined when someone wrote first (412) or it is gone (404). */
export async function casLeaseRecord(client: Client, sandbox: string, entity: Pick<LeaseEntity, 'id' | 'etag'>, record: LeaseRecord): Promise<string | undefined> {
  try {
    const result = await client.patch(sandbox, 'connections', entity.id, entity.etag, [{ op: 'replace', path: '/description', value: encodeLease(record) }], BYPASS);
    return result.etag;
  } catch (err) {
    if (isApiError(err, 'FS_API_PRECONDITION')) return undefined;
    if (isApiError(err, 'FS_API_NOT_FOUND') && !/^210[01]-/.test(err.adobeCode ?? '')) return undefined; // the entity, not the sandbox
    throw entityError(sandbox, 'write', err);
  }
}

export async function deleteLeaseEntity(client: Client, sandbox: string, id: string): Promise<void> {
  try {
    await client.delete(sandbox, 'connections', id, BYPASS);
  } catch (err) {
    throw entityError(sandbox, 'delete', err);
  }
}
