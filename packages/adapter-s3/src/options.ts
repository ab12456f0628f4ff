/** The adapter's options: validated once, defaults documented here, secrets listed. */
import { z } from '@syncacross/sync-core';
import { PROVIDERS } from './providers.js';

const MiB = 1024 * 1024;
/** S3's smallest non-final multipart part and largest single part. */
const MIN_PART_SIZE = 5 * MiB;
const MAX_PART_SIZE = 5 * 1024 * MiB;

/** The options of `s3:` remotes (`-o key=value` in the CLI), validated, with their defaults; README.md describes each. */
export const optionsSchema = z
  .object({
    /** The bucket that holds the library. */
    bucket: z.string().min(3).max(255).describe('the bucket that holds the library'),
    /** Key prefix inside the bucket (e.g. 'libraries/photos'); leading and trailing '/' are ignored; default: the whole bucket. */
    prefix: z.string().default('').describe("key prefix inside the bucket (e.g. 'libraries/photos'); leading and trailing '/' are ignored; default: the whole bucket"),
    /** The bucket's region; default: the SDK's chain (AWS_REGION, shared config), or 'us-east-1' when an endpoint is given. */
    region: z.string().min(1).optional().describe("the bucket's region; default: the SDK's chain (AWS_REGION, shared config), or 'us-east-1' when an endpoint is given"),
    /** An S3-compatible endpoint (R2, MinIO, Ceph, B2, Wasabi, a NAS gateway, a local emulator); default: AWS. */
    endpoint: z.url().optional().describe('an S3-compatible endpoint (R2, MinIO, Ceph, B2, Wasabi, a NAS gateway, a local emulator); default: AWS'),
    /** The store's profile (providers.ts: checksums, listing, path style): aws, r2, b2, minio, ceph, wasabi, gcs or other; default: from the endpoint's host (no endpoint: aws; an unknown host: other). */
    provider: z
      .enum(PROVIDERS)
      .optional()
      .describe(
        "the store's profile (providers.ts: checksums, listing, path style): aws, r2, b2, minio, ceph, wasabi, gcs or other; default: from the endpoint's host (no endpoint: aws; an unknown host: other)",
      ),
    /** Address buckets as https://host/bucket/key instead of https://bucket.host/key; default: the provider's (false for AWS, true for the others), always true for an IP address or localhost. */
    forcePathStyle: z
      .boolean()
      .optional()
      .describe(
        "address buckets as https://host/bucket/key instead of https://bucket.host/key; default: the provider's (false for AWS, true for the others), always true for an IP address or localhost",
      ),
    /** A named profile from ~/.aws/credentials and ~/.aws/config. */
    profile: z.string().min(1).optional().describe('a named profile from ~/.aws/credentials and ~/.aws/config'),
    /** Static credentials (with secretAccessKey); default: the SDK chain: environment, shared profile, SSO, web identity, instance metadata. */
    accessKeyId: z.string().min(1).optional().describe('static credentials (with secretAccessKey); default: the SDK chain: environment, shared profile, SSO, web identity, instance metadata'),
    /** Secret for accessKeyId. */
    secretAccessKey: z.string().min(1).optional().describe('secret for accessKeyId'),
    /** Session token for temporary static credentials. */
    sessionToken: z.string().min(1).optional().describe('session token for temporary static credentials'),
    /** 'auto' (default): test at start whether the store honors If-None-Match/If-Match and use check-then-write (HEAD then PUT, not atomic) when it ignores or rejects them; 'require': always send them, fail if refused; 'off': never send them. */
    conditionalWrites: z
      .enum(['auto', 'require', 'off'])
      .default('auto')
      .describe(
        "'auto' (default): test at start whether the store honors If-None-Match/If-Match and use check-then-write (HEAD then PUT, not atomic) when it ignores or rejects them; 'require': always send them, fail if refused; 'off': never send them",
      ),
    /** 'WHEN_REQUIRED' stops the SDK's default CRC32 checksum headers (since v3.729), which R2, OVH, B2 and others reject; default: the provider's ('WHEN_SUPPORTED' for aws only). */
    requestChecksumCalculation: z
      .enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED'])
      .optional()
      .describe("'WHEN_REQUIRED' stops the SDK's default CRC32 checksum headers (since v3.729), which R2, OVH, B2 and others reject; default: the provider's ('WHEN_SUPPORTED' for aws only)"),
    /** Whether the SDK asks for and validates response checksums; default: the provider's, as requestChecksumCalculation. */
    responseChecksumValidation: z
      .enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED'])
      .optional()
      .describe("whether the SDK asks for and validates response checksums; default: the provider's, as requestChecksumCalculation"),
    /** Maximum simultaneous HTTP connections (and multipart parts in flight); default 8. */
    concurrency: z.int().min(1).max(256).default(8).describe('maximum simultaneous HTTP connections (and multipart parts in flight)'),
    /** Objects at least this large are uploaded in parts (default 16 MiB). */
    multipartThresholdBytes: z
      .int()
      .min(MIN_PART_SIZE)
      .max(MAX_PART_SIZE)
      .default(16 * MiB)
      .describe('objects at least this large are uploaded in parts (default 16 MiB)'),
    /** Multipart part size (default 8 MiB; S3 requires 5 MiB to 5 GiB). */
    partSizeBytes: z
      .int()
      .min(MIN_PART_SIZE)
      .max(MAX_PART_SIZE)
      .default(8 * MiB)
      .describe('multipart part size (default 8 MiB; S3 requires 5 MiB to 5 GiB)'),
    /** Attempts per request inside the AWS SDK (default 1: syncacross retries in its own layer, honoring Retry-After and pausing every request on throttling). */
    maxAttempts: z
      .int()
      .min(1)
      .max(10)
      .default(1)
      .describe('attempts per request inside the AWS SDK (default 1: syncacross retries in its own layer, honoring Retry-After and pausing every request on throttling)'),
    /** A request whose socket stays silent this long, in ms, fails as Unavailable (default 60,000; at least 1,000). */
    requestTimeoutMs: z.int().min(1000).default(60_000).describe('a request whose socket stays silent this long fails as Unavailable'),
  })
  .strict()
  .refine((o) => (o.accessKeyId === undefined) === (o.secretAccessKey === undefined), {
    message: 'accessKeyId and secretAccessKey go together',
    path: ['secretAccessKey'],
  })
  .refine((o) => o.sessionToken === undefined || o.accessKeyId !== undefined, { message: 'sessionToken needs accessKeyId and secretAccessKey', path: ['sessionToken'] })
  .refine((o) => o.partSizeBytes <= o.multipartThresholdBytes, { message: 'partSizeBytes must not exceed multipartThresholdBytes', path: ['partSizeBytes'] });

