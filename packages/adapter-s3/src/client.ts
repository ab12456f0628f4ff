/** Builds the S3Client from validated options. */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { registerSecret } from '@syncacross/sync-core';
import type { ResolvedS3Options } from './options.js';

/**
 * Credentials this client may sign with: the options, and those the SDK's chain reads from the
 * environment. (Keys read from ~/.aws or instance metadata never appear in requests or SDK
 * errors, only their signatures, which the generic scrubbing in sync-core masks.)
 */
function registerCredentials(o: ResolvedS3Options): void {
  for (const v of [o.accessKeyId, o.secretAccessKey, o.sessionToken]) registerSecret(v);
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']) registerSecret(process.env[name]);
}

export function createS3Client(o: ResolvedS3Options): S3Client {
  registerCredentials(o);
  const config: S3ClientConfig = {
    // S3-compatible stores mostly ignore the region but SigV4 needs one; AWS needs the real one.
    region: o.region ?? (o.endpoint !== undefined ? (process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1') : undefined),
    endpoint: o.endpoint,
    forcePathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
    requestChecksumCalculation: o.requestChecksumCalculation,
    responseChecksumValidation: o.responseChecksumValidation,
    // The SDK's own retries stay off by default: the engine wraps every storage in withRetry,
    // which honors Retry-After and pauses *all* requests after a throttle. Retrying in both
    // layers would multiply attempts (3 × 9) and hide RateLimited from the shared pause.
    maxAttempts: o.maxAttempts,
    requestHandler: {
      connectionTimeout: 10_000,
      socketTimeout: o.requestTimeoutMs,
      httpAgent: { keepAlive: true, maxSockets: o.concurrency },
      httpsAgent: { keepAlive: true, maxSockets: o.concurrency },
    },
  };
  if (o.profile !== undefined) config.profile = o.profile;
  // Without static keys the SDK's default chain applies: environment, shared files (profile),
  // SSO, web identity, container and instance metadata.
  if (o.accessKeyId !== undefined && o.secretAccessKey !== undefined) {
    config.credentials = { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, ...(o.sessionToken === undefined ? {} : { sessionToken: o.sessionToken }) };
  }
  return new S3Client(config);
}
