// Incoming git webhooks (GitHub-style): `X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256
// of the raw body with a shared secret, compared in constant time. A valid push triggers a cycle;
// `ping` is answered; anything unsigned or wrongly signed is refused and logged (never the body
// or the secret).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface WebhookConfig {
  /** Shared secret; undefined means no secret is configured. */
  secret?: string;
  /** Accept unsigned requests when no secret is configured (--webhook-insecure). */
  insecure?: boolean;
  /** Only pushes to this branch trigger a cycle; other refs are acknowledged and ignored. */
  branch?: string;
}

export type WebhookDecision =
  | { status: 404; outcome: 'disabled' }
  | { status: 401; outcome: 'unauthorized'; reason: string }
  | { status: 400; outcome: 'bad-request'; reason: string }
  | { status: 200; outcome: 'ping' }
  | { status: 202; outcome: 'ignored'; reason: string }
  | { status: 202; outcome: 'accepted'; event: string; ref?: string; after?: string };

export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of an `X-Hub-Signature-256` header against the raw body. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Decides what a webhook request means. Pure: the HTTP layer reads the body and acts on this. */
export function decideWebhook(config: WebhookConfig, headers: IncomingHttpHeaders, body: Buffer): WebhookDecision {
  if (config.secret === undefined && !config.insecure) return { status: 404, outcome: 'disabled' };
  if (config.secret !== undefined) {
    const header = headerValue(headers['x-hub-signature-256']);
    if (!header) return { status: 401, outcome: 'unauthorized', reason: 'missing X-Hub-Signature-256 header' };
    if (!verifySignature(config.secret, body, header)) return { status: 401, outcome: 'unauthorized', reason: 'signature does not match' };
  }
  const event = headerValue(headers['x-github-event']) ?? headerValue(headers['x-gitea-event']) ?? 'push';
  if (event === 'ping') return { status: 200, outcome: 'ping' };
  if (event !== 'push') return { status: 202, outcome: 'ignored', reason: `event "${event}" does not trigger a cycle` };
  let payload: { ref?: unknown; after?: unknown } = {};
  if (body.length > 0 && /json/.test(headerValue(headers['content-type']) ?? 'application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, outcome: 'bad-request', reason: 'body is not JSON' };
    }
    // A signature proves who sent the body, not its shape: `null`, `42` or `[]` is a sender's mistake.
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { status: 400, outcome: 'bad-request', reason: `body is JSON ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed}, not a JSON object` };
    }
    payload = parsed;
  }
  const ref = typeof payload.ref === 'string' ? payload.ref : undefined;
  if (config.branch && ref && ref !== `refs/heads/${config.branch}`) {
    return { status: 202, outcome: 'ignored', reason: `push to ${ref}, following refs/heads/${config.branch}` };
  }
  const after = typeof payload.after === 'string' ? payload.after : undefined;
  return { status: 202, outcome: 'accepted', event, ...(ref ? { ref } : {}), ...(after ? { after } : {}) };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
