// Writes small config repos for tests: accounts and destinations as real YAML manifest files.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { stringify } from 'yaml';

export interface AccountSpec {
  name: string;
  sandbox?: string;
  type: 'amazon-kinesis' | 'azure-event-hubs';
  description?: string;
  /** Secret env var name; its value must be in the environment the CLI runs with. */
  secretEnv: string;
}

export interface DestinationSpec {
  name: string;
  sandbox?: string;
  account: string;
  description?: string;
  stream?: string; // Kinesis
  eventHubName?: string; // Event Hubs
  targetExtra?: Record<string, unknown>; // optional target params, e.g. includeSegmentNames
  enabled?: boolean;
  drift?: 'heal' | 'warn' | 'ignore';
  segments?: string[];
  attributes?: string[];
}

export function accountDoc(a: AccountSpec): Record<string, unknown> {
  const auth =
    a.type === 'amazon-kinesis'
      ? { accessKeyId: 'AKIAEXAMPLEFAKE00009', secretKey: { fromEnv: a.secretEnv }, region: 'us-east-1' }
      : { sasKeyName: 'send', sasKey: { fromEnv: a.secretEnv }, namespace: 'acme-test' };
  return {
    apiVersion: 'flowsync/v1',
    kind: 'DestinationAccount',
    metadata: { name: a.name, sandbox: a.sandbox ?? 'prod' },
    spec: { type: a.type, ...(a.description ? { description: a.description } : {}), auth },
  };
}

export function destinationDoc(d: DestinationSpec): Record<string, unknown> {
  const target = { ...(d.eventHubName ? { eventHubName: d.eventHubName } : { stream: d.stream ?? d.name, region: 'us-east-1' }), ...d.targetExtra };
  return {
    apiVersion: 'flowsync/v1',
    kind: 'StreamingDestination',
    metadata: { name: d.name, sandbox: d.sandbox ?? 'prod' },
    spec: {
      account: d.account,
      ...(d.description ? { description: d.description } : {}),
      target,
      enabled: d.enabled ?? true,
      drift: d.drift ?? 'heal',
      segments: (d.segments ?? []).map((id) => ({ id })),
      profileAttributes: d.attributes ?? [],
    },
  };
}

/** Writes flowsync.yaml plus one file per account and destination into `dir` (replacing earlier ones). */
export async function writeRepo(dir: string, accounts: AccountSpec[], destinations: DestinationSpec[], config: Record<string, unknown> = {}): Promise<void> {
  await rm(path.join(dir, 'm'), { recursive: true, force: true });
  await mkdir(path.join(dir, 'm'), { recursive: true });
  await writeFile(path.join(dir, 'flowsync.yaml'), stringify({ apiVersion: 'flowsync/v1', kind: 'Config', manifests: ['m'], sandbox: 'prod', ...config }));
  for (const a of accounts) await writeFile(path.join(dir, 'm', `account-${a.sandbox ?? 'prod'}-${a.name}.yaml`), stringify(accountDoc(a)));
  for (const d of destinations) await writeFile(path.join(dir, 'm', `dest-${d.sandbox ?? 'prod'}-${d.name}.yaml`), stringify(destinationDoc(d)));
}

export async function tempRepo(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A deterministic UUID for test segment n. */
export function segmentId(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `0000${hex.slice(0, 4)}-0000-4000-8000-${hex}`;
}
