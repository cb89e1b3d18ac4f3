// The access token: a static one from the options, or an OAuth server-to-server token from IMS
// (client_credentials, form body), cached and renewed before it expires. Concurrent callers share
// one in-flight IMS request. The secret and the token never leave this module except as the
// Authorization header.
import { rememberSecret } from '../domain/redact.ts';
import { ApiError, parseErrorBody, scrub } from './errors.ts';
import type { ClientEvent } from './options.ts';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  data: unknown;
}

export interface TokenSourceOptions {
  imsEndpoint: string;
  clientId: string;
  clientSecret?: string;
  accessToken?: string;
  scope: string;
  now: () => number;
  /** Sends the form to IMS (with the client's retries on 5xx/network). */
  postForm: (url: string, form: URLSearchParams) => Promise<HttpAnswer>;
  emit: (e: ClientEvent) => void;
}

interface Cached {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** Renew when less than min(5 min, 10 % of the lifetime) is left: a 24 h token lives 23 h 55 min, a 60 s one 54 s. */
export function renewAt(cached: { issuedAt: number; expiresAt: number }): number {
  const lifetime = cached.expiresAt - cached.issuedAt;
  return cached.expiresAt - Math.min(5 * 60_000, lifetime * 0.1);
}

export class TokenSource {
  private cached: Cached | undefined;
  private inflight: Promise<string> | undefined;
  private staticRejected = false;
  private staticAnnounced = false;
  private readonly issued = new Set<string>();

  constructor(private readonly opts: TokenSourceOptions) {
    rememberSecret(opts.clientSecret);
    rememberSecret(opts.accessToken);
  }

  /** Whether a 401 can be answered with a fresh token. */
  canRefresh(): boolean {
    return Boolean(this.opts.clientSecret);
  }

  async get(): Promise<string> {
    if (this.opts.accessToken && !this.staticRejected) {
      if (!this.staticAnnounced) {
        this.staticAnnounced = true;
        this.opts.emit({ type: 'token', source: 'static' });
      }
      return this.opts.accessToken;
    }
    if (this.cached && this.opts.now() < renewAt(this.cached)) return this.cached.token;
    if (!this.opts.clientSecret) {
      throw new ApiError(
        'FS_API_AUTH',
        this.opts.accessToken
          ? 'The access token was refused (HTTP 401) and no client secret is set to get a new one from IMS.'
          : `No credentials for client ${this.opts.clientId}: set a client secret (FLOWSYNC_CLIENT_SECRET or api.clientSecret) or an access token (FLOWSYNC_ACCESS_TOKEN).`,
        { status: 401, entity: 'ims' },
      );
    }
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** The API refused `token` (401): forget it so the next get() asks IMS. */
  invalidate(token: string): void {
    if (token === this.opts.accessToken) this.staticRejected = true;
    if (this.cached?.token === token) this.cached = undefined;
  }

  /** Every secret this source knows, for scrubbing error text. */
  secrets(): string[] {
    return [this.opts.clientSecret, this.opts.accessToken, ...this.issued].filter((s): s is string => Boolean(s));
  }

  private async fetch(): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.opts.clientId,
      client_secret: this.opts.clientSecret ?? '',
      scope: this.opts.scope,
    });
    const issuedAt = this.opts.now();
    const res = await this.opts.postForm(this.opts.imsEndpoint, form);
    const body = (res.data ?? {}) as Record<string, unknown>;
    if (res.status !== 200 || typeof body.access_token !== 'string' || body.access_token === '') {
      const parsed = parseErrorBody(res.data);
      // IMS may echo the form it was sent (client_secret included) in its error text.
      const reason = scrub(parsed.message ?? `HTTP ${res.status}`, this.secrets());
      throw new ApiError(
        res.status >= 500 ? 'FS_API_UNAVAILABLE' : 'FS_API_AUTH',
        `POST ims token for client ${this.opts.clientId}: ${reason} (HTTP ${res.status}${parsed.adobeCode ? `, ${parsed.adobeCode}` : ''})`,
        { status: res.status, entity: 'ims', ...(parsed.adobeCode ? { adobeCode: parsed.adobeCode } : {}) },
      );
    }
    const token = body.access_token;
    this.issued.add(token);
    rememberSecret(token);
    let expiresIn = Number(body.expires_in);
    if (!Number.isFinite(expiresIn) || expiresIn <= 0) expiresIn = 3600;
    // The deprecated JWT exchange answered in milliseconds (86399992); seconds never exceed ~1 day.
    const seconds = expiresIn > 10 * 86_400 ? expiresIn / 1000 : expiresIn;
    this.cached = { token, issuedAt, expiresAt: issuedAt + seconds * 1000 };
    this.opts.emit({ type: 'token', source: 'ims', expiresInSeconds: Math.round(seconds) });
    return token;
  }
}
