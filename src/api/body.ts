// Receiving a response body. axios hands it over as a stream (responseType 'stream') and it is read
// here as an async iterator, which pulls the socket only as fast as the chunks are taken: axios's
// own buffered mode reads in flowing mode, and while the pages of a live-state read are parsed, the
// chunks of every body in flight pile up as Buffers that only a full collection frees. Measured at
// 10,000 destinations (116 MB of list pages): Buffers outside the heap peak at ~15 MB instead of
// ~70 MB, no full collection runs during the read (two did), and peak RSS falls ~70 MB
// (bench/RESULTS.md, "third pass"). The chunks are decoded as they come (no concatenated Buffer).
import type { Readable } from 'node:stream';

/** The code axios gives a timeout: a stalled body is classified like a stalled answer. */
export const BODY_TIMEOUT_CODE = 'ECONNABORTED';

/**
 * The body as text (UTF-8, a leading BOM dropped as axios does). Fails with code BODY_TIMEOUT_CODE
 * when no chunk comes for `idleMs`: axios's socket timeout, which ends at the headers for a
 * streamed answer, is kept for the body here.
 */
export async function receiveText(body: Readable, idleMs: number): Promise<string> {
  const stall = Object.assign(new Error(`no data for ${idleMs} ms`), { code: BODY_TIMEOUT_CODE });
  const timer = idleMs > 0 ? setTimeout(() => body.destroy(stall), idleMs) : undefined;
  body.setEncoding('utf8');
  const parts: string[] = [];
  try {
    for await (const chunk of body) {
      parts.push(String(chunk));
      timer?.refresh();
    }
  } finally {
    clearTimeout(timer);
  }
  const text = parts.length === 1 ? parts[0]! : parts.join('');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
