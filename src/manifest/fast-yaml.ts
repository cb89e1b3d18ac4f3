// The fast path of YAML loading: js-yaml reads plain manifest files ~10x faster than the `yaml`
// library builds its Documents. It is taken only for text with nothing the two parsers could read
// differently (a conservative textual check, then checks on the value); anything else, and every
// error, goes to the slow path, which owns all diagnostics. Positions for diagnostics come from the
// slow path too, parsed lazily on the first `locate()` of a file.
import { crc32 } from 'node:zlib';
import jsyaml from 'js-yaml';
import { ownCopy } from '../domain/intern.ts';
import { LIMITS } from './limits.ts';
import type { FieldPath, ParsedDoc, Pos } from './types.ts';

// Scalar resolution exactly as the `yaml` library's YAML 1.2 core schema does it (same patterns,
// same conversions), so a plain scalar gets the same type and value from both parsers.
// `first` is a cheap pre-check on the first character: js-yaml tries every type on every plain scalar.
const scalar = (tag: string, first: RegExp, test: RegExp, construct: (s: string) => unknown) =>
  new jsyaml.Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (s: string) => (s === '' || first.test(s[0]!)) && test.test(s), construct });
const CORE_12 = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', /[~nN]/, /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar('bool', /[tTfF]/, /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
    scalar('int', /[-+0-9]/, /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, (s) => (s[1] === 'o' ? parseInt(s.slice(2), 8) : s[1] === 'x' ? parseInt(s.slice(2), 16) : parseInt(s, 10))),
    scalar('float', /[-+.0-9]/, /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) =>
      /nan$/i.test(s) ? NaN : /inf$/i.test(s) ? (s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY) : parseFloat(s),
    ),
  ],
});

/**
 * Constructs the parsers could read differently, or that carry diagnostics on the slow path. A
 * match only sends the file to the slow path, so false alarms (say `&x` inside a quoted string)
 * cost time, never correctness.
 */
