// YAML text -> plain documents that remember where every node came from. Hostile input (deep
// nesting, alias bombs, cycles, too many documents, odd keys) becomes diagnostics, never a crash.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type ParsedNode } from 'yaml';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { diag, formatPath } from './diag.ts';
import { fastParseYamlFile, type Reread } from './fast-yaml.ts';
import { LIMITS } from './limits.ts';
import type { FieldPath, ParsedDoc, Pos } from './types.ts';

export interface ParseCodes {
  yaml: string;
  tooDeep: string;
  alias: string;
  tooMany: string;
}

export const MANIFEST_PARSE_CODES: ParseCodes = {
  yaml: 'FS_MANIFEST_YAML',
  tooDeep: 'FS_MANIFEST_TOO_DEEP',
  alias: 'FS_MANIFEST_ALIAS',
  tooMany: 'FS_MANIFEST_TOO_MANY_DOCUMENTS',
};

/**
 * Finds where flow brackets nest deeper than the limit, before the YAML parser sees them (it runs
 * out of memory on ~100k nested brackets). Quoted strings and comments are skipped; a stray bracket
 * in a plain scalar only makes the count larger, never hides real nesting.
 */
export function flowDepthOffset(text: string, limit: number): number {
  // Jumps from one character that matters to the next (a native regex scan), instead of looking at
  // every character in JavaScript: loading 10,000 manifests spent 0.1 s here.
  const notable = /[[\]{}"'#]/g;
  let depth = 0;
  for (let m = notable.exec(text); m; m = notable.exec(text)) {
    const i = m.index;
    const c = text.charCodeAt(i);
    const after = i === 0 || isSpace(text.charCodeAt(i - 1));
    if (c === HASH) {
      if (!after) continue;
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      notable.lastIndex = nl + 1;
    } else if (c === DQUOTE || c === SQUOTE) {
      if (!after && !OPENERS.has(text.charCodeAt(i - 1))) continue;
      const end = closingQuote(text, i + 1, c);
      if (end < 0) break;
      notable.lastIndex = end + 1;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (depth > 0) depth--;
  }
  return -1;
}

/** Offset of the quote that closes one opened before `from` (a backslash escapes in double quotes only), or -1. */
function closingQuote(text: string, from: number, quote: number): number {
  if (quote === SQUOTE) return text.indexOf("'", from);
  const stop = /["\\]/g;
  stop.lastIndex = from;
  for (let m = stop.exec(text); m; m = stop.exec(text)) {
    if (text.charCodeAt(m.index) === DQUOTE) return m.index;
    stop.lastIndex = m.index + 2;
  }
  return -1;
}

const [BACKSLASH, DQUOTE, SQUOTE, HASH] = [0x5c, 0x22, 0x27, 0x23];
const OPENERS = new Set([0x5b, 0x7b, 0x2c, 0x3a]); // [ { , :
/** What /\s/ matches, by code unit. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c > 0x7f && /\s/.test(String.fromCharCode(c)));
}

function nodeStart(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

/** Checks keys (plain scalars, unique) and nesting depth; returns diagnostics for the document. */
function checkTree(doc: Document.Parsed, file: string, lc: LineCounter, codes: ParseCodes): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (offset: number | undefined) => {
    const p = lc.linePos(offset ?? 0);
    return { file, line: p.line, column: p.col };
  };
  const walk = (node: unknown, depth: number, path: (string | number)[]): boolean => {
    if (depth > LIMITS.depth) {
      out.push(diag('error', codes.tooDeep, `${formatPath(path) || 'document'} nests deeper than ${LIMITS.depth} levels`, 'Flatten the document; a manifest needs only a few levels.', at(nodeStart(node as Node))));
      return false;
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (!isScalar(key) || (key.value !== null && typeof key.value === 'object')) {
          out.push(diag('error', codes.yaml, `${formatPath(path) || 'document'} has a key that is not a plain value`, 'Use plain text keys (no maps, lists or aliases as keys).', at(nodeStart(key) ?? nodeStart(node))));
          continue;
        }
        const name = String(key.value);
        if (seen.has(name)) {
          out.push(diag('error', codes.yaml, `${formatPath([...path, name])} is set twice`, 'Keep one of the two keys; YAML map keys must be unique.', { ...at(nodeStart(key)), path: formatPath([...path, name]) }));
        }
        seen.add(name);
        if (!walk(pair.value, depth + 1, [...path, name])) return false;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) if (!walk(node.items[i], depth + 1, [...path, i])) return false;
    }
    return true;
  };
  walk(doc.contents, 1, []);
  return out;
}

/** Depth of a plain value with aliases expanded; cycles count as too deep. */
function valueTooDeep(value: unknown, depth = 1): boolean {
  if (depth > LIMITS.depth * 4) return true;
  if (Array.isArray(value)) return value.some((v) => valueTooDeep(v, depth + 1));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => valueTooDeep(v, depth + 1));
  return false;
}

