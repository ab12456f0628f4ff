/**
 * A download's answer (`alt=media`), read no further than it is used. gaxios gathers a body whole
 * in every responseType but `stream`, and a failed answer's body whole even then (it reads it for
 * the error), so downloads ask for a stream and take every status as an answer: a server that
 * ignores the Range, claims a length far past it, or sends a body with no end, costs the range
 * (adapter-kit's `readLimit`), and an error's body a message's worth, never all the memory there is.
 */
import { StorageError, type ByteRange } from '@syncacross/sync-core';
import { declaredLength, ERROR_BODY_LIMIT, readBodyWithin, readLimit, tooLargeForStorage } from '@syncacross/sync-core/adapter-kit';
import { headerOf } from './errors.js';

/** Drive's largest file: 5 TB (the engine's objects are far smaller). */
export const DRIVE_FILE_LIMIT = 5 * 1024 ** 4;

/** What a download's answer carries here: its status, headers, and its body as a stream. */
export interface StreamedAnswer {
  status: number;
  headers: unknown;
  data: unknown;
}

const bodyOf = (answer: StreamedAnswer) => answer.data as AsyncIterable<Uint8Array> | undefined;

/**
 * A failed answer as gaxios would have thrown it (`response.status`, `headers`, the body as text),
 * for errors.ts to map and drive-api.ts's `call` to refresh a dead token on: only the body's first
 * ERROR_BODY_LIMIT bytes are read.
 */
export async function failedAnswer(answer: StreamedAnswer): Promise<Error> {
  const body = bodyOf(answer);
  const data = body ? (await readBodyWithin(body, { limit: ERROR_BODY_LIMIT }).catch(() => Buffer.alloc(0))).toString('utf8') : '';
  return Object.assign(new Error(`Request failed with status code ${answer.status}`), { status: answer.status, response: { status: answer.status, headers: answer.headers, data } });
}

/** Closes an answer whose body is not wanted (a 416's). */
export async function discard(answer: StreamedAnswer): Promise<void> {
  const body = bodyOf(answer);
  if (body) await readBodyWithin(body, { limit: 0 }).catch(() => undefined);
}

/**
 * A successful download's bytes: the range (cut from the object's start where the server ignored
 * the Range and answered 200), or the whole file. Its Content-Length is what the body must add up
 * to unless the body is coded; a body cut short is Unavailable, never a short file (field lesson 11).
 */
export async function downloaded(answer: StreamedAnswer, range: ByteRange | undefined, what: string): Promise<Uint8Array> {
  const body = bodyOf(answer);
  if (!body) return new Uint8Array(0);
  const declared = declaredLength((name) => headerOf(answer.headers, name), answer.status);
  let bytes: Uint8Array;
  try {
    const read = await readBodyWithin(body, { declared, limit: readLimit(range, answer.status === 206, DRIVE_FILE_LIMIT) });
    bytes = new Uint8Array(read.buffer, read.byteOffset, read.byteLength); // a plain view, as the contract says, not a Buffer
  } catch (e) {
    throw new StorageError('Unavailable', `gdrive: ${what}: ${(e as Error).message}`, { cause: e });
  }
  if (!range && tooLargeForStorage(bytes, DRIVE_FILE_LIMIT)) throw new StorageError('Corrupt', `gdrive: ${what}: the server sent more than ${DRIVE_FILE_LIMIT} bytes, more than any Drive file holds`);
  return range && answer.status === 200 ? bytes.subarray(range.offset, range.offset + range.length) : bytes;
}