const UNSAFE: readonly RegExp[] = [
  // Tabs, CR, BOM (whitespace rules differ in the corners); non-printable characters, lone surrogates.
  /[\t\r\uFEFF\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/,
  /[\]}][ ]*:/, // a flow collection as a key
  /[{,](?:\s|#[^\n]*)*\[/, // a flow sequence where a flow mapping's key may stand (`{a: 1, [x]}`: js-yaml makes the key "x")
  /^(?:\.\.\.|---(?![ ]*(?:\n|$|[ ]#)))/m, // document end markers; content on a `---` line
  /["'\]}]#/, // a comment glued to a quote or bracket (the slow path reports it)
  /\\U/, // 8-digit escapes: js-yaml accepts code points past U+10FFFF
  /<<|__proto__/, // merge keys; a key the two parsers store differently
];

/** Anchors, aliases, tags, block scalars, explicit keys, directives, reserved: `[&*!|>?%@\`]` at a token start. */
const INDICATOR = /[&*!|>?%@`]/g;
const TOKEN_START = /[\s[{,]/;

/** A sequence entry with nothing after its dash (js-yaml misreads `- -` then a dedent). */
const EMPTY_ENTRY = /-[ ]*(?:#|\n|$)/g;
const DASHES_ONLY = /^[ ]*(?:-[ ]+)*$/;

function hasIndicatorAtTokenStart(text: string): boolean {
  INDICATOR.lastIndex = 0;
  for (let m = INDICATOR.exec(text); m; m = INDICATOR.exec(text)) {
    if (m.index === 0 || TOKEN_START.test(text[m.index - 1]!)) return true;
  }
  return false;
}

function hasEmptySequenceEntry(text: string): boolean {
  EMPTY_ENTRY.lastIndex = 0;
  for (let m = EMPTY_ENTRY.exec(text); m; m = EMPTY_ENTRY.exec(text)) {
    if (DASHES_ONLY.test(text.slice(text.lastIndexOf('\n', m.index - 1) + 1, m.index))) return true;
    EMPTY_ENTRY.lastIndex = m.index + 1;
  }
  return false;
}

export function fastPathSafe(text: string): boolean {
  return !UNSAFE.some((re) => re.test(text)) && !hasIndicatorAtTokenStart(text) && !hasEmptySequenceEntry(text);
}

/**
 * A document's region: where its content starts (0-based offset, -1 when it has none), and the
 * text between its `---` lines (`from` is a line start, `to` the start of the next marker line).
 */
interface Region {
  contentAt: number;
  from: number;
  to: number;
}

/**
 * Splits the text at `---` lines the way the `yaml` library does: a first `---` after nothing but
 * comments and blank lines opens the first document instead of a second one.
 */
function regions(text: string): Region[] {
  const out: Region[] = [];
  let current: Region = { contentAt: -1, from: 0, to: text.length };
  let sawMarker = false;
  let lineStart = 0;
  while (lineStart < text.length) {
    let end = text.indexOf('\n', lineStart);
    if (end < 0) end = text.length;
    if (text.startsWith('---', lineStart) && (lineStart + 3 === end || text[lineStart + 3] === ' ')) {
      current.to = lineStart;
      if (sawMarker || current.contentAt >= 0) out.push(current);
      current = { contentAt: -1, from: Math.min(end + 1, text.length), to: text.length };
      sawMarker = true;
    } else if (current.contentAt < 0) {
      let i = lineStart;
      while (i < end && text[i] === ' ') i++;
      if (i < end && text[i] !== '#') current.contentAt = i;
    }
    lineStart = end + 1;
  }
  if (sawMarker || current.contentAt >= 0 || out.length === 0) out.push(current);
  return out;
}

/**
 * Map keys the slow path stores differently (a null key is '' there) or reports: fall back. js-yaml
 * turns a mapping used as a key (`{a: 1, {}}`) into "[object Object]".
 */
const SUSPECT_KEYS = new Set(['', 'null', '[object Object]']);

function plainTree(value: unknown, depth: number): boolean {
  if (depth > LIMITS.depth - 1) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (!plainTree(v, depth + 1)) return false;
    return true;
  }
  if (value !== null && typeof value === 'object') {
    for (const key in value) {
      if (SUSPECT_KEYS.has(key) || !plainTree((value as Record<string, unknown>)[key], depth + 1)) return false;
    }
  }
  return true;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of each offset; offsets must be ascending. */
function positions(text: string, offsets: number[]): Pos[] {
  const starts = lineStarts(text);
  const out: Pos[] = [];
  let line = 0;
  for (const off of offsets) {
    while (line + 1 < starts.length && starts[line + 1]! <= off) line++;
    out.push({ line: line + 1, column: off - starts[line]! + 1 });
  }
  return out;
}

export type SlowParse = (file: string, text: string) => readonly ParsedDoc[];

/** Reads the file's text again (undefined when it cannot be read): see fastParseYamlFile. */
export type Reread = () => string | undefined;

/**
 * The file's documents read by js-yaml, or undefined when the slow path must read the file (unsafe
 * text, any js-yaml error or warning, a document layout or value the slow path could see otherwise).
 * `slow` is called at most once per document, on its first `locate()`, for exact positions. With
 * `reread`, the documents do not keep the text for that: it is read again then, and used only when
 * it is still the text loaded (length and CRC-32); otherwise a position is the document's start.
 */
export function fastParseYamlFile(file: string, text: string, slow: SlowParse, reread?: Reread): ParsedDoc[] | undefined {
  if (!fastPathSafe(text)) return undefined;
  let values: unknown[];
  let warned = false;
  try {
    values = jsyaml.loadAll(text, null, { schema: CORE_12, json: false, onWarning: () => void (warned = true) });
  } catch {
    return undefined;
  }
  if (warned || values.length > LIMITS.documentsPerFile) return undefined;
  const regs = regions(text);
  if (regs.length !== values.length) return undefined;
  const kept: { index: number; value: unknown; region: Region }[] = [];
  for (const [index, value] of values.entries()) {
    const region = regs[index]!;
    if ((value === null || value === undefined) !== region.contentAt < 0) return undefined;
    if (value === null || value === undefined) continue;
    if (!plainTree(value, 1)) return undefined;
    kept.push({ index, value, region });
  }
  const starts = positions(text, kept.map((k) => k.region.contentAt));
  const source = reread ? checkedReread(text, reread) : heldText(text);
  return kept.map((k, i) => ({ file, index: k.index, value: k.value, start: starts[i]!, locate: regionLocator(file, source, k.region, starts[i]!, slow) }));
}

/**
 * Where a locator gets its document's text: a slice of the text held, or of the file read again and
 * checked. Each its own module-level function, so no closure shares a scope with the text: a
 * closure keeps every variable of its parent scope that any closure there uses (14.5 MB of texts
 * at 10,000 destinations).
 */
function heldText(text: string): (region: Region) => string {
  return (region) => text.slice(region.from, region.to);
}

/**
 * The file is read and checked once for all the positions asked for in one synchronous run (a view
 * or a serialization reads every segment entry's position: 100 documents a file), and dropped after
 * it. A document's text is copied out of it: a slice would keep the whole file alive in every
 * document parsed for positions.
 */
function checkedReread(text: string, reread: Reread): (region: Region) => string | undefined {
  const length = text.length;
  const checksum = crc32(text);
  let recent: { text: string | undefined } | undefined;
  return (region) => {
    if (!recent) {
      const again = reread();
      recent = { text: again !== undefined && again.length === length && crc32(again) === checksum ? again : undefined };
      queueMicrotask(() => (recent = undefined));
    }
    return recent.text === undefined ? undefined : ownCopy(recent.text.slice(region.from, region.to));
  };
}

/**
 * Only the document asked about is parsed again, from its own region: its text starts at a line
 * start, so columns are the file's and lines are shifted by the lines before it. The fast path
 * admits no anchors, aliases or directives, so a document reads the same alone as in its file.
 */
function regionLocator(file: string, source: (region: Region) => string | undefined, region: Region, start: Pos, slow: SlowParse): ParsedDoc['locate'] {
  let doc: ParsedDoc | undefined;
  let parsed = false;
  return (path, opts) => {
    if (!parsed) {
      parsed = true;
      const text = source(region);
      doc = text === undefined ? undefined : slow(file, text)[0];
    }
    if (!doc) return start;
    const at = doc.locate(path, opts);
    return { line: at.line + start.line - doc.start.line, column: at.column };
  };
}
