// Strips credentials from URLs before they reach logs, errors or /status: a followed repository
// may be https://x-access-token:<token>@github.com/..., and a Slack webhook URL is itself a secret.
export { stripUrlCredentials } from '../domain/redact.ts';

/** Shows only the scheme and host of a URL whose path is a secret (incoming-webhook URLs). */
export function originOnly(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(unparseable URL)';
  }
}
