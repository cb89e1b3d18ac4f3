// The HTTP edge: routes /ims/token/v3, /data/foundation/flowservice/*, /data/core/ups/* (audiences),
// /data/foundation/sandbox-management/* and /__emulator/*, applies faults,
// logs requests, and writes JSON answers. Everything below it works on plain values.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_PREFIX, handleAdmin, type FullAdmin } from './admin.ts';
import { ApiError, flowError, gatewayError, withEcho } from './api-error.ts';
import { authenticate, requireSandbox, tokenResponse, type TokenIssuer } from './auth.ts';
import { dropParamsOnRead, type Faults, type FaultDecision } from './faults.ts';
import { handleFlowService, type ServiceResponse } from './flow-service.ts';
import { isActivated } from './flows.ts';
import type { Audiences } from './audiences.ts';
import { handleSegmentation, SEGMENTATION_PATH } from './segmentation.ts';
import { handleSandboxes, SANDBOX_API_PATH } from './sandboxes.ts';
import type { RequestLog } from './request-log.ts';
import type { Store } from './store.ts';
import type { Tenants } from './tenants.ts';

export const BASE_PATH = '/data/foundation/flowservice';
export const IMS_PATH = '/ims/token/v3';
const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
const MAX_BODY = 10 * 1024 * 1024;

export interface ServerDeps {
  /** True once close() started: requests still waiting (latency) are dropped instead of handled. */
  closing: () => boolean;
  store: Store;
  faults: Faults;
  log: RequestLog;
  issuer: TokenIssuer;
  admin: FullAdmin;
  now: () => number;
  /** Each org's sandboxes and each client's org. */
  tenants: Tenants;
  audiences: Audiences;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new ApiError(413, { message: 'Request body too large' }));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw flowError(400, '1100', 'The request body is not valid JSON');
  }
}

function send(res: ServerResponse, out: ServiceResponse, requestId: string | undefined): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...out.headers, ...(requestId ? { 'x-request-id': requestId } : {}) };
  let payload = '';
  if (out.body !== undefined) {
    payload = JSON.stringify(out.body);
    headers['content-type'] = 'application/json;charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(out.status, headers);
  res.end(payload);
}

function faultAnswer(d: Extract<FaultDecision, { kind: 'status' }>): ApiError {
  const headers: Record<string, string> = d.retryAfter !== undefined ? { 'retry-after': String(d.retryAfter) } : {};
  if (d.status === 429) return gatewayError(429, '429050', 'Too many requests', headers);
  if (d.status === 401) return gatewayError(401, '401013', 'Oauth token is not valid', headers);
  const code = { 500: '1102', 503: '1103', 504: '1104' }[d.status] ?? '1102';
  const err = d.status >= 500 ? flowError(d.status, code, `Injected fault: ${d.status}`) : flowError(d.status, '1100', `Injected fault: ${d.status}`);
  return new ApiError(err.status, err.body, headers);
}

const CREATE_PATH = /^\/(connections|sourceConnections|targetConnections|flows)\/?$/;
const isCreate = (method: string, servicePath: string) => method === 'POST' && CREATE_PATH.test(servicePath);

