// The emulator's IMS: client_credentials tokens (HS256 JWTs signed with a per-store key, so a state file
// keeps tokens valid across restarts) and the gateway's header checks with the documented error bodies.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError, gatewayError, sandboxNotFound } from './api-error.ts';
import type { Tenants } from './tenants.ts';

export interface TokenClaims {
  clientId: string;
  expiresAt: number; // epoch ms
}

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

export class TokenIssuer {
  constructor(
    public key: string,
    private readonly now: () => number,
    private readonly defaultTtlSeconds: number,
  ) {}

  static newKey(): string {
    return randomBytes(32).toString('base64url');
  }

  issue(clientId: string, ttlSeconds = this.defaultTtlSeconds): { token: string; expiresIn: number } {
    const now = this.now();
    const payload = {
      id: randomBytes(8).toString('hex'),
      type: 'access_token',
      client_id: clientId,
      user_id: `${clientId}@AdobeID`,
      as: 'flowsync-emulator',
      created_at: String(now),
      expires_in: String(ttlSeconds * 1000),
      scope: 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext',
    };
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
    return { token: `${head}.${this.sign(head)}`, expiresIn: ttlSeconds };
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }

  private verified = new Map<string, TokenClaims>();

  /** The token's claims when this emulator issued it and it has not expired; undefined otherwise. */
  verify(token: string): TokenClaims | undefined {
    const known = this.verified.get(token) ?? this.check(token);
    if (!known || !(this.now() < known.expiresAt)) return undefined;
    if (!this.verified.has(token)) {
      if (this.verified.size >= 1000) this.verified.clear(); // a bounded cache of checked signatures
      this.verified.set(token, known);
    }
    return known;
  }

  private check(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [h, p, s] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${h}.${p}`));
    const got = Buffer.from(s);
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) return undefined;
    try {
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { client_id: string; created_at: string; expires_in: string };
      return { clientId: payload.client_id, expiresAt: Number(payload.created_at) + Number(payload.expires_in) };
    } catch {
      return undefined;
    }
  }
}

function imsError(error: string, description: string): ApiError {
  return new ApiError(400, { error, error_description: description });
}

/** `POST /ims/token/v3`: form body (query string accepted too, as IMS does). Any client id with a non-empty secret. */
export function tokenResponse(issuer: TokenIssuer, form: URLSearchParams) {
  const grant = form.get('grant_type');
  if (!grant) throw imsError('invalid_request', 'grant_type is required');
  if (grant !== 'client_credentials') throw imsError('unsupported_grant_type', `grant_type "${grant}" is not supported; use client_credentials`);
  const clientId = form.get('client_id');
  if (!clientId) throw imsError('invalid_client', 'client_id is required');
  if (!form.get('client_secret')) throw imsError('invalid_client', 'client_secret is required');
  const { token, expiresIn } = issuer.issue(clientId);
  return { access_token: token, token_type: 'bearer', expires_in: expiresIn };
}

export const ORG_ID = /^[A-Za-z0-9]+@AdobeOrg$/;
/** help/sandboxes/ui/user-guide.md: lowercase, starts with a letter, up to 256 chars of letters, digits and '-'. */
export const SANDBOX_NAME = /^[a-z][a-z0-9-]{0,255}$/;

export interface CallerIdentity {
  clientId: string;
  org: string;
  sandbox: string;
}

type Headers = Record<string, string | string[] | undefined>;
const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The gateway's checks, in its order: token, api key, org header, the token's entitlement to that
 * org (`403025`, see tenants.ts); then the Flow Service's check of the sandbox name's form.
 */
export function authenticate(issuer: TokenIssuer, tenants: Tenants, headers: Headers): CallerIdentity {
  const authz = header(headers, 'authorization');
  if (!authz || authz.trim() === '') throw gatewayError(403, '403010', 'Oauth token is missing.');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
  const claims = m?.[1] ? issuer.verify(m[1]) : undefined;
  if (!claims) throw gatewayError(401, '401013', 'Oauth token is not valid');
  const apiKey = header(headers, 'x-api-key');
  if (!apiKey) throw gatewayError(403, '403000', 'Api Key is required');
  if (apiKey !== claims.clientId) throw gatewayError(403, '403003', 'Api Key is invalid');
  const org = header(headers, 'x-gw-ims-org-id');
  if (!org) throw gatewayError(400, '400003', 'Missing header x-gw-ims-org-id');
  if (!ORG_ID.test(org)) throw gatewayError(403, '403027', 'User region is missing');
  // help/landing/troubleshooting.md, "Profile is not valid": the integration is not entitled to the org in the header
  if (tenants.orgOf(claims.clientId) !== org) throw gatewayError(403, '403025', 'Profile is not valid');
  const sandboxHeader = header(headers, 'x-sandbox-name');
  const sandbox = sandboxHeader === undefined || sandboxHeader === '' ? 'prod' : sandboxHeader;
  if (!SANDBOX_NAME.test(sandbox)) {
    // 2100-404 (flow-service-errors.md): "… could not be found. Please ensure that the sandbox name is correct"
    throw sandboxNotFound('2100', sandbox, `The sandbox with the name '${sandbox}' could not be found. Please ensure that the sandbox name is correct and try again. (A sandbox name has lowercase letters, digits and "-", and starts with a letter.)`);
  }
  return { clientId: claims.clientId, org, sandbox };
}

/**
 * A Flow Service call names a sandbox of the caller's org: any other gets 2101-404, whose catalogue
 * message (flow-service-errors.md) is the one used here. Reads and writes alike.
 */
export function requireSandbox(tenants: Tenants, caller: CallerIdentity): void {
  if (tenants.hasSandbox(caller.org, caller.sandbox)) return;
  const s = caller.sandbox;
  throw sandboxNotFound('2101', s, `The sandbox with the name '${s}' could not be found. Error from Sandbox Management API: Sandbox with name '${s}' not present. Please check if resource exists.`);
}
