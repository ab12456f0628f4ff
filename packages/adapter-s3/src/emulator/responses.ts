/** Building S3-shaped HTTP responses. */
import { document, errorXml, newRequestId } from './xml.js';

export function baseHeaders(extra: Record<string, string> = {}): Headers {
  const headers = new Headers(extra);
  headers.set('x-amz-request-id', newRequestId());
  headers.set('server', 'AmazonS3');
  return headers;
}

export function xmlResponse(root: string, inner: string, status = 200): Response {
  return new Response(document(root, inner), { status, headers: baseHeaders({ 'content-type': 'application/xml' }) });
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers: baseHeaders(headers) });
}

/**
 * An S3 error. Answers to HEAD carry no body (so SDKs only see the status, e.g. `NotFound` for
 * a 404), exactly like S3's.
 */
export function s3Error(method: string, status: number, code: string, message: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Response {
  const h = baseHeaders(headers);
  if (method === 'HEAD') return new Response(null, { status, headers: h });
  h.set('content-type', 'application/xml');
  return new Response(errorXml(code, message, extra, h.get('x-amz-request-id')!), { status, headers: h });
}

export const quoted = (etag: string) => `"${etag}"`;
export const unquoted = (etag: string) =>
  etag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