function makeLocator(doc: Document.Parsed, lc: LineCounter) {
  return (path: FieldPath, opts: { key?: boolean } = {}): Pos => {
    let node: unknown = doc.contents;
    let best: number | undefined = nodeStart(doc.contents as Node) ?? doc.range[0];
    let keyPos: number | undefined;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      let next: unknown;
      keyPos = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (pair) {
          keyPos = nodeStart(pair.key as Node);
          next = pair.value;
          // `key:` with no value: its empty scalar sits after the colon; point at the key instead.
          if (!next || (isScalar(next) && next.source === '' && next.value === null)) next = pair.key;
        }
      } else if (isSeq(node) && typeof seg === 'number') next = node.items[seg];
      if (next === undefined || next === null) return toPos(lc, best);
      node = next;
      best = nodeStart(node as Node) ?? best;
    }
    return toPos(lc, opts.key && keyPos !== undefined ? keyPos : best);
  };
}

function toPos(lc: LineCounter, offset: number | undefined): Pos {
  const p = lc.linePos(offset ?? 0);
  return { line: p.line, column: p.col };
}

/**
 * The yaml parser reads process.env.LOG_TOKENS once per token, and process.env is a slow native
 * getter: a plain copy for the duration of the (synchronous) parse makes loading ~25% faster.
 * No other JavaScript runs before it is put back.
 */
function withPlainEnv<T>(fn: () => T): T {
  const env = process.env;
  process.env = { ...env };
  try {
    return fn();
  } finally {
    process.env = env;
  }
}

/**
 * Parses one file's text into documents. Documents with errors are left out of `docs`. Plain files
 * take the js-yaml fast path (fast-yaml.ts: with `reread`, its documents find positions in the file
 * read again rather than in a kept copy of the text); the rest, and every file with a problem, this parser.
 */
export function parseYamlFile(file: string, text: string, codes: ParseCodes = MANIFEST_PARSE_CODES, reread?: Reread): { docs: ParsedDoc[]; diagnostics: Diagnostic[] } {
  const deep = flowDepthOffset(text, LIMITS.depth);
  const fast = deep < 0 ? fastParseYamlFile(file, text, (f, t) => parseYamlFileSlow(f, t, codes, -1).docs, reread) : undefined;
  return fast ? { docs: fast, diagnostics: [] } : parseYamlFileSlow(file, text, codes, deep);
}

