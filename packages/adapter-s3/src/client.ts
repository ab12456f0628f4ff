/** Builds the S3Client from validated options. */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { registerSecret } from '@syncacross/sync-core';
import { ANSWER_BODY_LIMIT, ERROR_BODY_LIMIT, readBodyWithin } from '@syncacross/sync-core/adapter-kit';
import { errorCodeOf } from './errors.js';
import type { ResolvedS3Options } from './options.js';
import type { ProviderProfile } from './providers.js';

/**
 * Credentials this client may sign with: the options, and those the SDK's chain reads from the
 * environment. (Keys read from ~/.aws or instance metadata never appear in requests or SDK
 * errors, only their signatures, which the generic scrubbing in sync-core masks.)
 */
function registerCredentials(o: ResolvedS3Options): void {
  for (const v of [o.accessKeyId, o.secretAccessKey, o.sessionToken]) registerSecret(v);
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']) registerSecret(process.env[name]);
}

/** Virtual-hosted style needs a DNS name to put the bucket in: never for an IP address or localhost. */
function pathStyle(o: ResolvedS3Options, profile: ProviderProfile): boolean {
  if (o.forcePathStyle !== undefined) return o.forcePathStyle;
  if (o.endpoint === undefined) return false;
  const host = new URL(o.endpoint).hostname;
  return profile.pathStyle || host === 'localhost' || /^[\d.]+$|^\[.*\]$/.test(host);
}

export function createS3Client(o: ResolvedS3Options, profile: ProviderProfile): S3Client {
  registerCredentials(o);
  const config: S3ClientConfig = {
    // S3-compatible stores mostly ignore the region but SigV4 needs one; AWS needs the real one.
    region: o.region ?? (o.endpoint !== undefined ? (process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1') : undefined),
    endpoint: o.endpoint,
    forcePathStyle: pathStyle(o, profile),
    // The SDK's default checksums break most S3-compatible stores (providers.ts).
    requestChecksumCalculation: o.requestChecksumCalculation ?? profile.checksums,
    responseChecksumValidation: o.responseChecksumValidation ?? profile.checksums,
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
  // On Node 20 the SDK prints eight lines on every command: its releases after January 2027 need
  // Node 22. That is about updates a user of this release does not get (the lock pins the SDK),
  // and syncacross supports Node 20 while it works: noise. A user's explicit setting stands.
  // (@aws-sdk/core emitWarningIfUnsupportedVersion reads this variable.)
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client(config);
  resendAfterClockCorrection(client);
  boundAnswerBodies(client);
  return client;
}

/**
 * A request refused with 403 RequestTimeTooSkewed is sent once more when the SDK has corrected its
 * signing clock from the answer (ServerTime, or the Date header: @aws-sdk/core's
 * AwsSdkSigV4Signer.errorHandler sets `$metadata.clockSkewCorrected`). The SDK's own retry would
 * do it, but its retries are off (maxAttempts: 1, see above). The refused request did nothing, so
 * sending it again is safe; placed before signing, so it is signed again with the corrected clock.
 */
type Middleware = Parameters<S3Client['middlewareStack']['addRelativeTo']>[0];

function resendAfterClockCorrection(client: S3Client): void {
  const resend = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    try {
      return await next(args);
    } catch (e) {
      const corrected = (e as { $metadata?: { clockSkewCorrected?: boolean } }).$metadata?.clockSkewCorrected === true;
      if (!corrected || errorCodeOf(e) !== 'RequestTimeTooSkewed') throw e;
      return next(args);
    }
  };
  client.middlewareStack.addRelativeTo(resend as unknown as Middleware, { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'syncacrossResendAfterClockCorrection' });
}

/**
 * Every answer's body read within a bound before the SDK reads it: the SDK gathers an error's body
 * whole (to parse its code), and a listing's, so a store answering with a body with no end took
 * all the memory there was. An error's body is read up to ERROR_BODY_LIMIT (64 KiB: its code and
 * message), any other up to ANSWER_BODY_LIMIT (16 MiB; a listing page of 1,000 keys is a few
 * hundred KB; past that its XML is cut and unreadable: an error, never a shorter listing). A
 * GetObject's object bytes are left as a stream: object-io.ts reads them within the range. Placed
 * after the deserializer, so it sees the answer first.
 */
function boundAnswerBodies(client: S3Client): void {
  type Answer = { response?: { statusCode?: number; body?: unknown } };
  const bound = (next: (args: unknown) => Promise<Answer>, context: { commandName?: string }) => async (args: unknown) => {
    const out = await next(args);
    const response = out.response;
    const status = response?.statusCode ?? 0;
    const body = response?.body as AsyncIterable<Uint8Array> | undefined;
    if (!response || !body || typeof body[Symbol.asyncIterator] !== 'function') return out;
    if (context.commandName === 'GetObjectCommand' && status < 300) return out;
    response.body = await readBodyWithin(body, { limit: status < 300 ? ANSWER_BODY_LIMIT : ERROR_BODY_LIMIT });
    return out;
  };
  client.middlewareStack.addRelativeTo(bound as unknown as Middleware, { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'syncacrossBoundedAnswerBodies' });
}
