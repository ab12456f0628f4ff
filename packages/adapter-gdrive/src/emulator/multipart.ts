/**
 * Parses a `multipart/related` body (RFC 2387) as Drive's multipart upload expects it: a JSON
 * metadata part, then the media part. Works on bytes, so binary media survives untouched.
 */

export interface MultipartPart {
  headers: Record<string, string>;
  body: Buffer;
}

export class MultipartError extends Error {
  override name = 'MultipartError';
}

export function boundaryOf(contentType: string | null): string {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = m?.[1] ?? m?.[2];
  if (!/^multipart\/related/i.test(contentType ?? '') || !boundary) throw new MultipartError('expected Content-Type multipart/related with a boundary');
  return boundary;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const open = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(open);
  if (pos < 0) throw new MultipartError('no opening boundary');
  pos += open.length;
  const parts: MultipartPart[] = [];
  for (;;) {
    if (body.subarray(pos, pos + 2).toString() === '--') return parts; // closing delimiter
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new MultipartError('malformed boundary line');
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new MultipartError('part without a header terminator');
    const headers: Record<string, string> = {};
    for (const line of body.subarray(pos, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const start = headerEnd + 4;
    const end = body.indexOf(delimiter, start);
    if (end < 0) throw new MultipartError('part without a closing boundary');
    parts.push({ headers, body: body.subarray(start, end) });
    pos = end + delimiter.length;
  }
}
