// Strips credentials from URLs before they reach logs, errors or /status: a followed repository
// may be https://x-access-token:<token>@github.com/..., and a Slack webhook URL is itself a secret.
import { rememberSecret } from '../domain/redact.ts';

export { stripUrlCredentials } from '../domain/redact.ts';

/**
 * Splits `scheme://user:password@host/…` into the URL without its userinfo and the HTTP Basic
 * `Authorization` value it stood for (fetch refuses URLs with credentials; git would store them in
 * the clone's config). Both halves of the secret are remembered for redaction. A URL without
 * credentials, or one that does not parse, comes back as it is.
 */
export function splitUrlCredentials(url: string): { url: string; authorization?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url };
  }
  if (!u.username && !u.password) return { url };
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  rememberSecret(password || user);
  rememberSecret(authorization.slice('Basic '.length));
  return { url: u.toString(), authorization };
}

/** Shows only the scheme and host of a URL whose path is a secret (incoming-webhook URLs). */
export function originOnly(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(unparseable URL)';
  }
}
