/** createS3Storage: validate options, build the client, find out the write mode. */
import { parseOptions } from '@syncacross/sync-core/adapter-kit';
import { createS3Client } from './client.js';
import { detectConditionalWrites, type ConditionalSupport } from './conditional-support.js';
import { ObjectIO } from './object-io.js';
import { normalizePrefix, optionsSchema, type S3AdapterOptions } from './options.js';
import { buildS3Storage, type S3Storage } from './storage.js';

export interface CreateS3StorageContext {
  /** Told when the adapter falls back to check-then-write. Never receives secrets. */
  log?: (message: string) => void;
}

/** S3 allows at most 10,000 parts of at most 5 GiB, and objects of at most 5 TiB. */
const MAX_PARTS = 10_000;
const MAX_OBJECT = 5 * 1024 ** 4;

export async function createS3Storage(input: S3AdapterOptions, context: CreateS3StorageContext = {}): Promise<S3Storage> {
  const o = parseOptions('s3', optionsSchema, input);
  const client = createS3Client(o);
  const prefix = normalizePrefix(o.prefix);
  const io = new ObjectIO(client, o.bucket, o.multipartThresholdBytes, { partSize: o.partSizeBytes, concurrency: o.concurrency });
  let support: ConditionalSupport;
  if (o.conditionalWrites === 'require') support = { createIfAbsent: true, compareAndSwap: true };
  else if (o.conditionalWrites === 'off') support = { createIfAbsent: false, compareAndSwap: false, reason: "conditionalWrites is 'off'" };
  else {
    try {
      support = await detectConditionalWrites(io, prefix);
    } catch (e) {
      client.destroy();
      throw e;
    }
    if (!support.createIfAbsent) context.log?.(`s3:${o.bucket}: ${support.reason}; using check-then-write (not atomic)`);
  }
  return buildS3Storage({
    io,
    bucket: o.bucket,
    prefix,
    endpoint: o.endpoint,
    support,
    autoDowngrade: o.conditionalWrites === 'auto',
    multipartThreshold: o.multipartThresholdBytes,
    maxObjectSize: Math.min(MAX_OBJECT, MAX_PARTS * o.partSizeBytes),
    log: context.log,
  });
}
