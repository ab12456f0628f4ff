/** createS3Storage: validate options, build the client, find out the write mode. */
import { parseOptions } from '@syncacross/sync-core/adapter-kit';
import { createS3Client } from './client.js';
import { detectConditionalWrites, type ConditionalSupport } from './conditional-support.js';
import { ObjectIO } from './object-io.js';
import { normalizePrefix, optionsSchema, type S3AdapterOptions } from './options.js';
import { resolveProvider, type ProviderProfile } from './providers.js';
import { buildS3Storage, type S3Storage } from './storage.js';

/** What `createS3Storage` takes besides the options. */
export interface CreateS3StorageContext {
  /** Told when the adapter falls back to check-then-write. Never receives secrets. */
  log?: (message: string) => void;
}

/** S3 allows at most 10,000 parts of at most 5 GiB, and objects of at most 5 TiB. */
const MAX_PARTS = 10_000;
const MAX_OBJECT = 5 * 1024 ** 4;
/** The largest single PutObject. */
const MAX_SINGLE_PUT = 5 * 1024 ** 3;

/**
 * Where the measurement contradicts what the profile reports (providers.ts): the measurement wins,
 * and the note tells whoever reads the log that the profile table needs recalibrating.
 */
function disagreements(profile: ProviderProfile, support: ConditionalSupport): string[] {
  const notes: string[] = [];
  const check = (reported: string, measured: boolean, operation: string) => {
    if (reported !== 'unknown' && (reported === 'honored') !== measured) {
      notes.push(`the ${profile.name} profile reports If-None-Match ${reported} on ${operation}, but this store ${measured ? 'honors' : 'does not honor'} it (measured)`);
    }
  };
  check(profile.conditionalPut, support.createIfAbsent, 'PutObject');
  if (support.createIfAbsent) check(profile.conditionalMultipart, support.multipartCreateIfAbsent, 'CompleteMultipartUpload');
  return notes;
}

/** Storage in an S3 bucket (AWS or S3-compatible), with conditional writes where the store honors them. */
export async function createS3Storage(input: S3AdapterOptions, context: CreateS3StorageContext = {}): Promise<S3Storage> {
  const o = parseOptions('s3', optionsSchema, input);
  const profile = resolveProvider(o.provider, o.endpoint);
  const client = createS3Client(o, profile);
  const prefix = normalizePrefix(o.prefix);
  const io = new ObjectIO(client, o.bucket, o.multipartThresholdBytes, { partSize: o.partSizeBytes, concurrency: o.concurrency }, profile.listPaging);
  let support: ConditionalSupport;
  if (o.conditionalWrites === 'require') support = { createIfAbsent: true, multipartCreateIfAbsent: true, compareAndSwap: true };
  else if (o.conditionalWrites === 'off') support = { createIfAbsent: false, multipartCreateIfAbsent: false, compareAndSwap: false, reason: "conditionalWrites is 'off'" };
  else {
    try {
      support = await detectConditionalWrites(io, prefix);
    } catch (e) {
      client.destroy();
      throw e;
    }
    if (!support.createIfAbsent) context.log?.(`s3:${o.bucket}: ${support.reason}; using check-then-write (not atomic)`);
    for (const note of disagreements(profile, support)) context.log?.(`s3:${o.bucket}: ${note}`);
  }
  let maxObjectSize = Math.min(MAX_OBJECT, MAX_PARTS * o.partSizeBytes);
  if (support.createIfAbsent && !support.multipartCreateIfAbsent) {
    // Only a single PUT creates atomically here: every object goes up in one, so up to 5 GiB.
    io.multipartThreshold = MAX_SINGLE_PUT + 1;
    maxObjectSize = MAX_SINGLE_PUT;
    context.log?.(`s3:${o.bucket}: ${support.multipartReason}; uploading every object in one PUT (at most 5 GiB) so creates stay atomic`);
  }
  io.maxObjectSize = maxObjectSize;
  return buildS3Storage({
    io,
    bucket: o.bucket,
    prefix,
    endpoint: o.endpoint,
    provider: profile,
    support,
    autoDowngrade: o.conditionalWrites === 'auto',
    maxObjectSize,
    log: context.log,
  });
}
