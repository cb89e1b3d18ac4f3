// Daemon settings that live in the followed repository's flowsync.yaml (`daemon.interval`,
// `daemon.notify.webhookUrl`), read after each sync so a commit changes them without a restart.
// Command-line flags win; an invalid config is left to the cycle to report (it fails validation).
import { hasErrors } from '../domain/diagnostics.ts';
import { defaultConfig, loadConfig, resolveSecretRef } from '../manifest/index.ts';

export interface RepoSettings {
  /** Absent when flowsync.yaml leaves daemon.interval at its default: the daemon's own default applies. */
  intervalMs?: number;
  notifyUrl?: string;
}

export type ReadRepoSettings = (dir: string) => Promise<RepoSettings>;

export function repoSettingsReader(env: NodeJS.ProcessEnv): ReadRepoSettings {
  return async (dir) => {
    const { config, diagnostics } = await loadConfig(dir);
    if (hasErrors(diagnostics)) return {};
    const out: RepoSettings = {};
    if (config.daemon.intervalMs !== defaultConfig().daemon.intervalMs) out.intervalMs = config.daemon.intervalMs;
    const ref = config.daemon.notify.webhookUrl;
    if (ref) out.notifyUrl = await resolveSecretRef(ref, { root: dir, env });
    return out;
  };
}
