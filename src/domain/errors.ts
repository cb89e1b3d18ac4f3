// One registry of coded errors (FS_<AREA>_<WHAT>), each with a hint that says how to fix it.
// docs/errors.md lists every code; test/unit/errors.test.ts keeps the two in step.
// Add a code here first, then throw it with `new FlowsyncError(code, message, { cause, details })`.

import { redactSecrets } from './redact.ts';

export const ERRORS = {
  FS_CLI_USAGE: 'Run `flowsync --help` or `flowsync <command> --help` for the accepted flags.',
  FS_CLI_UNKNOWN_COMMAND: 'Run `flowsync --help` to list the commands.',
  FS_CONFIG_INVALID: 'Fix flowsync.yaml at the position shown; `flowsync validate` checks it with the manifests.',
  FS_CONFIG_ENDPOINT: 'Give the setting named an http:// or https:// URL, e.g. https://platform.adobe.io or http://127.0.0.1:4010 for the emulator.',
  FS_CONFIG_NOT_FOUND: 'Run the command from a config repo root, or pass --dir (flowsync.yaml is optional; defaults apply without it).',
  FS_SECRET_UNRESOLVED: 'Set the environment variable or create the file the reference names (fromFile paths are relative to the config repo root).',
  FS_SECRET_BLANK: 'The secret holds only whitespace (spaces, newlines); put the real value in the environment variable or file the reference names.',
  FS_SECRET_OUTSIDE_REPO: 'fromFile paths must stay inside the config repo; use fromEnv for secrets kept elsewhere.',
  FS_API_AUTH: 'Check the client id and secret (or access token) and that the API project has the AEP product profile.',
  FS_API_ENTITLEMENT: 'The API client (FLOWSYNC_CLIENT_ID / api.clientId) is not entitled to the org named (403025 "Profile is not valid"): check the org id (FLOWSYNC_ORG_ID / org in flowsync.yaml) or use the credentials of a Developer Console project of that org with the AEP product profile.',
  FS_PLAN_SANDBOX_UNKNOWN: 'The org has no sandbox of that name (the message names the file and line that asks for it, and the org\'s sandboxes): fix the name, or create the sandbox in AEP first. Nothing was written.',
  FS_PLAN_SEGMENT_UNKNOWN: 'No audience of that sandbox has this name (names must match exactly, and each sandbox has its own audiences): fix the name, or create the audience in that sandbox first. Nothing was written.',
  FS_PLAN_SEGMENT_AMBIGUOUS: 'Several audiences of the sandbox share this name (the message lists their ids): write the one you mean as { id: … } (with the name too, if you like), or rename the others in AEP. Nothing was written.',
  FS_PLAN_SEGMENT_NOT_AUDIENCE: 'The id is no audience of this sandbox (audience ids differ per sandbox): name the audience instead ({ name: … }), or use the id the sandbox gives it. Nothing was written.',
  FS_PLAN_SEGMENT_MISMATCH: 'The segment gives an id and a name that are not the same audience in this sandbox (it may have been renamed in AEP): fix the name, or keep only one of the two. Nothing was written.',
  FS_PLAN_AUDIENCES_UNAVAILABLE: 'The sandbox\'s audiences could not be listed (the message says why; the API project needs the Audiences permission): names cannot be resolved (error) and ids are not checked (warning).',
  FS_API_REQUEST: 'The Flow Service API refused the request; the message says which entity and why.',
  FS_API_UNAVAILABLE: 'The API did not answer after retries; check the endpoint and network, then run again.',
  FS_API_BUDGET: 'The request budget or circuit breaker stopped further calls; wait and run again, or raise the budget.',
  FS_API_NOT_FOUND: 'The entity no longer exists; run `flowsync plan` again to see the current state.',
  FS_API_PRECONDITION: 'Someone changed the entity since it was read (etag mismatch); run `flowsync plan` again.',
  FS_API_RESPONSE: 'The API answered something flowsync cannot read (the message names the call and field); check that the endpoint is the Flow Service, and report it with the request id.',
  FS_SOURCE_GIT: 'Check that the repository URL or path and the branch exist and that the credentials in the URL or the git credential helper are valid; the daemon retries on its own.',
  FS_SOURCE_MISSING: 'Check the --dir folder or the --path sub-folder: it must exist at the revision being reconciled.',
  FS_DAEMON_LISTEN: 'Pick a free port or another address for --listen (HOST:PORT, port 0 picks a free one).',
  FS_DAEMON_SECRET: 'Set the environment variable named by --webhook-secret-env, or point --webhook-secret-file at a readable, non-empty file.',
  FS_EMULATOR_STATE: 'The emulator\'s --state file (named in the message) cannot be created, read or written: check the path, that its folder is writable, and that an existing file is one the emulator wrote.',
  FS_INTERNAL: 'This is a bug in flowsync; run again with FLOWSYNC_DEBUG=1 and report the output.',
  FS_DAEMON_CYCLE: 'The reconcile cycle stopped on an unexpected error; the daemon retries with back-off. Run with FLOWSYNC_DEBUG=1 and report it if it repeats.',
  FS_APPLY_SECRET_MISSING: 'Set the environment variable or file the account\'s secret reference names, then apply again.',
  FS_APPLY_SECRET_CHANGED: 'The credentials changed after the plan was made; run `flowsync plan` again and review the rotation.',
  FS_APPLY_DEPENDENCY: 'An action this one depends on did not succeed; fix that failure and apply again.',
  FS_APPLY_STALE_PLAN: 'The live state or the manifests changed since the plan was saved; run `flowsync plan --out` again and review it.',
  FS_APPLY_FAILED: 'Some actions failed; the summary names each one. Fix the cause and apply again: finished actions are not repeated.',
  FS_APPLY_PLAN_TARGET: 'Apply the plan with the endpoint, org, config folder and manager it was made for (the message names what differs), or make a plan for this target with `flowsync plan --out`.',
  FS_APPLY_NOT_INTERACTIVE: 'apply asks for confirmation on a terminal; in CI or a script pass --auto-approve (after reviewing the plan, e.g. a saved one).',
  FS_APPLY_UNVERIFIED: 'After apply, a re-read still differs from the manifests; someone may be editing the same entity. Run `flowsync plan` to see it.',
  FS_REVIEW_GIT: 'flowsync plan --base reads the base manifests from git: run it inside a clone of the config repository with git on PATH.',
  FS_REVIEW_BASE_REF: 'The --base revision is not in the local clone; fetch it (`git fetch origin main`, or fetch-depth: 0 in actions/checkout) and run again.',
  FS_IMPORT_EXISTS: 'Pass --out to write somewhere else, delete the files, or pass --force to overwrite them.',
  FS_IMPORT_INVALID: 'A live entity holds something the manifests cannot express (the diagnostics name it); fix it in the AEP UI or report it.',
  FS_IMPORT_ADOPT: 'Someone may have changed the entity since import read it; run `flowsync import --force` again.',
  FS_IMPORT_UPDATE: 'flowsync import --update SANDBOX/NAME needs a StreamingDestination manifest of that name and its live dataflow, owned by this config (the message says which is missing).',
  FS_PLAN_INVALID: 'The plan file is not a flowsync plan of this version (or was edited); make it again with `flowsync plan --out FILE`.',
  FS_APPLY_ABORTED: 'flowsync was stopped during apply; the next run continues where it stopped (nothing is duplicated).',
  FS_DAEMON_MASS_DELETE: 'The revision would delete more than reconcile.maxDeleteRatio of the owned entities, or more than reconcile.deleteBudget allows in its window; apply by hand with --prune --allow-mass-delete or start the daemon with --allow-mass-delete.',
  FS_MANIFEST_INVALID: 'Run `flowsync validate` on the revision and fix the errors it lists; the last good revision stays in force.',
  FS_LEASE_HELD: 'Another flowsync run holds the writer lease of this sandbox (the message names it). Wait for it with --lock-timeout DURATION; if that run is gone, `flowsync unlock SANDBOX` frees an expired lease.',
  FS_LEASE_LIVE: 'The lease is still live; its holder may be writing. Free it only when you know the holder is gone: `flowsync unlock SANDBOX --force`.',
  FS_LEASE_LOST: 'The writer lease was lost while writing (it could not be renewed in time, or another run took it); flowsync stopped before its next write. Run again.',
  FS_LEASE_ENTITY: 'The lease entity of the sandbox could not be read or written; check the API permissions (manage connections) and run again.',
  FS_PLAN_CONFLICT: 'Another manager owns the entity (the plan names it). Remove the manifest from one of the configs, rename it, or take the entity over with --force-conflicts.',
  FS_API_FLOW_BUSY: 'A dataflow stayed in a transitional state (updating, enabling, disabling…) longer than api.settleTimeout; nothing more was written to it. Check it in the AEP UI, then run again (or raise api.settleTimeout).',
  FS_API_OUTCOME_UNKNOWN: 'A create may or may not have reached the API (its answer was lost and the entity could not be looked up in time); nothing was sent again. Run plan or apply again: it reads live state and settles it.',
  FS_APPLY_MASS_DELETE: 'The plan would delete more than reconcile.maxDeleteRatio of the entities this manager owns; check the manifests, or pass --allow-mass-delete if the deletions are intended.',
  FS_APPLY_DELETE_BUDGET: 'Deletions within reconcile.deleteBudget.window would exceed its share of the owned entities; wait for the window, or pass --allow-mass-delete if the deletions are intended.',
  FS_CREDENTIALS_DIRECTORY: 'CREDENTIALS_DIRECTORY (set by systemd for LoadCredential=) names a folder or a file flowsync cannot read, a file over 64 KiB or not UTF-8 text; check the unit\'s LoadCredential= lines and the files they name.',
  FS_COMMENT_SETUP: 'flowsync comment needs the comment files of `flowsync plan --output markdown --out-dir DIR`, a token (GITHUB_TOKEN, or the variable --token-env names), the repository and the pull request number (from the GitHub Actions environment or --repo/--pr); the message says which is missing.',
  FS_COMMENT_API: 'The GitHub API refused a comment request (the message names the call and status): give the workflow `permissions: pull-requests: write` and check the repository and pull request number.',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERRORS;

export class FlowsyncError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown>; hint?: string } = {}) {
    // Whatever text an error was built from (an API's echo, a git message), it carries no known secret.
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlowsyncError';
    this.code = code;
    this.hint = options.hint ?? ERRORS[code];
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, ...(this.details ? { details: this.details } : {}) };
  }
}

export function isFlowsyncError(err: unknown, code?: ErrorCode): err is FlowsyncError {
  return err instanceof FlowsyncError && (code === undefined || err.code === code);
}
