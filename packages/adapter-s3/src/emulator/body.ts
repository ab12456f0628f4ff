/**
 * Request bodies as S3 receives them: plain, or `aws-chunked` (what the SDK sends for streams of
 * unknown length, with the checksum in a trailer), and checked against the integrity headers the
 * SDK adds (`x-amz-checksum-*` since v3.729 by default, `Content-MD5`, `x-amz-content-sha256`).
 * A mismatch is refused the way S3 refuses it, so an adapter that corrupts bytes fails loudly.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export class BodyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DecodedBody {
  bytes: Uint8Array;
  /** Checksums the client sent and we verified, by algorithm (`crc32`, `sha256`, …), base64. */
  checksums: Record<string, string>;
}

const CHECKSUM_PREFIX = 'x-amz-checksum-';

/** Big-endian CRC32 in base64, as S3 encodes it. */
export function crc32Base64(bytes: Uint8Array): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(bytes) >>> 0);
  return b.toString('base64');
}

function computeChecksum(algorithm: string, bytes: Uint8Array): string | undefined {
  switch (algorithm) {
    case 'crc32':
      return crc32Base64(bytes);
    case 'sha1':
    case 'sha256':
      return createHash(algorithm).update(bytes).digest('base64');
    default:
      return undefined; // crc32c, crc64nvme: accepted unverified (no implementation in node:zlib)
  }
}

/** Decodes `aws-chunked`: `<hex>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n<trailers>\r\n`. */
function decodeAwsChunked(raw: Buffer): { bytes: Buffer; trailers: Map<string, string> } {
  const parts: Buffer[] = [];
  const trailers = new Map<string, string>();
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) throw new BodyError('IncompleteBody', 'aws-chunked body ended inside a chunk header');
    const size = parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size) || size < 0) throw new BodyError('InvalidRequest', 'malformed aws-chunked chunk size');
    at = eol + 2;
    if (size === 0) break;
    if (at + size > raw.length) throw new BodyError('IncompleteBody', 'aws-chunked body shorter than its chunk sizes');
    parts.push(raw.subarray(at, at + size));
    at += size + 2; // data then CRLF
  }
  for (const line of raw.subarray(at).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { bytes: Buffer.concat(parts), trailers };
}

export async function readBody(request: Request): Promise<DecodedBody> {
  let bytes: Buffer = Buffer.from(await request.arrayBuffer());
  const headers = request.headers;
  const claimed = new Map<string, string>();
  headers.forEach((value, name) => {
    if (name.startsWith(CHECKSUM_PREFIX) && name !== 'x-amz-checksum-mode' && name !== 'x-amz-checksum-type') claimed.set(name.slice(CHECKSUM_PREFIX.length), value);
  });
  const contentSha = headers.get('x-amz-content-sha256') ?? '';
  const chunked = (headers.get('content-encoding') ?? '').split(',').some((e) => e.trim() === 'aws-chunked') || contentSha.startsWith('STREAMING-');
  if (chunked) {
    const decoded = decodeAwsChunked(bytes);
    bytes = decoded.bytes;
    const declared = headers.get('x-amz-decoded-content-length');
    if (declared !== null && Number(declared) !== bytes.length) {
      throw new BodyError('IncompleteBody', `x-amz-decoded-content-length is ${declared} but the body holds ${bytes.length} bytes`);
    }
    for (const [name, value] of decoded.trailers) if (name.startsWith(CHECKSUM_PREFIX)) claimed.set(name.slice(CHECKSUM_PREFIX.length), value);
  } else if (/^[0-9a-f]{64}$/.test(contentSha) && createHash('sha256').update(bytes).digest('hex') !== contentSha) {
    throw new BodyError('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const md5 = headers.get('content-md5');
  if (md5 !== null && createHash('md5').update(bytes).digest('base64') !== md5) {
    throw new BodyError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const checksums: Record<string, string> = {};
  for (const [algorithm, value] of claimed) {
    const actual = computeChecksum(algorithm, bytes);
    if (actual !== undefined && actual !== value) {
      throw new BodyError('BadDigest', `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
    }
    checksums[algorithm] = value;
  }
  return { bytes, checksums };
}
