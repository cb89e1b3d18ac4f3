// The daemon's HTTP surface on node:http: /healthz, /readyz, /metrics, /status and the webhook.
// `createHandler` builds the request handler on its own (tests can call it without a socket);
// `listen` binds it, on 127.0.0.1 unless another address is asked for.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { FlowsyncError } from '../domain/errors.ts';
import type { DaemonMetrics } from './metrics.ts';
import type { StatusDocument } from './status-store.ts';
import { decideWebhook, type WebhookConfig, type WebhookDecision } from './webhook.ts';

export const WEBHOOK_PATHS = ['/webhook', '/hooks/git'];
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface HandlerDeps {
  status: () => StatusDocument;
  ready: () => boolean;
  metrics: DaemonMetrics;
  webhook: WebhookConfig;
  onWebhook: (decision: Extract<WebhookDecision, { outcome: 'accepted' }>) => void;
  logger: Logger;
  bodyLimit?: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function createHandler(deps: HandlerDeps): Handler {
  const limit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = async (): Promise<void> => {
      if (WEBHOOK_PATHS.includes(path)) return webhook(req, res, deps, limit);
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
      switch (path) {
        case '/healthz':
          return send(res, 200, { status: 'ok' });
        case '/readyz': {
          const ready = deps.ready();
          return send(res, ready ? 200 : 503, { ready, ...readyDetail(deps.status()) });
        }
        case '/metrics':
          return sendText(res, 200, await deps.metrics.text(), deps.metrics.contentType);
        case '/status':
          return send(res, 200, deps.status());
        default:
          return send(res, 404, { error: 'not found' });
      }
    };
    route().catch((err: unknown) => {
      deps.logger.error({ event: 'http-error', path, err: err instanceof Error ? err.message : String(err) }, 'request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
}

function readyDetail(s: StatusDocument): Record<string, unknown> {
  return { reachable: s.reachable, lastResult: s.lastCycle?.result ?? null, revision: s.revision.inForce };
}

async function webhook(req: IncomingMessage, res: ServerResponse, deps: HandlerDeps, limit: number): Promise<void> {
  if (deps.webhook.secret === undefined && !deps.webhook.insecure) return send(res, 404, { error: 'not found' });
  if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' }, { allow: 'POST' });
  const body = await readBody(req, limit);
  const meta = { event: 'webhook', delivery: req.headers['x-github-delivery'], githubEvent: req.headers['x-github-event'], remote: req.socket.remoteAddress };
  if (body === 'too-large') {
    deps.metrics.webhook('too-large');
    deps.logger.warn({ ...meta, limitBytes: limit }, 'webhook refused: body too large');
    return send(res, 413, { error: `body larger than ${limit} bytes` }, { connection: 'close' });
  }
  const decision = decideWebhook(deps.webhook, req.headers, body);
  switch (decision.outcome) {
    case 'disabled':
      return send(res, 404, { error: 'not found' });
    case 'unauthorized':
      deps.metrics.webhook('unauthorized');
      deps.logger.warn({ ...meta, reason: decision.reason }, 'webhook refused: bad or missing signature');
      return send(res, 401, { error: 'invalid signature' });
    case 'bad-request':
      deps.metrics.webhook('bad-request');
      deps.logger.warn({ ...meta, reason: decision.reason }, 'webhook refused');
      return send(res, 400, { error: decision.reason });
    case 'ping':
      deps.metrics.webhook('ping');
      deps.logger.info(meta, 'webhook ping');
      return send(res, 200, { ok: true });
    case 'ignored':
      deps.metrics.webhook('ignored');
      deps.logger.info({ ...meta, reason: decision.reason }, 'webhook ignored');
      return send(res, 202, { accepted: false, reason: decision.reason });
    case 'accepted':
      deps.metrics.webhook('accepted');
      deps.logger.info({ ...meta, ref: decision.ref, after: decision.after }, 'webhook accepted: cycle triggered');
      deps.onWebhook(decision);
      return send(res, 202, { accepted: true });
  }
}

/** Reads the raw body, or 'too-large' as soon as it passes the limit (Content-Length is checked first). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // drain without keeping anything, so the 413 can be read by the client
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, `${JSON.stringify(body, null, 2)}\n`, 'application/json; charset=utf-8', headers);
}

function sendText(res: ServerResponse, status: number, text: string, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}

export interface Listening {
  server: Server;
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function listen(handler: Handler, host = '127.0.0.1', port = 0): Promise<Listening> {
  const server = createServer(handler);
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new FlowsyncError('FS_DAEMON_LISTEN', `cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err })),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    host: addr.address,
    port: addr.port,
    url: `http://${shownHost}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running get a moment to finish before their sockets are closed.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      }),
  };
}
