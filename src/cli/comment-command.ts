// `flowsync comment --github [DIR]`: keeps one pull-request comment up to date with the parts
// `flowsync plan --output markdown --out-dir DIR` wrote (the GitHub Action's last step).
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { FlowsyncError } from '../domain/errors.ts';
import { planUpsert } from '../review/comment-upsert.ts';
import { GitHubComments } from '../review/github-comments.ts';
import { oneOf, parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';

const USAGE = `Usage: flowsync comment --github [DIR] [flags]

Creates or updates the pull-request comment that \`flowsync plan --output markdown --out-dir DIR\`
wrote to DIR (comment-1.md, comment-2.md, …; default folder: flowsync-out). Earlier comments whose
first line is the same \`<!-- flowsync-plan: ID -->\` marker are edited in place (one per part;
unchanged ones are not touched), extra parts are added, and parts left over from a longer plan are
deleted. Other comments are never touched. Uses the GitHub REST API (issue comments).

Flags:
  --github            post to GitHub (the provider; required)
  --dir DIR           the folder holding comment-N.md (the same as the positional DIR)
  --pr N              the pull request number (default: from the event in GITHUB_EVENT_PATH)
  --repo OWNER/NAME   the repository (default: GITHUB_REPOSITORY)
  --api-url URL       the REST API (default: GITHUB_API_URL, else https://api.github.com)
  --token-env VAR     the environment variable holding the token (default: GITHUB_TOKEN); the
                      token needs pull-requests: write
  --output FORMAT     text (default) or json ({pr, url, created, updated, deleted, unchanged})
`;

async function commentParts(dir: string): Promise<string[]> {
  const files = await readdir(dir).catch(() => {
    throw new FlowsyncError('FS_COMMENT_SETUP', `comment: cannot read the folder ${dir}`);
  });
  const numbered = files
    .map((f) => ({ f, n: /^comment-(\d+)\.md$/.exec(f)?.[1] }))
    .filter((x): x is { f: string; n: string } => x.n !== undefined)
    .sort((a, b) => Number(a.n) - Number(b.n));
  if (numbered.length === 0) throw new FlowsyncError('FS_COMMENT_SETUP', `comment: no comment-1.md in ${dir}`);
  return Promise.all(numbered.map((x) => readFile(path.join(dir, x.f), 'utf8')));
}

/** The pull request of the workflow's event (pull_request, pull_request_target, issue_comment on a PR). */
async function eventPullRequest(env: NodeJS.ProcessEnv): Promise<number | undefined> {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  const event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8').catch(() => '{}')) as { pull_request?: { number?: unknown }; issue?: { number?: unknown; pull_request?: unknown } };
  const n = event.pull_request?.number ?? (event.issue?.pull_request ? event.issue.number : undefined);
  return typeof n === 'number' ? n : undefined;
}

export const commentCommand: Command = {
  name: 'comment',
  summary: 'Create or update the plan comment on a GitHub pull request',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags('comment', argv, {
      github: { type: 'boolean' },
      dir: { type: 'string' },
      pr: { type: 'string' },
      repo: { type: 'string' },
      'api-url': { type: 'string' },
      'token-env': { type: 'string' },
      output: { type: 'string' },
    });
    const output = oneOf('comment', 'output', values.output, ['text', 'json'] as const, 'text');
    if (!values.github) throw new FlowsyncError('FS_CLI_USAGE', 'comment: name the provider: --github');
    if (positionals.length > 1 || (positionals.length === 1 && values.dir !== undefined)) {
      throw new FlowsyncError('FS_CLI_USAGE', 'comment: give the comment folder once (DIR or --dir)');
    }
    const env = io.env;
    const pr = values.pr !== undefined ? Number(values.pr) : await eventPullRequest(env);
    if (values.pr !== undefined && !(Number.isInteger(pr) && pr! > 0)) throw new FlowsyncError('FS_CLI_USAGE', `comment: --pr takes a pull request number (got "${values.pr}")`);
    const repo = values.repo ?? env.GITHUB_REPOSITORY;
    const tokenEnv = values['token-env'] ?? 'GITHUB_TOKEN';
    const token = env[tokenEnv]?.trim();
    const apiUrl = values['api-url'] ?? env.GITHUB_API_URL ?? 'https://api.github.com';
    if (!repo || !/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new FlowsyncError('FS_COMMENT_SETUP', `comment: no repository: set GITHUB_REPOSITORY or pass --repo OWNER/NAME${repo ? ` (got "${repo}")` : ''}`);
    if (pr === undefined) throw new FlowsyncError('FS_COMMENT_SETUP', 'comment: no pull request number: run on a pull_request event (GITHUB_EVENT_PATH) or pass --pr N');
    if (!token) throw new FlowsyncError('FS_COMMENT_SETUP', `comment: no token: the environment variable ${tokenEnv} is not set`);
    if (!/^https?:\/\//.test(apiUrl)) throw new FlowsyncError('FS_CLI_USAGE', `comment: --api-url must be an http:// or https:// URL (got "${apiUrl}")`);
    const parts = await commentParts(path.resolve(io.cwd, values.dir ?? positionals[0] ?? 'flowsync-out'));

    const github = new GitHubComments({ apiUrl, repo, pr, token });
    const listed = await github.list();
    const steps = planUpsert(listed, parts);
    // Edit and add before deleting, so the pull request never shows no plan at all.
    for (const u of steps.update) await github.update(u.id, u.body);
    const created: (string | undefined)[] = [];
    for (const body of steps.create) created.push((await github.create(body)).html_url);
    for (const id of steps.remove) await github.remove(id);
    const url = steps.firstId === undefined ? created[0] : listed.find((c) => c.id === steps.firstId)?.url;
    const result = { pr, ...(url ? { url } : {}), created: steps.create.length, updated: steps.update.length, deleted: steps.remove.length, unchanged: steps.unchanged.length };
    if (output === 'json') io.stdout.write(`${JSON.stringify(result)}\n`);
    else io.stdout.write(`comment on ${repo}#${pr}: ${parts.length} part(s); ${result.updated} updated, ${result.created} created, ${result.deleted} deleted, ${result.unchanged} unchanged${url ? `: ${url}` : ''}\n`);
    return 0;
  },
};