/** The `yaml` library's reading, with exact positions and all diagnostics; `deep` is flowDepthOffset's answer. */
export function parseYamlFileSlow(file: string, text: string, codes: ParseCodes = MANIFEST_PARSE_CODES, deep = flowDepthOffset(text, LIMITS.depth)): { docs: ParsedDoc[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lc = new LineCounter();
  if (deep >= 0) {
    lc.addNewLine(0);
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lc.addNewLine(i + 1);
    const p = toPos(lc, deep);
    diagnostics.push(diag('error', codes.tooDeep, `flow collections ([…] or {…}) nest deeper than ${LIMITS.depth} levels`, 'Flatten the document; a manifest needs only a few levels.', { file, ...p }));
    return { docs: [], diagnostics };
  }
  const all = withPlainEnv(() => parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, keepSourceTokens: false }));
  const documents: Document.Parsed[] = Array.isArray(all) ? all : [];
  if (documents.length > LIMITS.documentsPerFile) {
    diagnostics.push(diag('error', codes.tooMany, `file has ${documents.length} YAML documents; the limit is ${LIMITS.documentsPerFile}`, 'Split the file into several files.', { file, line: 1, column: 1 }));
    return { docs: [], diagnostics };
  }
  const docs: ParsedDoc[] = [];
  documents.forEach((doc, index) => {
    // Messages come without source excerpts (prettyErrors: false), so no value can leak through them.
    for (const err of doc.errors) {
      diagnostics.push(diag('error', codes.yaml, `YAML syntax: ${safeYamlMessage(err.message)}`, 'Fix the YAML syntax at the position shown (indentation, quotes, colons).', { file, ...toPos(lc, err.pos[0]) }));
    }
    for (const warn of doc.warnings) {
      diagnostics.push(diag('warning', codes.yaml, `YAML: ${safeYamlMessage(warn.message)}`, 'Remove custom tags and directives; manifests are plain YAML.', { file, ...toPos(lc, warn.pos[0]) }));
    }
    if (doc.errors.length) return;
    const treeDiags = checkTree(doc, file, lc, codes);
    diagnostics.push(...treeDiags);
    if (treeDiags.some((d) => d.severity === 'error')) return;
    const start = toPos(lc, nodeStart(doc.contents as ParsedNode | null) ?? doc.range[0]);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: LIMITS.aliases });
    } catch (err) {
      const summary = err instanceof ReferenceError && /alias/i.test(err.message) ? `aliases expand to too much data (more than ${LIMITS.aliases} alias uses)` : `YAML: ${safeYamlMessage((err as Error).message)}`;
      diagnostics.push(diag('error', codes.alias, summary, 'Write the values out instead of using many anchors and aliases (*name).', { file, ...start }));
      return;
    }
    if (valueTooDeep(value)) {
      diagnostics.push(diag('error', codes.tooDeep, `document nests deeper than ${LIMITS.depth * 4} levels once aliases are expanded (or an alias refers to itself)`, 'Remove the recursive or deeply nested aliases.', { file, ...start }));
      return;
    }
    if (value === null || value === undefined) return; // empty document, e.g. a trailing `---`
    docs.push({ file, index, value, start, locate: makeLocator(doc, lc) });
  });
  return { docs, diagnostics };
}

/**
 * The parser's message, without the source text some of them quote (a token, a plain scalar), since
 * that text may be a secret written where it does not belong.
 */
export function safeYamlMessage(message: string): string {
  const line = (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
  const tag = /^Unresolved tag: (![!\w.:/-]{0,40})$/.exec(line);
  if (tag || /^Missing closing ["']quote$/.test(line)) return line;
  // "…: <source>" and "<quoted source>" carry the offending text; keep the words before them.
  let safe = line.replace(/(\w): .*$/, '$1').replace(/"(?:[^"\\]|\\.)*"?/g, '…');
  const prefix = /^(Unresolved plain scalar|Invalid escape sequence|Block scalar lines must not be less indented than their)\b/.exec(safe);
  if (prefix) safe = prefix[1]!;
  const unexpected = /^Unexpected (.+) in (.+)$/.exec(safe);
  if (unexpected && unexpected[1]!.length > 3 && !/^[\w-]+ token$/.test(unexpected[1]!)) safe = `Unexpected token in ${unexpected[2]}`;
  return safe.length > 120 ? `${safe.slice(0, 120)}…` : safe;
}