// unref: a request held by latency never keeps a closed emulator's process alive
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export function createHandler(deps: ServerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const at = deps.now();
    // a request id the client sends is echoed (header and error report); none is invented otherwise
    const sentId = req.headers['x-request-id'];
    const requestId = typeof sentId === 'string' && sentId !== '' ? sentId : undefined;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    const servicePath = path === BASE_PATH || path.startsWith(`${BASE_PATH}/`) ? path.slice(BASE_PATH.length) || '/' : undefined;
    const h = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const isWrite = servicePath !== undefined && WRITE_METHODS.has(method);
    const segmentationPath = path.startsWith(`${SEGMENTATION_PATH}/`) ? path.slice(SEGMENTATION_PATH.length) : undefined;
    let fault: string | undefined;
    const record = (status: number) => {
      if (path.startsWith(`${ADMIN_PREFIX}/`)) return;
      deps.log.add({
        at, method, path, query: url.search.slice(1), status, org: h('x-gw-ims-org-id'),
        sandbox: servicePath !== undefined || segmentationPath !== undefined ? (h('x-sandbox-name') || 'prod') : undefined,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000, write: isWrite, ...(fault ? { fault } : {}),
        ...(h('user-agent') ? { userAgent: h('user-agent') } : {}),
      });
    };
    const drop = () => {
      record(0);
      req.socket.destroy();
    };
    let text = '';
    try {
      text = await readBody(req);
      if (path.startsWith(`${ADMIN_PREFIX}/`)) {
        send(res, handleAdmin(deps.admin, method, path.slice(ADMIN_PREFIX.length + 1), parseJson(text)), requestId);
        return;
      }
      if (servicePath !== undefined) {
        const latency = deps.faults.latency();
        if (latency > 0) await sleep(latency);
        if (deps.closing()) return drop();
      }
      const faultReq = { method, fullPath: path, servicePath };
      const decision = deps.faults.decide(faultReq);
      if (decision.kind === 'drop') {
        fault = decision.fault;
        return drop();
      }
      if (decision.kind === 'status') {
        fault = decision.fault;
        throw faultAnswer(decision);
      }
      let out: ServiceResponse;
      if (path === IMS_PATH) {
        if (method !== 'POST') throw new ApiError(405, { error: 'invalid_request', error_description: 'use POST' });
        const form = new URLSearchParams(url.search);
        for (const [k, v] of new URLSearchParams(text)) form.set(k, v);
        out = { status: 200, body: tokenResponse(deps.issuer, form) };
      } else if (servicePath !== undefined) {
        const caller = authenticate(deps.issuer, deps.tenants, req.headers);
        requireSandbox(deps.tenants, caller);
        const body = parseJson(text);
        const lateMs = isCreate(method, servicePath) ? deps.faults.lateCommitDelay(faultReq) : 0;
        if (lateMs > 0) {
          fault = 'lateCommit';
          await sleep(lateMs); // the commit itself is late: nothing is stored before this
          if (deps.closing()) return drop();
        }
        out = handleFlowService(
          { method, path: servicePath, query: url.searchParams, headers: req.headers, body },
          {
            store: deps.store, scope: deps.store.scope(caller.org, caller.sandbox), org: caller.org, sandbox: caller.sandbox,
            user: `${caller.clientId}@AdobeID`, client: caller.clientId, now: deps.now(), transitionMs: deps.faults.config.transitionMs, runs: deps.faults.config,
            isAudience: (id) => deps.audiences.has(caller.org, caller.sandbox, id),
          },
        );
        if (method === 'GET' && out.status === 200 && deps.faults.config.dropParamsOnRead.length > 0) {
          out = { ...out, body: dropParamsOnRead(deps.faults.config.dropParamsOnRead, servicePath, out.body) };
        }
        if (isWrite && out.status < 300 && deps.faults.dropAfterCommit(faultReq)) {
          fault = 'dropAfterCommit';
          return drop();
        }
      } else if (segmentationPath !== undefined) {
        const caller = authenticate(deps.issuer, deps.tenants, req.headers); // same gateway and sandbox checks as the Flow Service
        requireSandbox(deps.tenants, caller);
        out = handleSegmentation(
          { method, path: segmentationPath, query: url.searchParams, body: parseJson(text) },
          {
            audiences: deps.audiences, org: caller.org, sandbox: caller.sandbox, user: `${caller.clientId}@AdobeID`, now: deps.now(),
            activated: (id) => isActivated(deps.store.scope(caller.org, caller.sandbox), id),
          },
        );
      } else if (path.startsWith(`${SANDBOX_API_PATH}/`)) {
        const caller = authenticate(deps.issuer, deps.tenants, req.headers); // same gateway checks as the Flow Service
        out = handleSandboxes({ method, path: path.slice(SANDBOX_API_PATH.length), query: url.searchParams }, deps.tenants.sandboxesOf(caller.org));
      } else {
        out = { status: 404, body: { error_code: '404000', message: `No route for ${method} ${path}` } };
      }
      send(res, out, requestId);
      record(out.status);
    } catch (err) {
      const plain = err instanceof ApiError ? err : flowError(500, '1102', 'Internal error in the emulator');
      const e = deps.faults.config.echoRequest ? withEcho(plain, `${method} ${url.pathname}${url.search} authorization=${h('authorization') ?? ''} body=${text}`) : plain;
      if (!(err instanceof ApiError)) process.emitWarning(`flowsync emulator: ${(err as Error).stack ?? String(err)}`);
      const report = e.body.report;
      const body = requestId && report && typeof report === 'object' ? { ...e.body, report: { ...report, 'request-id': requestId } } : e.body;
      send(res, { status: e.status, body, headers: e.headers }, requestId);
      record(e.status);
    }
  };
}
