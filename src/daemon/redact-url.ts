// Strips credentials from URLs before they reach logs, errors or /status: a followed repository
// may be https://x-access-token:<token>@github.com/..., and a Slack webhook URL is itself a secret.

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi;

/** Removes `user:password@` from every URL in a piece of text. */
export function stripUrlCredentials(text: string): string {
  return text.replace(USERINFO, '$1***@');
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
