/**
 * Real-world modes: what S3-compatible stores (and AWS itself, off the documented path) do that
 * no API reference describes. Each is off by default (the emulator then behaves as AWS documents)
 * and can be switched on at creation (`realWorld: {...}`), while running
 * (`emulator.settings.realWorld`), or with a `main.ts` flag. Issue 24 lists them.
 *
 * - `rejectChecksums` (`--reject-checksums`): Cloudflare R2, OVH, Backblaze B2 and others refuse
 *   the flexible-checksum headers the AWS SDK sends by default since v3.729
 *   (`x-amz-checksum-crc32`, `x-amz-sdk-checksum-algorithm`, `aws-chunked` bodies with a checksum
 *   trailer) with `501 NotImplemented: Header 'x-amz-checksum-crc32' with value '…' not
 *   implemented`. https://github.com/aws/aws-sdk-js-v3/issues/6810,
 *   https://github.com/cloudflare/cloudflare-docs/pull/19236 (R2's answer, quoted),
 *   https://www.backblaze.com/docs/cloud-storage-use-the-aws-sdk-for-javascript-v3-with-backblaze-b2.
 * - `multipartIgnoresConditions` (`--multipart-ignores-conditions`): If-None-Match / If-Match are
 *   honored on PutObject but CompleteMultipartUpload silently overwrites (moto did until recently,
 *   Ceph RGW is untested: issue 24). A probe that only creates small objects cannot see it.
 * - `truncatedWithoutToken` (`--truncated-without-token`): ListObjectsV2 answers
 *   `IsTruncated: true` with no `NextContinuationToken` (some Ceph releases and "Other" stores;
 *   rclone lists with v1 and `Marker` for them: `quirks: list_version: 1` in rclone's
 *   backend/s3/provider/Ceph.yaml and Other.yaml).
 * - `clockOffsetMs` (`--clock-offset-ms N`): the server's clock runs this far from ours. S3 refuses
 *   a request whose `x-amz-date` is more than 15 minutes off with `403 RequestTimeTooSkewed`,
 *   naming `RequestTime`, `ServerTime` and `MaxAllowedSkewMilliseconds`
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList); every
 *   answer's `Date` header carries the server's clock, from which the AWS SDK corrects its
 *   signing clock (@aws-sdk/core AwsSdkSigV4Signer.errorHandler).
 */
import { s3Error } from './responses.js';

export interface RealWorldModes {
  rejectChecksums: boolean;
  multipartIgnoresConditions: boolean;
  truncatedWithoutToken: boolean;
  /** Milliseconds the server's clock is ahead of the emulator's `now` (negative: behind). */
  clockOffsetMs: number;
}

export const defaultRealWorld = (modes: Partial<RealWorldModes> = {}): RealWorldModes => ({
  rejectChecksums: modes.rejectChecksums ?? false,
  multipartIgnoresConditions: modes.multipartIgnoresConditions ?? false,
  truncatedWithoutToken: modes.truncatedWithoutToken ?? false,
  clockOffsetMs: modes.clockOffsetMs ?? 0,
});

/** AWS's window: 15 minutes either way. */
const MAX_SKEW_MS = 15 * 60 * 1000;

/** The first checksum header (or aws-chunked encoding) a checksum-refusing store trips on. */
function checksumHeader(headers: Headers): { name: string; value: string } | undefined {
  let found: { name: string; value: string } | undefined;
  headers.forEach((value, name) => {
    if (found) return;
    // x-amz-checksum-mode on GET asks for checksums back; R2 ignores it rather than refusing.
    if ((name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-mode') || name === 'x-amz-sdk-checksum-algorithm') found = { name, value };
  });
  if (found) return found;
  const trailer = headers.get('x-amz-trailer');
  if (trailer !== null) return { name: trailer, value: '(trailer)' };
  if ((headers.get('content-encoding') ?? '').includes('aws-chunked')) return { name: 'content-encoding', value: 'aws-chunked' };
  return undefined;
}

/** R2's answer to a checksum header it does not implement, or undefined to go on. */
export function refuseChecksums(modes: RealWorldModes, method: string, headers: Headers): Response | undefined {
  if (!modes.rejectChecksums) return undefined;
  const h = checksumHeader(headers);
  if (!h) return undefined;
  return s3Error(method, 501, 'NotImplemented', `Header '${h.name}' with value '${h.value}' not implemented`, { Header: h.name });
}

/** 403 RequestTimeTooSkewed when the request's x-amz-date is more than 15 minutes from the server's clock. */
export function refuseSkewed(serverNow: number, method: string, headers: Headers): Response | undefined {
  const stamp = headers.get('x-amz-date');
  const m = stamp === null ? null : /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) return undefined;
  const requestTime = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (Math.abs(requestTime - serverNow) <= MAX_SKEW_MS) return undefined;
  return s3Error(method, 403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
    RequestTime: stamp!,
    ServerTime: new Date(serverNow).toISOString(),
    MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
  });
}
