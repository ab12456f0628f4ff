/**
 * The S3 requests the storage is made of, one method per request kind, with full keys (prefix
 * already applied) and errors already mapped to StorageErrors.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { isStorageError, StorageError } from '@syncacross/sync-core';
import { readBodyWithin, readLimit, tooLargeForStorage } from '@syncacross/sync-core/adapter-kit';
import { errorCodeOf, httpStatusOf, toStorageError } from './errors.js';
import { uploadMultipart, type MultipartSettings, type WriteConditions } from './multipart.js';

export interface ListedObject {
  key: string;
  size: number;
  etag?: string;
  modified?: Date;
}

/**
 * Every object we write carries the SHA-256 of its bytes in user metadata
 * (`x-amz-meta-syncacross-sha256`), and every whole-object read is checked against it. S3's ETag
 * cannot serve: it is no MD5 for multipart or SSE-KMS objects. This catches truncated transfers,
 * and the torn objects that stores without atomic writes (s3rver) produce under concurrent PUTs.
 */
const INTEGRITY_METADATA = 'syncacross-sha256';
const sha256Base64 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

const unquoteEtag = (etag: string | undefined) => (etag === undefined ? undefined : etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1'));
/** Listing cursors: a continuation token, or the key to continue after. */
const TOKEN = 't:';
const AFTER = 'a:';

export const quoteEtag = (etag: string) => (etag.startsWith('"') ? etag : `"${etag}"`);

/** True for S3's 409 ConditionalRequestConflict: another conditional write on the key is in flight. */
export function isConditionalConflict(error: unknown): boolean {
  const cause = error instanceof StorageError ? error.cause : error;
  return errorCodeOf(cause) === 'ConditionalRequestConflict' || httpStatusOf(cause) === 409;
}

/**
 * A server may ignore Range and answer 200 with the whole object (RFC 9110 §14.2), or answer more
 * than asked (s3rver reads `bytes=0-0` as "from 0 to the end"): keep exactly the bytes asked for.
 */
function sliceRangeAnswer(key: string, bytes: Uint8Array, range: { offset: number; length: number }, contentRange: string | undefined): Uint8Array {
  if (contentRange === undefined) return bytes.subarray(range.offset, range.offset + range.length);
  const start = /^bytes (\d+)-/.exec(contentRange)?.[1];
  if (start === undefined || Number(start) !== range.offset) {
    throw new StorageError('Corrupt', `GetObject ${key}: asked for bytes from ${range.offset}, got Content-Range ${contentRange}`);
  }
  return bytes.subarray(0, range.length);
}

/**
 * A GetObject's body, up to `limit` bytes, read into one buffer of the declared length. A
 * connection cut mid-body must not pass for a short object (field lesson 11): shorter than the
 * ContentLength is Unavailable, as is a body longer than it.
 */
async function bodyOf(key: string, out: GetObjectCommandOutput, limit: number): Promise<Uint8Array> {
  if (!out.Body) return new Uint8Array(0);
  try {
    return await readBodyWithin(out.Body as AsyncIterable<Uint8Array>, { declared: out.ContentLength, limit });
  } catch (e) {
    throw new StorageError('Unavailable', `GetObject ${key}: ${(e as Error).message}`, { cause: e });
  }
}

export class ObjectIO {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    /**
     * Objects this large go up in parts. Raised to S3's largest single PUT when the store ignores
     * conditions on CompleteMultipartUpload (create.ts): a single PUT is then the only atomic create.
     */
    public multipartThreshold: number,
    private readonly multipart: MultipartSettings,
    /** How listing pages continue (providers.ts). */
    private readonly listPaging: 'token' | 'start-after' = 'token',
    /** The largest object the storage accepts (create.ts sets it once known): a whole read past it is not one of its objects. */
    public maxObjectSize = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Writes an object (in parts when large) under the given conditions; returns its etag. */
  async put(key: string, bytes: Uint8Array, conditions: WriteConditions = {}): Promise<string | undefined> {
    if (bytes.byteLength >= this.multipartThreshold) return this.putInParts(key, bytes, conditions);
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentType: 'application/octet-stream',
          Metadata: { [INTEGRITY_METADATA]: sha256Base64(bytes) },
          ...(conditions.ifNoneMatch ? { IfNoneMatch: conditions.ifNoneMatch } : {}),
          ...(conditions.ifMatch ? { IfMatch: conditions.ifMatch } : {}),
        }),
      );
      return unquoteEtag(out.ETag);
    } catch (e) {
      throw toStorageError(e, `PutObject ${key}`);
    }
  }

  /** A multipart upload whatever the size (one part may be small): the probe of conditional completions uses it. */
  async putInParts(key: string, bytes: Uint8Array, conditions: WriteConditions = {}): Promise<string | undefined> {
    const metadata = { [INTEGRITY_METADATA]: sha256Base64(bytes) };
    return unquoteEtag(await uploadMultipart(this.client, this.bucket, key, bytes, this.multipart, conditions, metadata));
  }

  /** The key's size now (HEAD), or undefined when it does not exist; anything else throws. */
  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: out.ContentLength ?? 0 };
    } catch (e) {
      const mapped = toStorageError(e, `HeadObject ${key}`);
      if (isStorageError(mapped, 'NotFound')) return undefined;
      throw mapped;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async get(key: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    if (range && range.length === 0) {
      // "bytes=a-(a-1)" is not a valid range; an empty read still has to say NotFound if missing.
      if (!(await this.exists(key))) throw new StorageError('NotFound', `GetObject ${key}: not found`);
      return new Uint8Array(0);
    }
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {}) }));
      // Only what is used is read: the range, from wherever the store starts (a store that ignores
      // the Range sends the object from its start); for a whole read, one byte past the largest
      // object. A store that sends more, or a body with no end, costs no more than that.
      const limit = readLimit(range, out.ContentRange !== undefined, this.maxObjectSize);
      const bytes = await bodyOf(key, out, limit);
      if (range) return sliceRangeAnswer(key, bytes, range, out.ContentRange);
      if (tooLargeForStorage(bytes, this.maxObjectSize))
        throw new StorageError('Corrupt', `GetObject ${key}: the store sent more than ${this.maxObjectSize} bytes, more than any object this storage accepts`);
      const expected = out.Metadata?.[INTEGRITY_METADATA];
      if (expected !== undefined && sha256Base64(bytes) !== expected) {
        throw new StorageError('Unavailable', `GetObject ${key}: the ${bytes.byteLength} bytes read do not match the checksum written with the object (a partial or torn read)`);
      }
      return bytes;
    } catch (e) {
      // 416 InvalidRange: the range starts at or past the end. The key exists (a missing key
      // answers 404 first), so the bytes "up to the end" are none.
      if (range && (errorCodeOf(e) === 'InvalidRange' || httpStatusOf(e) === 416)) return new Uint8Array(0);
      throw toStorageError(e, `GetObject ${key}`);
    }
  }

  /**
   * One ListObjectsV2 page. The cursor says how the next page continues: `t:<token>` (the store's
   * NextContinuationToken) or `a:<key>` (StartAfter the last key listed). The second serves the
   * stores whose truncated pages carry no token (some Ceph and "Other" stores: rclone lists them
   * with v1 and Marker), and every store whose profile pages by start-after; a truncated page
   * with neither a token nor a key to continue after throws: never a short listing.
   */
  async listPage(prefix: string, options: { startAfter?: string; cursor?: string; maxKeys: number }): Promise<{ objects: ListedObject[]; cursor?: string }> {
    const cursor = options.cursor;
    const after = cursor?.startsWith(AFTER) ? cursor.slice(AFTER.length) : options.startAfter;
    // Anything else is handed to the store as a token, which refuses what it did not issue.
    const token = cursor === undefined || cursor.startsWith(AFTER) ? undefined : cursor.startsWith(TOKEN) ? cursor.slice(TOKEN.length) : cursor;
    let out;
    try {
      out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: options.maxKeys,
          ...(token === undefined && after !== undefined ? { StartAfter: after } : {}),
          ...(token !== undefined ? { ContinuationToken: token } : {}),
        }),
      );
    } catch (e) {
      throw toStorageError(e, `ListObjectsV2 ${prefix}`);
    }
    const objects = (out.Contents ?? []).map((c) => {
      if (c.Key === undefined) throw new StorageError('Corrupt', `ListObjectsV2 ${prefix}: an entry without a Key`);
      return { key: c.Key, size: c.Size ?? 0, etag: unquoteEtag(c.ETag), modified: c.LastModified };
    });
    if (!out.IsTruncated) return { objects };
    if (this.listPaging === 'token' && out.NextContinuationToken) return { objects, cursor: TOKEN + out.NextContinuationToken };
    const last = objects.at(-1)?.key;
    if (last !== undefined) return { objects, cursor: AFTER + last };
    if (out.NextContinuationToken) return { objects, cursor: TOKEN + out.NextContinuationToken };
    throw new StorageError('Unavailable', `ListObjectsV2 ${prefix}: truncated page without a continuation token or a key to continue after`);
  }

  /** Idempotent: S3 answers 204 for a missing key; stores that answer 404 are treated alike. */
  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      const mapped = toStorageError(e, `DeleteObject ${key}`);
      if (!isStorageError(mapped, 'NotFound')) throw mapped;
    }
  }
}
