/** PutObject, GetObject (with Range), HeadObject, DeleteObject. */
import { BodyError, readBody } from './body.js';
import { withPreconditions, type ConditionalSettings } from './conditional.js';
import { baseHeaders, emptyResponse, quoted, s3Error } from './responses.js';
import { md5Hex, userMetadata, type S3State, type StoredObject } from './state.js';

export interface ObjectRequest {
  state: S3State;
  request: Request;
  bucket: string;
  key: string;
  conditional: ConditionalSettings;
  /** Real-world mode: CompleteMultipartUpload ignores If-None-Match / If-Match (real-world.ts). */
  multipartIgnoresConditions: boolean;
  maxPutBytes: number;
}

export function bodyErrorResponse(method: string, e: unknown): Response {
  if (e instanceof BodyError) return s3Error(method, 400, e.code, e.message);
  throw e;
}

export async function putObject(r: ObjectRequest): Promise<Response> {
  let body;
  try {
    body = await readBody(r.request);
  } catch (e) {
    return bodyErrorResponse('PUT', e);
  }
  if (body.bytes.byteLength > r.maxPutBytes) {
    return s3Error('PUT', 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: String(r.maxPutBytes) });
  }
  const bytes = body.bytes;
  return withPreconditions(r.state, r.conditional, r.request, r.bucket, r.key, () => {
    const stored = r.state.store(r.bucket, r.key, {
      bytes,
      etag: md5Hex(bytes),
      contentType: r.request.headers.get('content-type') ?? 'binary/octet-stream',
      checksums: body.checksums,
      metadata: userMetadata(r.request.headers),
    });
    const headers: Record<string, string> = { etag: quoted(stored.etag) };
    for (const [algorithm, value] of Object.entries(stored.checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
    return emptyResponse(200, headers);
  });
}

function objectHeaders(o: StoredObject, length: number): Headers {
  return baseHeaders({
    ...o.metadata,
    etag: quoted(o.etag),
    'last-modified': o.modified.toUTCString(),
    'content-type': o.contentType,
    'content-length': String(length),
    'accept-ranges': 'bytes',
  });
}

/**
 * `bytes=a-b`, `bytes=a-`, `bytes=-n`. Returns undefined for a header S3 would ignore (it then
 * sends the whole object) and 'unsatisfiable' when the range starts past the end (416).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Range, RFC 9110 §14.1.2)
 */
function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

export function getObject(r: ObjectRequest, headOnly: boolean): Response {
  const method = headOnly ? 'HEAD' : 'GET';
  const o = r.state.bucket(r.bucket)?.get(r.key);
  if (!o) return s3Error(method, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: r.key });
  const size = o.bytes.byteLength;
  const rangeHeader = r.request.headers.get('range');
  const range = rangeHeader === null ? undefined : parseRange(rangeHeader, size);
  if (range === 'unsatisfiable') {
    return s3Error(method, 416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: rangeHeader!, ActualObjectSize: String(size) }, { 'content-range': `bytes */${size}` });
  }
  if (range) {
    const slice = o.bytes.subarray(range.start, range.end + 1);
    const headers = objectHeaders(o, slice.byteLength);
    headers.set('content-range', `bytes ${range.start}-${range.end}/${size}`);
    return new Response(headOnly ? null : slice, { status: 206, headers });
  }
  const headers = objectHeaders(o, size);
  // Full-object checksums come back when asked for, so the SDK can validate the download.
  if (r.request.headers.get('x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
    for (const [algorithm, value] of Object.entries(o.checksums)) headers.set(`x-amz-checksum-${algorithm}`, value);
  }
  return new Response(headOnly ? null : o.bytes, { status: 200, headers });
}

/** S3 answers 204 whether or not the key existed (deletes are idempotent). */
export function deleteObject(r: ObjectRequest): Response {
  r.state.bucket(r.bucket)?.delete(r.key);
  return emptyResponse(204);
}
