/**
 * An S3 API emulator as a fetch handler (Request → Response), path-style only
 * (`http://host/bucket/key`). Runs inside msw in tests, or as a local server through
 * `serveFetchHandler` / `main.ts`. It does not verify SigV4 signatures: it only requires that a
 * request is signed, and, when `accessKeyId` is set, with that key.
 */
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, uploadPart } from './multipart.js';
import type { ConditionalWriteMode } from './conditional.js';
import { FAULT_RESPONSES, FaultInjector, type FaultSpec, type S3Operation } from './faults.js';
import { listObjectsV2 } from './listing.js';
import { defaultRealWorld, refuseChecksums, refuseSkewed, type RealWorldModes } from './real-world.js';
import { deleteObject, getObject, putObject, type ObjectRequest } from './objects.js';
import { emptyResponse, s3Error } from './responses.js';
import { compareUtf8, S3State, type StoredObject } from './state.js';
import { errorXml } from './xml.js';

export interface S3EmulatorOptions {
  /** Buckets that exist from the start (CreateBucket works too). */
  buckets?: string[];
  /** When set, requests signed with another access key get 403 InvalidAccessKeyId. */
  accessKeyId?: string;
  /** 'honor' (AWS, default), 'ignore' (s3rver: silently overwrites), 'reject' (B2: 501). */
  conditionalWrites?: ConditionalWriteMode;
  /** Holds each conditional write open this long; overlapping ones get 409 (default 0). */
  conditionalWriteLatencyMs?: number;
  /** Largest page ListObjectsV2 returns (AWS: 1,000). */
  maxKeysLimit?: number;
  /** Smallest non-final multipart part (AWS: 5 MiB). */
  minPartSize?: number;
  /** Largest single PutObject (AWS: 5 GiB). */
  maxPutBytes?: number;
  /** Real-world modes (real-world.ts), all off by default. */
  realWorld?: Partial<RealWorldModes>;
  now?: () => number;
  random?: () => number;
}

export interface RequestRecord {
  method: string;
  operation: S3Operation | 'Unsupported';
  bucket?: string;
  key?: string;
  status: number;
}

export interface S3Emulator {
  handle(request: Request): Promise<Response>;
  readonly faults: FaultInjector;
  /** Every request answered, in order (tests count requests with it). */
  readonly requests: RequestRecord[];
  /** Changeable while running. */
  readonly settings: { conditionalWrites: ConditionalWriteMode; conditionalWriteLatencyMs: number; maxKeysLimit: number; realWorld: RealWorldModes };
  createBucket(name: string): void;
  keys(bucket: string): string[];
  object(bucket: string, key: string): StoredObject | undefined;
  pendingUploads(): { bucket: string; key: string; uploadId: string }[];
}

const MiB = 1024 * 1024;

function operationOf(method: string, hasKey: boolean, q: URLSearchParams): S3Operation | undefined {
  if (!hasKey) {
    if (method === 'GET' && q.get('list-type') === '2') return 'ListObjectsV2';
    if (method === 'PUT' && [...q.keys()].length === 0) return 'CreateBucket';
    if (method === 'HEAD') return 'HeadBucket';
    return undefined;
  }
  if (method === 'PUT' && q.has('uploadId') && q.has('partNumber')) return 'UploadPart';
  if (method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload';
  if (method === 'PUT') return 'PutObject';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'DELETE') return 'DeleteObject';
  return undefined;
}

function faultResponse(method: string, spec: FaultSpec): Response {
  const r = FAULT_RESPONSES[spec.kind];
  if (spec.kind === 'ErrorIn200') return new Response(errorXml(r.code, r.message), { status: 200, headers: { 'content-type': 'application/xml' } });
  return s3Error(method, r.status, r.code, r.message, {}, spec.retryAfter === undefined ? {} : { 'retry-after': spec.retryAfter });
}

/** The access key a SigV4 request was signed with (header or presigned query), if signed at all. */
function signingKey(request: Request, url: URL): string | undefined {
  const credential = /Credential=([^/,\s]+)/.exec(request.headers.get('authorization') ?? '')?.[1] ?? url.searchParams.get('X-Amz-Credential')?.split('/')[0];
  return credential || undefined;
}

