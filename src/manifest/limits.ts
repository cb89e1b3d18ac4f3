// Limits that keep hostile or runaway input from crashing or hanging the loader. Each one, when
// crossed, becomes a diagnostic naming the limit (docs/concepts/manifests.md, docs/errors.md).

export const LIMITS = {
  /** Bytes per manifest or config file. Parsing is linear but not free (~3 s/MiB worst case). */
  fileBytes: 512 * 1024,
  /** Bytes over all manifest files of one run (10,000 destinations with 20 segments each are ~25 MiB). */
  totalBytes: 64 * 1024 * 1024,
  /** Manifest files per run. */
  files: 12_000,
  /** YAML documents per file. */
  documentsPerFile: 200,
  /** Nesting of maps and sequences; a manifest needs 5. Checked before parsing (flow brackets) and after. */
  depth: 32,
  /** Alias dereferences per document; more means an expansion bomb. */
  aliases: 100,
  /** Folder depth below a manifests folder. */
  folderDepth: 32,
  /** Bytes of a secret file referenced by fromFile. */
  secretFileBytes: 64 * 1024,
} as const;

/** Adobe guardrails (soft: warning above) and flowsync's hard caps (error above). */
export const GUARDRAILS = {
  segmentsPerDataflow: { soft: 250, hard: 1000 },
  attributesPerDataflow: { soft: 50, hard: 200 },
  // Adobe raises the per-sandbox limit on request, so the hard cap only stops runaway generation.
  destinationsPerSandbox: { soft: 100, hard: 10_000 },
} as const;
