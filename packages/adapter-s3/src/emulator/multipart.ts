/**
 * Multipart uploads: Create, UploadPart, Complete (with conditional headers), Abort.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html: parts listed
 * in ascending order (InvalidPartOrder), each one uploaded with that ETag (InvalidPart), all but
 * the last at least 5 MiB (EntityTooSmall); the upload ID is gone once completed or aborted
 * (NoSuchUpload).
 */
import { readBody } from './body.js';
import { withPreconditions } from './conditional.js';
import { bodyErrorResponse, type ObjectRequest } from './objects.js';
import { emptyResponse, quoted, s3Error, unquoted, xmlResponse } from './responses.js';
import { md5Hex, multipartEtag, userMetadata } from './state.js';
import { allElements, element, firstElement } from './xml.js';

export function createMultipartUpload(r: ObjectRequest): Response {
  const uploadId = r.state.newUpload(r.bucket, r.key, r.request.headers.get('content-type') ?? 'binary/octet-stream', userMetadata(r.request.headers));
  return xmlResponse('InitiateMultipartUploadResult', element('Bucket', r.bucket) + element('Key', r.key) + element('UploadId', uploadId));
}

function findUpload(r: ObjectRequest, uploadId: string) {
  const upload = r.state.uploads.get(uploadId);
  return upload && upload.bucket === r.bucket && upload.key === r.key ? upload : undefined;
}

const noSuchUpload = (method: string, uploadId: string) =>
  s3Error(method, 404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });

export async function uploadPart(r: ObjectRequest, uploadId: string, partNumberText: string): Promise<Response> {
  const partNumber = Number(partNumberText);
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
    return s3Error('PUT', 400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
  }
  let body;
  try {
    body = await readBody(r.request);
  } catch (e) {
    return bodyErrorResponse('PUT', e);
  }
  const upload = findUpload(r, uploadId);
  if (!upload) return noSuchUpload('PUT', uploadId);
  const etag = md5Hex(body.bytes);
  upload.parts.set(partNumber, { bytes: body.bytes, etag });
  const headers: Record<string, string> = { etag: quoted(etag) };
  for (const [algorithm, value] of Object.entries(body.checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
  return emptyResponse(200, headers);
}

export async function completeMultipartUpload(r: ObjectRequest, uploadId: string, minPartSize: number): Promise<Response> {
  const xml = await r.request.text();
  const upload = findUpload(r, uploadId);
  if (!upload) return noSuchUpload('POST', uploadId);
  const listed = allElements(xml, 'Part').map((p) => ({ number: Number(firstElement(p, 'PartNumber')), etag: unquoted(firstElement(p, 'ETag') ?? '') }));
  if (listed.length === 0) return s3Error('POST', 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  if (listed.some((part, i) => i > 0 && part.number <= listed[i - 1]!.number)) {
    return s3Error('POST', 400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
  }
  for (let i = 0; i < listed.length; i++) {
    const part = listed[i]!;
    const uploaded = upload.parts.get(part.number);
    if (!uploaded || uploaded.etag !== part.etag) {
      return s3Error(
        'POST',
        400,
        'InvalidPart',
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
        { PartNumber: String(part.number), ETag: part.etag },
      );
    }
    if (i < listed.length - 1 && uploaded.bytes.byteLength < minPartSize) {
      return s3Error('POST', 400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
        PartNumber: String(part.number),
        ProposedSize: String(uploaded.bytes.byteLength),
        MinSizeAllowed: String(minPartSize),
      });
    }
  }
  const conditional = r.multipartIgnoresConditions ? { ...r.conditional, mode: 'ignore' as const } : r.conditional;
  return withPreconditions(r.state, conditional, r.request, r.bucket, r.key, () => {
    const parts = listed.map((p) => upload.parts.get(p.number)!);
    const bytes = Buffer.concat(parts.map((p) => p.bytes));
    const stored = r.state.store(r.bucket, r.key, { bytes, etag: multipartEtag(parts.map((p) => p.etag)), contentType: upload.contentType, checksums: {}, metadata: upload.metadata });
    r.state.uploads.delete(uploadId);
    return xmlResponse(
      'CompleteMultipartUploadResult',
      element('Location', `/${r.bucket}/${encodeURIComponent(r.key)}`) + element('Bucket', r.bucket) + element('Key', r.key) + element('ETag', quoted(stored.etag)),
    );
  });
}

export function abortMultipartUpload(r: ObjectRequest, uploadId: string): Response {
  if (!findUpload(r, uploadId)) return noSuchUpload('DELETE', uploadId);
  r.state.uploads.delete(uploadId);
  return emptyResponse(204);
}
