// A holder on this very machine whose process is gone cannot renew: its lease is free now, not
// one duration later (a re-run after kill -9 or a cancelled CI step on the same runner). "This
// machine" means the same host name AND the same PID namespace: a container with host networking
// shares the host name but not the pids, so a pid alone proves nothing there. Only the safe
// direction is used: a pid that exists (or was reused by another process) counts as alive.
import { readlinkSync } from 'node:fs';
import type { LeaseRecord } from './record.ts';

/** This process's PID namespace id ('4026531836'), undefined off Linux. */
export function pidNamespace(): string | undefined {
  try {
    return /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
  } catch {
    return undefined;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: it exists, owned by someone else
  }
}

/** Whether the record's holder ran here (same host and PID namespace) and its process is gone. */
export function holderGoneHere(record: LeaseRecord, here: { host: string; ns?: string | undefined }, exists: (pid: number) => boolean = processExists): boolean {
  if (record.holder === '' || !record.ns || !here.ns || record.ns !== here.ns || record.host !== here.host) return false;
  if (record.pid <= 0 || record.pid === process.pid) return false;
  return !exists(record.pid);
}
