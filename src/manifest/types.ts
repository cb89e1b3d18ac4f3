// The shapes shared by the YAML readers (yaml-docs.ts, fast-yaml.ts) and what consumes their
// documents (classification, schema diagnostics, the config file). Types only, so those modules
// depend on this one instead of on each other.

export interface Pos {
  line: number;
  column: number;
}

export type FieldPath = readonly (string | number)[];

export interface ParsedDoc {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  value: unknown;
  /** Where the document's content starts. */
  start: Pos;
  /** Position of the node at `path`, or of its deepest existing ancestor; `key` points at the map key. */
  locate(path: FieldPath, opts?: { key?: boolean }): Pos;
}
