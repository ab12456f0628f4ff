/**
 * Named provider profiles: what is known of each S3 store, in the manner of rclone's provider
 * table (backend/s3/s3.go, and since 1.72 backend/s3/provider/<Name>.yaml `quirks`). A profile
 * gives defaults, never guarantees: in `conditionalWrites: 'auto'` the adapter still measures
 * conditional writes at start (conditional-support.ts), and `probeCapabilities` measures again.
 *
 * - `checksums`: the AWS SDK (>= 3.729) sends CRC32 checksum headers on every upload unless told
 *   `WHEN_REQUIRED`; R2 answers 501 NotImplemented, OVH and B2 refuse them too
 *   (https://github.com/aws/aws-sdk-js-v3/issues/6810). rclone sends them to AWS only (issue 24).
 * - `conditionalPut` / `conditionalMultipart`: what is reported of `If-None-Match: *` on
 *   PutObject and on CompleteMultipartUpload (design/backends.md; B2 answers 501:
 *   https://www.backblaze.com/docs/cloud-storage-s3-compatible-api). Only AWS documents both
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
 * - `listPaging`: `token` follows ListObjectsV2's NextContinuationToken; `start-after` continues
 *   after the last key listed (StartAfter, the v2 twin of v1's Marker), for the stores rclone lists
 *   with v1 (`list_version: 1` in Ceph.yaml and Other.yaml) because their v2 tokens go missing.
 * - `pathStyle`: rclone forces path style for every provider but AWS (and a few clouds we do not
 *   name); AWS is moving to virtual-hosted style.
 */
export const PROVIDERS = ['aws', 'r2', 'b2', 'minio', 'ceph', 'wasabi', 'gcs', 'other'] as const;
/** A provider profile's name: the `provider` option's values. */
export type ProviderName = (typeof PROVIDERS)[number];

/** What is reported of a conditional header on one operation. */
type Reported = 'honored' | 'rejected' | 'unknown';

/** What is known of one S3 store (see above): defaults, never guarantees. */
export interface ProviderProfile {
  /** The profile's name, as the `provider` option takes it. */
  name: ProviderName;
  /** The store's name for people, e.g. `Cloudflare R2`. */
  label: string;
  /** The default of `requestChecksumCalculation` and `responseChecksumValidation` on this store. */
  checksums: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  /** What is reported of `If-None-Match: *` on PutObject: honored, rejected, or unknown. */
  conditionalPut: Reported;
  /** What is reported of `If-None-Match: *` on CompleteMultipartUpload. */
  conditionalMultipart: Reported;
  /** How a listing continues: ListObjectsV2's continuation token, or StartAfter the last key listed. */
  listPaging: 'token' | 'start-after';
  /** The default of `forcePathStyle` on this store. */
  pathStyle: boolean;
  /** Endpoint host names that identify the provider. */
  hosts?: RegExp;
}

/** Every known provider's profile, by name. */
export const PROFILES: Record<ProviderName, ProviderProfile> = {
  aws: {
    name: 'aws',
    label: 'AWS S3',
    checksums: 'WHEN_SUPPORTED',
    conditionalPut: 'honored',
    conditionalMultipart: 'honored',
    listPaging: 'token',
    pathStyle: false,
    hosts: /(^|\.)amazonaws\.com(\.cn)?$/,
  },
  r2: {
    name: 'r2',
    label: 'Cloudflare R2',
    checksums: 'WHEN_REQUIRED',
    conditionalPut: 'honored',
    conditionalMultipart: 'unknown',
    listPaging: 'token',
    pathStyle: true,
    hosts: /\.r2\.cloudflarestorage\.com$/,
  },
  b2: {
    name: 'b2',
    label: 'Backblaze B2',
    checksums: 'WHEN_REQUIRED',
    conditionalPut: 'rejected',
    conditionalMultipart: 'rejected',
    listPaging: 'token',
    pathStyle: true,
    hosts: /\.backblazeb2\.com$/,
  },
  minio: { name: 'minio', label: 'MinIO', checksums: 'WHEN_REQUIRED', conditionalPut: 'honored', conditionalMultipart: 'unknown', listPaging: 'token', pathStyle: true },
  ceph: { name: 'ceph', label: 'Ceph RGW', checksums: 'WHEN_REQUIRED', conditionalPut: 'honored', conditionalMultipart: 'unknown', listPaging: 'start-after', pathStyle: true },
  wasabi: {
    name: 'wasabi',
    label: 'Wasabi',
    checksums: 'WHEN_REQUIRED',
    conditionalPut: 'unknown',
    conditionalMultipart: 'unknown',
    listPaging: 'token',
    pathStyle: true,
    hosts: /(^|\.)wasabisys\.com$/,
  },
  gcs: {
    name: 'gcs',
    label: 'Google Cloud Storage (XML API)',
    checksums: 'WHEN_REQUIRED',
    conditionalPut: 'unknown',
    conditionalMultipart: 'unknown',
    listPaging: 'token',
    pathStyle: true,
    hosts: /^storage\.googleapis\.com$/,
  },
  other: {
    name: 'other',
    label: 'an S3-compatible store',
    checksums: 'WHEN_REQUIRED',
    conditionalPut: 'unknown',
    conditionalMultipart: 'unknown',
    listPaging: 'start-after',
    pathStyle: true,
  },
};

/** The option when given; else the endpoint's host (no endpoint: AWS; an unknown host: other). */
export function resolveProvider(option: ProviderName | undefined, endpoint: string | undefined): ProviderProfile {
  if (option !== undefined) return PROFILES[option];
  if (endpoint === undefined) return PROFILES.aws;
  const host = new URL(endpoint).hostname;
  return Object.values(PROFILES).find((p) => p.hosts?.test(host)) ?? PROFILES.other;
}
