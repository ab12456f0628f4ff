/**
 * Multipart upload of an in-memory object, with the write conditions on
 * CompleteMultipartUpload: that is where S3 evaluates If-None-Match / If-Match for multipart
 * objects, so the object appears whole (or not at all) under its key.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 *
 * A failed part is resent a couple of times (resuming the upload is part of the protocol, and
 * starting 20 MiB over for one dropped part would be wasteful); any other failure aborts the
 * upload so no parts linger (and bill) in the bucket.
 */
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { isTransient } from '@syncacross/sync-core';
import { toStorageError } from './errors.js';

export interface WriteConditions {
  ifNoneMatch?: '*';
  /** Quoted, as S3 expects. */
  ifMatch?: string;
}

export interface MultipartSettings {
  partSize: number;
  concurrency: number;
  partAttempts?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function uploadPartWithResend(client: S3Client, input: { Bucket: string; Key: string; UploadId: string; PartNumber: number; Body: Uint8Array }, attempts: number): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await client.send(new UploadPartCommand(input));
      if (!out.ETag) throw new Error(`UploadPart ${input.PartNumber} returned no ETag`);
      return out.ETag;
    } catch (e) {
      const mapped = toStorageError(e, `UploadPart ${input.Key} #${input.PartNumber}`);
      if (attempt >= attempts || !isTransient(mapped)) throw mapped;
      await sleep(50 * attempt);
    }
  }
}

/** Uploads `bytes` in parts; returns the new object's ETag (quoted). Errors are StorageErrors. */
export async function uploadMultipart(
  client: S3Client,
  bucket: string,
  key: string,
  bytes: Uint8Array,
  settings: MultipartSettings,
  conditions: WriteConditions = {},
  metadata: Record<string, string> = {},
): Promise<string | undefined> {
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/octet-stream', Metadata: metadata })).catch((e: unknown) => {
    throw toStorageError(e, `CreateMultipartUpload ${key}`);
  });
  const uploadId = created.UploadId;
  if (!uploadId) throw toStorageError(new Error('CreateMultipartUpload returned no UploadId'), `CreateMultipartUpload ${key}`);
  try {
    const count = Math.max(1, Math.ceil(bytes.byteLength / settings.partSize));
    const etags: string[] = new Array(count);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = next++;
        const body = bytes.subarray(index * settings.partSize, Math.min(bytes.byteLength, (index + 1) * settings.partSize));
        etags[index] = await uploadPartWithResend(client, { Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: index + 1, Body: body }, settings.partAttempts ?? 3);
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, count) }, worker));
    const done = await client
      .send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
          ...(conditions.ifNoneMatch ? { IfNoneMatch: conditions.ifNoneMatch } : {}),
          ...(conditions.ifMatch ? { IfMatch: conditions.ifMatch } : {}),
        }),
      )
      .catch((e: unknown) => {
        // A 200 OK whose body is an <Error> arrives here too: the SDK's throw-200-exceptions
        // middleware turns it into a 503 error, which maps to Unavailable (outcome unknown).
        throw toStorageError(e, `CompleteMultipartUpload ${key}`);
      });
    return done.ETag;
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw error;
  }
}
