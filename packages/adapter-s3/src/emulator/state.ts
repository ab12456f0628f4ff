/** What the emulated S3 holds: buckets of objects, multipart uploads in progress. */
import { createHash, randomBytes } from 'node:crypto';

export interface StoredObject {
  bytes: Uint8Array;
  /** Without quotes: MD5 hex for single PUTs, `md5(part md5s)-N` for multipart objects. */
  etag: string;
  modified: Date;
  contentType: string;
  /** Checksums sent (and verified) at upload, returned on GET with x-amz-checksum-mode. */
  checksums: Record<string, string>;
  /** User metadata: `x-amz-meta-*` headers, names lower-cased, returned on GET and HEAD. */
  metadata: Record<string, string>;
}

interface UploadedPart {
  bytes: Uint8Array;
  etag: string;
}

export interface MultipartUpload {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  initiated: Date;
  parts: Map<number, UploadedPart>;
}

export const md5Hex = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** S3's multipart ETag: MD5 of the concatenated binary part MD5s, then `-<part count>`. */
export function multipartEtag(partEtags: string[]): string {
  const joined = Buffer.concat(partEtags.map((e) => Buffer.from(e, 'hex')));
  return `${md5Hex(joined)}-${partEtags.length}`;
}

/** The `x-amz-meta-*` headers of a request. */
export function userMetadata(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith('x-amz-meta-')) out[name] = value;
  });
  return out;
}

/** S3 lists keys in UTF-8 byte order. */
export const compareUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export class S3State {
  readonly buckets = new Map<string, Map<string, StoredObject>>();
  readonly uploads = new Map<string, MultipartUpload>();
  /** Keys (`bucket\0key`) with a conditional write in progress. */
  readonly conditionalInFlight = new Set<string>();

  constructor(readonly now: () => number) {}

  bucket(name: string): Map<string, StoredObject> | undefined {
    return this.buckets.get(name);
  }

  createBucket(name: string): boolean {
    if (this.buckets.has(name)) return false;
    this.buckets.set(name, new Map());
    return true;
  }

  store(bucket: string, key: string, object: Omit<StoredObject, 'modified'>): StoredObject {
    const stored: StoredObject = { ...object, modified: new Date(Math.floor(this.now() / 1000) * 1000) };
    this.buckets.get(bucket)!.set(key, stored);
    return stored;
  }

  newUpload(bucket: string, key: string, contentType: string, metadata: Record<string, string>): string {
    const id = randomBytes(24).toString('base64url');
    this.uploads.set(id, { bucket, key, contentType, metadata, initiated: new Date(this.now()), parts: new Map() });
    return id;
  }
}
