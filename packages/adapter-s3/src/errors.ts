/**
 * AWS SDK errors → the contract's StorageError codes. S3 names its errors in the XML `<Code>`
 * (the SDK puts it in `name`); HEAD answers have no body, so there only the status is known.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 *
 * Anything we cannot classify is `Unavailable`: "could not ask" must never read as "not there".
 */
import { isPermanentHttpStatus, parseRetryAfter, StorageError, type StorageErrorCode } from '@syncacross/sync-core';
import { statusMapping, type StatusOverrides } from '@syncacross/sync-core/adapter-kit';

interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
  /** Fields of S3's XML error body, copied onto the error by the SDK. */
  Header?: string;
  ServerTime?: string;
  RequestTime?: string;
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);
const AUTH = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AccountProblem',
  'AllAccessDisabled',
  'InvalidSecurity',
  'Unauthorized',
  'Forbidden',
  'CredentialsProviderError',
]);
// S3 throttles with 503 SlowDown; S3-compatible stores use 429 and other names.
const THROTTLED = new Set(['SlowDown', 'TooManyRequests', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'ServiceUnavailable', 'RequestThrottled']);
const CONFIG = new Set(['NoSuchBucket', 'PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'InvalidBucketName', 'InvalidRegion']);
const NO_SPACE = new Set(['QuotaExceeded', 'InsufficientStorage', 'XMinioStorageFull', 'StorageFull']);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The S3 error code (`NoSuchKey`, `SlowDown`, …) or the SDK's error name. */
export function errorCodeOf(error: unknown): string | undefined {
  const e = error as SdkError | undefined;
  return e?.Code ?? e?.name;
}

export function httpStatusOf(error: unknown): number | undefined {
  const e = error as SdkError | undefined;
  return e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
}

/** S3-specific statuses: a 301 names the bucket's real region (the endpoint option is wrong). */
const S3_STATUSES: StatusOverrides = { 301: { code: 'InvalidConfig' } };

/**
 * S3's error names first (they are precise: 503 SlowDown is throttling, 404 NoSuchBucket is a bad
 * option); a bare status (HEAD has no body) goes through the adapter kit's shared table.
 */
function classify(error: SdkError, status: number | undefined, hasRetryAfter: boolean): StorageErrorCode {
  const code = error.Code ?? error.name ?? '';
  if (NOT_FOUND.has(code)) return 'NotFound';
  if (code === 'PreconditionFailed') return 'PreconditionFailed';
  if (AUTH.has(code)) return 'AuthFailed';
  if (THROTTLED.has(code)) return 'RateLimited';
  if (CONFIG.has(code) || /region is missing/i.test(error.message ?? '')) return 'InvalidConfig';
  if (code === 'NotImplemented') return 'NotSupported';
  if (code === 'EntityTooLarge') return 'TooLarge';
  if (NO_SPACE.has(code)) return 'NoSpace';
  // A 404 about a multipart upload, not about the key: whether the object was written is unknown.
  if (code === 'NoSuchUpload' || status === undefined) return 'Unavailable';
  return (S3_STATUSES[status] ?? statusMapping(status, hasRetryAfter)).code;
}

// The SDK's default flexible checksums (aws-sdk-js-v3#6810): R2 answers 501 NotImplemented
// "Header 'x-amz-checksum-crc32' with value '…' not implemented"; others 400 with the header named.
const CHECKSUM_HEADER = /x-amz-checksum-|x-amz-sdk-checksum|x-amz-trailer|aws-chunked/i;

/**
 * Answers that are about this machine or these settings rather than the store, with a message
 * that says what to change: a refused checksum header is a setting (InvalidConfig, never "the
 * store has no conditional writes"); a skewed clock is the clock, not the credentials.
 */
function settingOrClock(e: SdkError, status: number | undefined, what: string): StorageError | undefined {
  const code = errorCodeOf(e);
  const label = `${what}: ${code}${status === undefined ? '' : `, HTTP ${status}`}: ${e.message ?? ''}`;
  if ((code === 'NotImplemented' || code === 'InvalidArgument' || code === 'InvalidRequest') && CHECKSUM_HEADER.test(`${e.Header ?? ''} ${e.message ?? ''}`)) {
    const hint =
      "This store refuses the AWS SDK's default checksum headers: set requestChecksumCalculation (and responseChecksumValidation) to 'WHEN_REQUIRED', or name the store with the provider option (every profile but 'aws' does that)";
    return new StorageError('InvalidConfig', `${label}. ${hint}`, { cause: e });
  }
  if (code === 'RequestTimeTooSkewed') {
    const skewMs = e.ServerTime && e.RequestTime ? Math.abs(Date.parse(e.ServerTime) - Date.parse(e.RequestTime.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'))) : NaN;
    const off = Number.isFinite(skewMs) ? ` by about ${Math.round(skewMs / 60_000)} minutes` : '';
    // When the SDK could correct its signing clock from the answer, the next attempt succeeds
    // (client.ts resends once); when it could not, asking again will not help.
    const corrected = e.$metadata?.clockSkewCorrected === true;
    const message = `${label}. This computer's clock differs from the store's${off} (S3 allows 15 minutes): the credentials are fine, the clock is wrong. Set the system clock (enable NTP)`;
    return new StorageError('Unavailable', message, { cause: e, ...(corrected ? {} : { permanent: true }) });
  }
  return undefined;
}

/** Maps any failure of an S3 call to a StorageError; `what` names the operation and key. */
export function toStorageError(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkError;
  const special = settingOrClock(e, httpStatusOf(e), what);
  if (special) return special;
  const status = httpStatusOf(e);
  const networkCode = typeof e.code === 'string' && NETWORK.has(e.code) ? e.code : undefined;
  const retryAfter = parseRetryAfter(e.$response?.headers?.['retry-after']);
  const code: StorageErrorCode = networkCode || e.name === 'TimeoutError' ? 'Unavailable' : classify(e, status, retryAfter !== undefined);
  const label = [errorCodeOf(e), networkCode, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', ');
  const message = `${what}: ${label ? `${label}: ` : ''}${e.message ?? 'unknown error'}`;
  const retryAfterMs = code === 'RateLimited' ? retryAfter : undefined;
  // An unclassified 4xx will not change by asking again: Unavailable (never "absent"), not retried.
  const permanent = code === 'Unavailable' && !networkCode && status !== undefined && isPermanentHttpStatus(status);
  return new StorageError(code, message, { cause: error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...(permanent ? { permanent } : {}) });
}
