// Pull-request comments through the GitHub REST API (issue comments: a pull request is an issue).
// Uses the token as a bearer header only; it never appears in a message or a log line.
import { FlowsyncError } from '../domain/errors.ts';
import type { ExistingComment } from './comment-upsert.ts';

export interface GitHubTarget {
  apiUrl: string; // https://api.github.com, or GITHUB_API_URL on GitHub Enterprise Server
  repo: string; // OWNER/NAME
  pr: number;
  token: string;
}

export interface PostedComment {
  id: number;
  html_url?: string;
}

/** The next page from a Link header (`<url>; rel="next"`), if any. */
export function nextLink(link: string | null): string | undefined {
  for (const part of (link ?? '').split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

export class GitHubComments {
  private readonly base: string;
  private readonly target: GitHubTarget;

  constructor(target: GitHubTarget) {
    this.target = target;
    this.base = `${target.apiUrl.replace(/\/+$/, '')}/repos/${target.repo}`;
  }

  /** Every comment on the pull request, oldest first (all pages). */
  async list(): Promise<ExistingComment[]> {
    const out: ExistingComment[] = [];
    let url: string | undefined = `${this.base}/issues/${this.target.pr}/comments?per_page=100`;
    for (let pages = 0; url; pages++) {
      if (pages >= 100) throw new FlowsyncError('FS_COMMENT_API', `GET issues/${this.target.pr}/comments: more than 100 pages, or a next-page link that loops`);
      const res = await this.call('GET', url);
      const items = (await res.json()) as { id?: unknown; body?: unknown; html_url?: unknown }[];
      if (!Array.isArray(items)) throw new FlowsyncError('FS_COMMENT_API', `GET issues/${this.target.pr}/comments: the answer is not a list of comments`);
      for (const c of items) {
        if (typeof c.id !== 'number') continue;
        out.push({ id: c.id, body: typeof c.body === 'string' ? c.body : '', ...(typeof c.html_url === 'string' ? { url: c.html_url } : {}) });
      }
      url = nextLink(res.headers.get('link'));
    }
    return out;
  }

  async create(body: string): Promise<PostedComment> {
    return (await this.call('POST', `${this.base}/issues/${this.target.pr}/comments`, { body })).json() as Promise<PostedComment>;
  }

  async update(id: number, body: string): Promise<PostedComment> {
    return (await this.call('PATCH', `${this.base}/issues/comments/${id}`, { body })).json() as Promise<PostedComment>;
  }

  async remove(id: number): Promise<void> {
    await this.call('DELETE', `${this.base}/issues/comments/${id}`);
  }

  private async call(method: string, url: string, body?: unknown): Promise<Response> {
    const what = `${method} ${url.slice(this.base.length + 1).replace(/\?.*$/, '')}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.target.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'flowsync',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new FlowsyncError('FS_COMMENT_API', `${what}: no answer from ${this.target.apiUrl} (${(err as Error).message})`, { cause: err });
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let reason = text.slice(0, 300);
      try {
        reason = String((JSON.parse(text) as { message?: unknown }).message ?? reason);
      } catch {
        // not JSON: keep the start of the text
      }
      throw new FlowsyncError('FS_COMMENT_API', `${what}: HTTP ${res.status}${reason ? ` (${reason})` : ''}`, { hint: hintFor(res.status) });
    }
    return res;
  }
}

function hintFor(status: number): string | undefined {
  if (status === 401) return 'The token is not valid: pass the workflow token (GITHUB_TOKEN: ${{ github.token }}) or a valid token in the variable --token-env names.';
  if (status === 403) return 'Give the job `permissions: pull-requests: write`. Pull requests from forks get a read-only token: post the comment from a separate workflow_run workflow, or skip it.';
  if (status === 404) return 'Check the repository (GITHUB_REPOSITORY or --repo) and the pull request number (--pr), and that the token can see the repository.';
  return undefined;
}
