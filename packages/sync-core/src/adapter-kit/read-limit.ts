/**
 * How much of a GET's answer a read takes (`readBodyWithin`'s `limit`), the same for every
 * adapter: a hostile or broken server that ignores a Range and sends a whole object, claims a
 * length far past what was asked, or sends a body with no end, costs what the read uses and no
 * more, instead of all the memory there is.
 */
import type { ByteRange } from '../storage/contract.js';

/** An error's body is only ever a message: enough of it to read (a small one still reads to its end, so its connection is kept). */
export const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * The most of any other successful answer that is not an object's bytes (a listing page, an item's
 * metadata, a token) an adapter takes: the largest page any built-in adapter asks for (S3's 1,000
 * keys, Drive's 1,000 files, Graph's 200 items) is a few hundred KB to about a MB. Past it the call
 * fails as Unavailable: such an answer is refused, never read on, nor cut short and taken for whole.
 */
export const ANSWER_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The most bytes of a successful GET's body that are used: the range asked for, where the server
 * answered the range itself (206, or a Content-Range); its end, where the server sent the object
 * from its start (200); for a whole read, one byte past the largest object the storage accepts,
 * so a body with no end is found too large (`tooLargeForStorage`), not read forever.
 */
export function readLimit(range: ByteRange | undefined, answeredRange: boolean, maxObjectSize: number): number {
  if (!range) return maxObjectSize + 1;
  return answeredRange ? range.length : range.offset + range.length;
}

/** Whether a Content-Encoding leaves the body as sent: none, or `identity` (a coded body's length is the coded one's). */
export const uncoded = (coding: string | null | undefined): boolean => coding === null || coding === undefined || coding.trim().toLowerCase() === 'identity';

/**
 * The body's length as the server declares it (Content-Length), where it is the length of what
 * will be read, for `readBodyWithin`'s `declared`: none for a coded body (the client decodes it),
 * a value that is not a plain number, or the answer to a HEAD, a 204 or a 304, which have no body
 * whatever length they declare (RFC 9110, §6.4.1).
 */
export function declaredLength(header: (name: string) => string | null | undefined, status: number, method = 'GET'): number | undefined {
  if (method === 'HEAD' || status === 204 || status === 304) return undefined;
  if (!uncoded(header('content-encoding'))) return undefined;
  const text = header('content-length');
  if (typeof text !== 'string' || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}

/** Whether a whole read's body (read up to `readLimit`) is more than any object the storage accepts: then it is not the object. */
export const tooLargeForStorage = (bytes: Uint8Array, maxObjectSize: number): boolean => bytes.byteLength > maxObjectSize;