/** S3 options as given to `createS3Storage`. */
export type S3AdapterOptions = z.input<typeof optionsSchema>;
/** S3 options after parsing, defaults filled in. */
export type ResolvedS3Options = z.output<typeof optionsSchema>;

// The key id is listed too: it names the account, and it never needs to appear in logs.
/** The option names whose values are secrets: never printed, logged or put in `--json` output. */
export const secretOptions = ['accessKeyId', 'secretAccessKey', 'sessionToken'] as const;

/** `my-bucket/some/prefix` (or `s3://my-bucket/some/prefix`) → { bucket, prefix }. */
export function parseLocation(location: string): {
  /** The bucket name: the location up to its first `/`. */
  bucket: string;
  /** The rest, without leading or trailing `/`; absent when empty. */
  prefix?: string;
} {
  const trimmed = location.replace(/^s3:\/\//, '').replace(/^\/+/, '');
  const slash = trimmed.indexOf('/');
  if (slash < 0) return { bucket: trimmed };
  const prefix = trimmed.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  return prefix === '' ? { bucket: trimmed.slice(0, slash) } : { bucket: trimmed.slice(0, slash), prefix };
}

/** '' or `a/b/` : the form keys are joined to. */
export function normalizePrefix(prefix: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return p === '' ? '' : `${p}/`;
}
