// What a CI job tells flowsync through its environment: the link to the run, and a fixed clock
// (FLOWSYNC_NOW) so comments and plans made in tests and reruns are byte-for-byte reproducible.
import { FlowsyncError } from '../domain/errors.ts';

/** GitHub Actions (server/repository/actions/runs/id) or GitLab CI (CI_JOB_URL); undefined elsewhere. */
export function ciRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  if (server && repo && run) return `${server.replace(/\/$/, '')}/${repo}/actions/runs/${run}`;
  return env.CI_JOB_URL || undefined;
}

/** FLOWSYNC_NOW (an ISO 8601 time) when set, else the real clock. */
export function nowFromEnv(env: NodeJS.ProcessEnv, clock: () => Date = () => new Date()): Date {
  const fixed = env.FLOWSYNC_NOW;
  if (fixed === undefined || fixed === '') return clock();
  const at = new Date(fixed);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(fixed) || Number.isNaN(at.getTime())) {
    throw new FlowsyncError('FS_CLI_USAGE', `FLOWSYNC_NOW must be an ISO 8601 time such as 2026-03-01T12:00:00Z (got "${fixed}")`, { hint: 'Unset FLOWSYNC_NOW to use the real clock.' });
  }
  return at;
}