export function createS3Emulator(options: S3EmulatorOptions = {}): S3Emulator {
  const state = new S3State(options.now ?? Date.now);
  for (const b of options.buckets ?? []) state.createBucket(b);
  const faults = new FaultInjector(options.random);
  const requests: RequestRecord[] = [];
  const settings = {
    conditionalWrites: options.conditionalWrites ?? 'honor',
    conditionalWriteLatencyMs: options.conditionalWriteLatencyMs ?? 0,
    maxKeysLimit: options.maxKeysLimit ?? 1000,
    realWorld: defaultRealWorld(options.realWorld),
  };
  const now = options.now ?? Date.now;
  const serverNow = () => now() + settings.realWorld.clockOffsetMs;
  const minPartSize = options.minPartSize ?? 5 * MiB;
  const maxPutBytes = options.maxPutBytes ?? 5 * 1024 * MiB;

  async function route(request: Request, url: URL, operation: S3Operation, bucket: string, key: string | undefined): Promise<Response> {
    const method = request.method;
    const q = url.searchParams;
    if (operation === 'CreateBucket') {
      return state.createBucket(bucket)
        ? emptyResponse(200, { location: `/${bucket}` })
        : s3Error(method, 409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.');
    }
    const objects = state.bucket(bucket);
    if (!objects) return s3Error(method, 404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    if (operation === 'HeadBucket') return emptyResponse(200);
    if (operation === 'ListObjectsV2') return listObjectsV2(bucket, objects, q, settings.maxKeysLimit, { omitNextToken: settings.realWorld.truncatedWithoutToken });
    const r: ObjectRequest = {
      state,
      request,
      bucket,
      key: key!,
      conditional: { mode: settings.conditionalWrites, latencyMs: settings.conditionalWriteLatencyMs },
      multipartIgnoresConditions: settings.realWorld.multipartIgnoresConditions,
      maxPutBytes,
    };
    switch (operation) {
      case 'PutObject':
        if (request.headers.has('x-amz-copy-source')) return s3Error(method, 501, 'NotImplemented', 'CopyObject is not emulated', { Header: 'x-amz-copy-source' });
        return putObject(r);
      case 'GetObject':
        return getObject(r, false);
      case 'HeadObject':
        return getObject(r, true);
      case 'DeleteObject':
        return deleteObject(r);
      case 'CreateMultipartUpload':
        return createMultipartUpload(r);
      case 'UploadPart':
        return uploadPart(r, q.get('uploadId')!, q.get('partNumber')!);
      case 'CompleteMultipartUpload':
        return completeMultipartUpload(r, q.get('uploadId')!, minPartSize);
      case 'AbortMultipartUpload':
        return abortMultipartUpload(r, q.get('uploadId')!);
    }
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method;
    const slash = url.pathname.indexOf('/', 1);
    let bucket: string;
    let key: string | undefined;
    try {
      bucket = decodeURIComponent(slash < 0 ? url.pathname.slice(1) : url.pathname.slice(1, slash));
      const rawKey = slash < 0 ? '' : url.pathname.slice(slash + 1);
      key = rawKey === '' ? undefined : decodeURIComponent(rawKey);
    } catch {
      return s3Error(method, 400, 'InvalidURI', "Couldn't parse the specified URI.");
    }
    const operation = bucket === '' ? undefined : operationOf(method, key !== undefined, url.searchParams);
    const record = (response: Response, op: RequestRecord['operation']) => {
      // S3 stamps every answer with its own clock; the AWS SDK corrects its signing clock from it.
      response.headers.set('date', new Date(serverNow()).toUTCString());
      requests.push({ method, operation: op, bucket: bucket || undefined, key, status: response.status });
      return response;
    };
    if (!operation) return record(s3Error(method, 501, 'NotImplemented', `${method} ${url.pathname}${url.search} is not emulated`), 'Unsupported');

    const signer = signingKey(request, url);
    if (signer === undefined) return record(s3Error(method, 403, 'AccessDenied', 'Access Denied'), operation);
    if (options.accessKeyId !== undefined && signer !== options.accessKeyId) {
      return record(s3Error(method, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: signer }), operation);
    }
    const refused = refuseSkewed(serverNow(), method, request.headers) ?? refuseChecksums(settings.realWorld, method, request.headers);
    if (refused) {
      await request.arrayBuffer().catch(() => undefined);
      return record(refused, operation);
    }
    const before = faults.take(operation, key, 'before');
    if (before) {
      await request.arrayBuffer().catch(() => undefined); // drain, as a server would
      return record(faultResponse(method, before), operation);
    }
    const response = await route(request, url, operation, bucket, key);
    if (response.status < 300) {
      const after = faults.take(operation, key, 'after');
      if (after) return record(faultResponse(method, after), operation);
    }
    return record(response, operation);
  }

  return {
    handle,
    faults,
    requests,
    settings,
    createBucket: (name) => void state.createBucket(name),
    keys: (bucket) => [...(state.bucket(bucket)?.keys() ?? [])].sort(compareUtf8),
    object: (bucket, key) => state.bucket(bucket)?.get(key),
    pendingUploads: () => [...state.uploads].map(([uploadId, u]) => ({ bucket: u.bucket, key: u.key, uploadId })),
  };
}
