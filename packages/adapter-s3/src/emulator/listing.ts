/**
 * ListObjectsV2 (`GET /bucket?list-type=2`): keys in UTF-8 byte order, `prefix`, `start-after`
 * (ignored once a continuation token is given), `continuation-token`, `max-keys` (capped at
 * 1,000 by AWS; lower here to force paging), `delimiter`, `encoding-type=url`.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import { s3Error, quoted, xmlResponse } from './responses.js';
import { compareUtf8, type StoredObject } from './state.js';
import { element } from './xml.js';

/** Opaque to clients, as AWS's tokens are; invalid tokens are refused, not ignored. */
const encodeToken = (lastKey: string) => Buffer.from(JSON.stringify({ after: lastKey }), 'utf8').toString('base64url');
function decodeToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    return typeof parsed.after === 'string' ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}

// encoding-type=url encodes like form-urlencoding but keeps '/' (as S3 does).
const urlEncodeKey = (k: string) => encodeURIComponent(k).replace(/%2F/g, '/');

export function listObjectsV2(bucket: string, objects: Map<string, StoredObject>, query: URLSearchParams, maxKeysLimit: number, quirks: { omitNextToken?: boolean } = {}): Response {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? '';
  const encode = query.get('encoding-type') === 'url' ? urlEncodeKey : (k: string) => k;
  const maxKeysParam = query.get('max-keys');
  const maxKeys = Math.min(maxKeysParam === null ? 1000 : Number(maxKeysParam), maxKeysLimit);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) return s3Error('GET', 400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
  let after = startAfter;
  if (token !== null) {
    const decoded = decodeToken(token);
    if (decoded === undefined) return s3Error('GET', 400, 'InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
    after = decoded;
  }

  const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && (after === '' || compareUtf8(k, after) > 0)).sort(compareUtf8);
  const contents: string[] = [];
  const commonPrefixes: string[] = [];
  let lastReturned: string | undefined;
  let truncated = false;
  for (const key of keys) {
    if (delimiter !== '') {
      const cut = key.indexOf(delimiter, prefix.length);
      if (cut >= 0) {
        const common = key.slice(0, cut + delimiter.length);
        if (commonPrefixes.at(-1) === common) continue; // keys sort together under one common prefix
        if (contents.length + commonPrefixes.length >= maxKeys) {
          truncated = true;
          break;
        }
        commonPrefixes.push(common);
        lastReturned = keys.filter((k) => k.startsWith(common)).at(-1);
        continue;
      }
    }
    if (contents.length + commonPrefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    const o = objects.get(key)!;
    contents.push(
      `<Contents>${element('Key', encode(key))}${element('LastModified', o.modified.toISOString())}${element('ETag', quoted(o.etag))}${element('Size', o.bytes.byteLength)}${element('StorageClass', 'STANDARD')}</Contents>`,
    );
    lastReturned = key;
  }

  let inner = element('Name', bucket) + element('Prefix', encode(prefix));
  if (token !== null) inner += element('ContinuationToken', token);
  else if (startAfter !== '') inner += element('StartAfter', encode(startAfter));
  inner += element('KeyCount', contents.length + commonPrefixes.length) + element('MaxKeys', maxKeys);
  if (delimiter !== '') inner += element('Delimiter', encode(delimiter));
  if (query.get('encoding-type') === 'url') inner += element('EncodingType', 'url');
  inner += element('IsTruncated', truncated);
  // Real-world mode truncatedWithoutToken (real-world.ts): some stores say "more" without saying where.
  if (truncated && !quirks.omitNextToken) inner += element('NextContinuationToken', encodeToken(lastReturned ?? after));
  inner += contents.join('') + commonPrefixes.map((p) => `<CommonPrefixes>${element('Prefix', encode(p))}</CommonPrefixes>`).join('');
  return xmlResponse('ListBucketResult', inner);
}
