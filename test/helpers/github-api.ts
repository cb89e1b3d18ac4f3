// A small stand-in of GitHub's REST API for issue comments on one pull request, on 127.0.0.1:0:
// list (two per page, with Link headers, so pagination is exercised), create, edit, delete. It
// checks the headers GitHub requires and records every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export interface StandInComment {
  id: number;
  body: string;
  user: string;
}

export interface GitHubStandIn {
  url: string;
  comments: Map<number, StandInComment>;
  requests: string[];
  /** Answer every request with this status (e.g. 403) instead. */
  failWith?: number;
}

const PAGE = 2;

export async function startGitHubStandIn(t: TestContext, opts: { repo: string; pr: number; token: string; comments?: Omit<StandInComment, 'id'>[] }): Promise<GitHubStandIn> {
  const state: GitHubStandIn = { url: '', comments: new Map(), requests: [] };
  let next = 100;
  for (const c of opts.comments ?? []) state.comments.set(next, { id: next++, ...c });
  const html = (id: number) => `https://github.example/${opts.repo}/pull/${opts.pr}#issuecomment-${id}`;
  const view = (c: StandInComment) => ({ id: c.id, body: c.body, user: { login: c.user }, html_url: html(c.id) });

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    state.requests.push(`${req.method} ${req.url}`);
    const send = (status: number, value?: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(value === undefined ? '' : JSON.stringify(value));
    if (req.headers.authorization !== `Bearer ${opts.token}`) return send(401, { message: 'Bad credentials' });
    if (req.headers.accept !== 'application/vnd.github+json' || !req.headers['user-agent']) return send(400, { message: 'missing accept or user-agent' });
    if (state.failWith) return send(state.failWith, { message: 'Resource not accessible by integration' });
    const url = new URL(req.url!, state.url);
    const base = `/repos/${opts.repo}`;
    if (url.pathname === `${base}/issues/${opts.pr}/comments`) {
      if (req.method === 'GET') {
        const page = Number(url.searchParams.get('page') ?? '1');
        const all = [...state.comments.values()].sort((a, b) => a.id - b.id);
        const last = Math.max(1, Math.ceil(all.length / PAGE));
        const link: Record<string, string> = page < last ? { link: `<${state.url}${base}/issues/${opts.pr}/comments?per_page=${PAGE}&page=${page + 1}>; rel="next", <${state.url}${base}/issues/${opts.pr}/comments?per_page=${PAGE}&page=${last}>; rel="last"` } : {};
        return send(200, all.slice((page - 1) * PAGE, page * PAGE).map(view), link);
      }
      if (req.method === 'POST') {
        const c = { id: next++, body: (JSON.parse(body) as { body: string }).body, user: 'github-actions[bot]' };
        state.comments.set(c.id, c);
        return send(201, view(c));
      }
    }
    const one = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(url.pathname);
    const c = one ? state.comments.get(Number(one[1])) : undefined;
    if (c && req.method === 'PATCH') {
      c.body = (JSON.parse(body) as { body: string }).body;
      return send(200, view(c));
    }
    if (c && req.method === 'DELETE') {
      state.comments.delete(c.id);
      return send(204);
    }
    return send(404, { message: 'Not Found' });
  };

  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
