// Reading the docs as data for the doc tests: the Markdown files of README.md and docs/, their
// fenced blocks (with the line each starts on), their relative links and their headings' anchors.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface DocFile {
  file: string; // relative to the repository root
  text: string;
}

export interface CodeBlock {
  file: string;
  line: number; // 1-based line of the opening fence
  info: string; // what follows the fence: "sh runnable"
  body: string;
}

/** README.md, CONTRIBUTING.md (when present) and every .md under docs/, sorted. */
export function docFiles(root: string): DocFile[] {
  const files = ['README.md', 'CONTRIBUTING.md'].filter((f) => exists(path.join(root, f)));
  for (const e of readdirSync(path.join(root, 'docs'), { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith('.md')) files.push(path.relative(root, path.join(e.parentPath, e.name)));
  }
  return files.sort().map((file) => ({ file, text: readFileSync(path.join(root, file), 'utf8') }));
}

function exists(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}

export function codeBlocks(doc: DocFile): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = doc.text.split('\n');
  let open: { fence: string; line: number; info: string; body: string[] } | undefined;
  lines.forEach((text, i) => {
    const fence = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(text);
    if (!open && fence) open = { fence: fence[2] as string, line: i + 1, info: (fence[3] as string).trim(), body: [] };
    else if (open && fence && (fence[2] as string).startsWith(open.fence) && (fence[3] as string).trim() === '') {
      blocks.push({ file: doc.file, line: open.line, info: open.info, body: open.body.join('\n') });
      open = undefined;
    } else if (open) open.body.push(text);
  });
  return blocks;
}

/** Blocks marked to run: the fence's info string is `sh runnable` (or `bash runnable`). */
export function runnableBlocks(doc: DocFile): CodeBlock[] {
  return codeBlocks(doc).filter((b) => /^(sh|bash|shell)\s+runnable\b/.test(b.info));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes; repeats get -1, -2. */
export function anchors(doc: DocFile): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = doc.text.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '');
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = (m[1] as string).toLowerCase().replace(/<[^>]+>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of doc.text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1] as string);
  return out;
}

export interface Link {
  file: string;
  line: number;
  target: string; // as written, e.g. ../concepts/manifests.md#audiences
}

/** Relative links outside code: [text](target) and <img src>; http(s), mailto and pure #anchors included as written. */
export function links(doc: DocFile): Link[] {
  const out: Link[] = [];
  const inBlock = new Set<number>();
  for (const b of codeBlocks(doc)) for (let l = b.line; l <= b.line + b.body.split('\n').length; l++) inBlock.add(l);
  doc.text.split('\n').forEach((text, i) => {
    if (inBlock.has(i + 1)) return;
    const withoutCode = text.replace(/`[^`]*`/g, '');
    for (const m of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ file: doc.file, line: i + 1, target: m[1] as string });
  });
  return out;
}
