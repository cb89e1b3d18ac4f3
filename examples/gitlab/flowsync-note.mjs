#!/usr/bin/env node
// Keeps ONE flowsync note on a GitLab merge request up to date: finds earlier notes by the
// `<!-- flowsync-plan: ID` marker on their first line, edits them in place (one per comment part),
// adds notes for extra parts and deletes notes left over from a longer plan.
// Usage (in a merge-request pipeline): node flowsync-note.mjs DIR   (DIR holds comment-1.md, …)
// Needs CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID (set by GitLab) and FLOWSYNC_NOTE_TOKEN.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const dir = process.argv[2] ?? 'flowsync-out';
const { CI_API_V4_URL: api, CI_PROJECT_ID: project, CI_MERGE_REQUEST_IID: mr, FLOWSYNC_NOTE_TOKEN: token } = process.env;
if (!api || !project || !mr || !token) {
  console.error('flowsync-note: needs CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID and FLOWSYNC_NOTE_TOKEN');
  process.exit(1);
}
const base = `${api}/projects/${encodeURIComponent(project)}/merge_requests/${mr}/notes`;

async function call(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: { 'PRIVATE-TOKEN': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${url.replace(api, '')}: HTTP ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

const files = (await readdir(dir)).filter((f) => /^comment-\d+\.md$/.test(f)).sort((a, b) => parseInt(a.slice(8), 10) - parseInt(b.slice(8), 10));
if (files.length === 0) throw new Error(`flowsync-note: no comment-N.md in ${dir}`);
const parts = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')));
const prefix = parts[0].split('\n')[0].replace(/ part \d+ of \d+ -->$/, '').replace(/ -->$/, '');
const isOurs = (body) => {
  const first = body.split('\n')[0];
  return first === `${prefix} -->` || first.startsWith(`${prefix} part `);
};

const old = [];
for (let page = 1; ; page++) {
  const notes = await call('GET', `${base}?per_page=100&page=${page}&sort=asc&order_by=created_at`);
  old.push(...notes.filter((n) => !n.system && isOurs(n.body)).map((n) => n.id));
  if (notes.length < 100) break;
}
for (const [i, body] of parts.entries()) {
  if (i < old.length) await call('PUT', `${base}/${old[i]}`, { body });
  else await call('POST', base, { body });
}
for (const id of old.slice(parts.length)) await call('DELETE', `${base}/${id}`);
console.log(`flowsync-note: ${parts.length} part(s) posted (${Math.min(old.length, parts.length)} updated in place)`);
