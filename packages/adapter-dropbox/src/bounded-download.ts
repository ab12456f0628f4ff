/**
 * Dropbox's answers read no further than they are used. The SDK gathers a download's body whole
 * (`res.buffer()`), and every other answer's (`res.text()`): a server that ignores the Range,
 * claims a length far past it, or sends a body with no end would take all the memory there is.
 * The fetch handed to the SDK answers with a response whose `buffer()` reads a download up to what
 * is used (adapter-kit's `readLimit`: the range, or one byte past the largest file for a whole
 * read), and whose `text()` reads an error's message (64 KiB) or another answer up to 16 MiB.
 *
 * The SDK (10.34, src/response.js `parseDownloadResponse`) waits for `buffer()` in a promise that
 * never settles if it rejects: a body cut short would hang the read for good. So `buffer()` never
 * rejects here: it answers an empty buffer that `readFailureOf` (read.ts) turns back into the error.
 */
import { ANSWER_BODY_LIMIT, declaredLength, ERROR_BODY_LIMIT, readBodyWithin, readLimit } from '@syncacross/sync-core/adapter-kit';
import type { ByteRange } from '@syncacross/sync-core';

type FetchLike = (url: string, init?: unknown) => Promise<unknown>;

/** "The maximum size of a file one can upload to an upload session is 350 GB" (files/upload_session/start). */
export const DROPBOX_FILE_LIMIT = 350 * 1000 ** 3;

/** Why a download's bytes could not be read, for the buffer answered in their place. */
const failures = new WeakMap<Uint8Array, Error>();

/** The error behind a download's bytes, when `buffer()` could not read them (above). */
export const readFailureOf = (bytes: Uint8Array): Error | undefined => failures.get(bytes);

/** The Range a request asks for, from its headers (`bytes=a-b`). */
function rangeOf(init: unknown): ByteRange | undefined {
  const headers = (init as { headers?: Record<string, string> } | undefined)?.headers ?? {};
  const m = /^bytes=(\d+)-(\d+)$/.exec(headers.Range ?? headers.range ?? '');
  return m ? { offset: Number(m[1]), length: Number(m[2]) - Number(m[1]) + 1 } : undefined;
}

/**
 * Every SDK request, through Node's own fetch to `to(url)`, answered with a response whose
 * `buffer()` (files/download) and `text()` (every other answer, and errors) read within their
 * limits (above). Not through the SDK's node-fetch 2: a body cut short before its Content-Length
 * never ends there (it pipes the socket's response into the stream it hands out, and an aborted
 * response ends nothing), so a connection cut mid-answer left the call waiting for good, a
 * download's or a listing's alike; and destroying that stream leaves the socket open with the
 * server's writes backed up. Node's fetch fails a cut body ("terminated"), and closes the
 * connection when its body is cancelled.
 */
export function boundedFetch(to: (url: string) => string, maxObjectSize: number): FetchLike {
  return async (url, init) => {
    const res = await fetch(to(url), init as RequestInit);
    const download = new URL(url).pathname.endsWith('/2/files/download');
    const range = download ? rangeOf(init) : undefined;
    const declared = declaredLength((name) => res.headers.get(name), res.status);
    const body: AsyncIterable<Uint8Array> = res.body ?? (async function* () {})();
    return {
      ok: res.ok,
      status: res.status,
      statusText: res.statusText,
      url: res.url,
      headers: res.headers,
      buffer: async () => {
        try {
          return await readBodyWithin(body, { declared, limit: readLimit(range, res.status === 206, maxObjectSize) });
        } catch (e) {
          const empty = Buffer.alloc(0);
          failures.set(empty, e as Error);
          return empty;
        }
      },
      text: async () => {
        if (!res.ok || download) return (await readBodyWithin(body, { limit: ERROR_BODY_LIMIT })).toString('utf8');
        const answer = await readBodyWithin(body, { declared, limit: ANSWER_BODY_LIMIT + 1 });
        if (answer.byteLength > ANSWER_BODY_LIMIT) throw new Error(`the answer is larger than ${ANSWER_BODY_LIMIT} bytes, more than any this adapter takes`);
        return answer.toString('utf8');
      },
    };
  };
}
