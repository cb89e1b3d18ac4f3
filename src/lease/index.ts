// Public surface of the writer lease (docs/concepts/several-writers.md "The writer lease").
export { acquireLease, withWriteLeases, type LeaseIdentity, type LeaseOptions } from './lease.ts';
export type { HeldLease, LeaseEvent } from './held.ts';
export { describeHolder, expiredByClock, readLeaseRecord, unlockLease } from './inspect.ts';
export { decodeLease, encodeLease, isLeaseEntity, LEASE_MARKER, LEASE_NAME, type LeaseRecord } from './record.ts';
