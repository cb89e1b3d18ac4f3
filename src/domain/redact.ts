// The last line of defence for secrets in text: every value flowsync knows to be secret (resolved
// references, client secret, tokens, git token, webhook secret, notify URL) is remembered here when
// it is read, and errors, log lines and notifications pass through redactSecrets before they leave
// the process. Form- or JSON-encoded credentials and URL userinfo are redacted whatever their value,
// so an API that echoes a request (IMS errors do) cannot leak one flowsync never registered.

const known = new Set<string>();

/** Values shorter than this are not redacted by value (they would mangle ordinary text). */
const MIN_LENGTH = 4;

/** Remembers a secret value (and its URL-encoded form) for redaction. Blank or very short values are ignored. */
export function rememberSecret(value: string | undefined): void {
  if (!value || value.trim().length < MIN_LENGTH) return;
  known.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) known.add(encoded);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  if (form !== value) known.add(form);
}

const KEYS = 'client_secret|clientSecret|access_token|accessToken|refresh_token|id_token|password|passwd|secret|secretKey|secret_key|sasKey|sas_key|token|api_key|apikey|private_key|code_verifier|assertion';
/** `client_secret=…` in a form or query string, up to the next separator. */
const FORM = new RegExp(`(\\b(?:${KEYS})=)[^&\\s"'<>;,]+`, 'gi');
/** `"client_secret": "…"` in echoed JSON (quotes optionally escaped). */
const JSON_FIELD = new RegExp(`((?:\\\\?")(?:${KEYS})(?:\\\\?")\\s*:\\s*(?:\\\\?"))(?!\\[redacted\\])(?:[^"\\\\]|\\\\(?!"))*`, 'gi');
/** `Authorization: Bearer …` / `Basic …`. */
const AUTH_SCHEME = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{4,}/gi;
/** `scheme://user:password@host`. */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi;

/** Removes `user:password@` from every URL in a piece of text. */
export function stripUrlCredentials(text: string): string {
  return text.replace(USERINFO, '$1***@');
}

/** The text with every known secret, the `extra` values, encoded credentials and URL userinfo replaced by "***". */
export function redactSecrets(text: string, extra: Iterable<string | undefined> = []): string {
  let out = text;
  const values = [...known, ...[...extra].filter((v): v is string => Boolean(v) && v!.length >= MIN_LENGTH)];
  // longest first, so a secret that contains another is replaced whole
  for (const secret of values.sort((a, b) => b.length - a.length)) if (out.includes(secret)) out = out.split(secret).join('***');
  return stripUrlCredentials(out.replace(FORM, '$1***').replace(JSON_FIELD, '$1***').replace(AUTH_SCHEME, '$1$2***'));
}
