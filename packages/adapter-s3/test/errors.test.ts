/**
 * How S3 failures reach the engine, driven through the real SDK against the emulator inside msw:
 * each S3 answer maps to one StorageError code (and never to "absent" when the answer is unknown).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { isStorageError, type StorageErrorCode } from '@syncacross/sync-core';
import { closedPortUrl } from '@syncacross/sync-core/testing';
import { createS3Storage, type S3Storage } from '../src/index.js';
import { mockS3, mswOptions } from './support/msw.js';

const s3 = mockS3();
beforeAll(() => s3.server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  s3.server.resetHandlers();
  s3.emulator.faults.clear();
});
afterAll(() => s3.server.close());

const bytes = (s: string) => new TextEncoder().encode(s);
let n = 0;
const fresh = (extra: Parameters<typeof mswOptions>[0] = {}) => createS3Storage(mswOptions({ prefix: `case-${++n}`, conditionalWrites: 'require', ...extra }));

async function codeOf(p: Promise<unknown>): Promise<{ code: StorageErrorCode; retryAfterMs?: number; message: string }> {
  try {
    await p;
  } catch (e) {
    if (!isStorageError(e)) throw e;
    return { code: e.code, retryAfterMs: e.retryAfterMs, message: e.message };
  }
  throw new Error('expected a StorageError, but the call succeeded');
}

describe('S3 answers map to StorageError codes', () => {
  it('404 NoSuchKey → NotFound', async () => {
    const s = await fresh();
    expect((await codeOf(s.get('missing'))).code).toBe('NotFound');
  });

  it('403 AccessDenied and 403 InvalidAccessKeyId → AuthFailed', async () => {
    const s = await fresh();
    s3.emulator.faults.inject({ kind: 'AccessDenied', operations: ['ListObjectsV2'] });
    expect(await codeOf(s.list(''))).toMatchObject({ code: 'AuthFailed', message: expect.stringMatching(/AccessDenied/) });
    const wrongKey = await fresh({ accessKeyId: 'AKIAWRONG', secretAccessKey: 'x' });
    expect(await codeOf(wrongKey.get('k'))).toMatchObject({ code: 'AuthFailed', message: expect.stringMatching(/InvalidAccessKeyId/) });
  });

  it('503 SlowDown → RateLimited, with Retry-After in seconds, as a date, or absent', async () => {
    const s = await fresh();
    s3.emulator.faults.inject({ kind: 'SlowDown', operations: ['GetObject'], retryAfter: '7' });
    expect(await codeOf(s.get('k'))).toMatchObject({ code: 'RateLimited', retryAfterMs: 7000 });
    s3.emulator.faults.inject({ kind: 'SlowDown', operations: ['PutObject'], retryAfter: new Date(Date.now() + 30_000).toUTCString() });
    const dated = await codeOf(s.putIfAbsent('k', bytes('x')));
    expect(dated.code).toBe('RateLimited');
    expect(dated.retryAfterMs).toBeGreaterThan(25_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(30_000);
    s3.emulator.faults.inject({ kind: 'SlowDown', operations: ['ListObjectsV2'] });
    expect(await codeOf(s.list(''))).toEqual({ code: 'RateLimited', retryAfterMs: undefined, message: expect.stringMatching(/SlowDown/) });
  });

  it('the SDK does not retry on its own: one 503 is one request, reported at once', async () => {
    const s = await fresh();
    const before = s3.emulator.requests.length;
    s3.emulator.faults.inject({ kind: 'SlowDown', operations: ['GetObject'] });
    expect((await codeOf(s.get('k'))).code).toBe('RateLimited');
    expect(s3.emulator.requests.length - before).toBe(1);
  });

  it('500 InternalError → Unavailable', async () => {
    const s = await fresh();
    s3.emulator.faults.inject({ kind: 'InternalError', operations: ['ListObjectsV2'] });
    expect((await codeOf(s.list(''))).code).toBe('Unavailable');
  });

  it("501 NotImplemented for conditional headers → NotSupported in 'require' mode", async () => {
    s3.emulator.settings.conditionalWrites = 'reject';
    try {
      const s = await fresh();
      const e = await codeOf(s.putIfAbsent('k', bytes('x')));
      expect(e.code).toBe('NotSupported');
      expect(e.message).toMatch(/conditionalWrites/);
    } finally {
      s3.emulator.settings.conditionalWrites = 'honor';
    }
  });

  it('200 OK with an <Error> body on CompleteMultipartUpload → Unavailable, and the upload is aborted', async () => {
    const s = await fresh({ multipartThresholdBytes: 5 * 1024 * 1024, partSizeBytes: 5 * 1024 * 1024 });
    s3.emulator.faults.inject({ kind: 'ErrorIn200', operations: ['CompleteMultipartUpload'] });
    const e = await codeOf(s.putIfAbsent('big', new Uint8Array(6 * 1024 * 1024)));
    expect(e.code).toBe('Unavailable');
    expect(e.message).toMatch(/CompleteMultipartUpload/);
    expect(s3.emulator.pendingUploads()).toEqual([]);
    expect(s3.emulator.object('test-bucket', `case-${n}/big`)).toBeUndefined();
  });

  it('a network error → Unavailable (msw connection error, and a closed port)', async () => {
    const s = await fresh();
    s3.use(http.all(/.*/, () => HttpResponse.error()));
    expect((await codeOf(s.get('k'))).code).toBe('Unavailable');
    expect((await codeOf(s.list(''))).code).toBe('Unavailable');
    s3.server.resetHandlers();
    s3.server.close(); // let requests reach the real (closed) port
    try {
      const down = await createS3Storage(mswOptions({ endpoint: await closedPortUrl(), conditionalWrites: 'require' }));
      expect(await codeOf(down.get('k'))).toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      s3.server.listen({ onUnhandledRequest: 'error' });
    }
  });

  it('NoSuchBucket → InvalidConfig, never an empty listing', async () => {
    const s = await fresh({ bucket: 'no-such-bucket' });
    expect((await codeOf(s.list(''))).code).toBe('InvalidConfig');
  });

  it('a truncated listing page without a continuation token → Unavailable, never a short listing', async () => {
    const s = await fresh();
    s3.use(
      // msw matches paths without the query string: pick the listing out by hand.
      http.get(/.*/, ({ request }) =>
        new URL(request.url).searchParams.get('list-type') === '2'
          ? HttpResponse.xml('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>test-bucket</Name><KeyCount>0</KeyCount><IsTruncated>true</IsTruncated></ListBucketResult>')
          : undefined,
      ),
    );
    expect((await codeOf(s.list(''))).code).toBe('Unavailable');
  });

  it('403 RequestTimeTooSkewed → Unavailable about the clock, not AuthFailed; permanent when the SDK cannot correct its clock', async () => {
    const s = await fresh();
    // An answer with neither ServerTime nor a Date header: the SDK has nothing to correct from.
    s3.use(
      http.get(/.*/, () =>
        HttpResponse.xml(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds></Error>',
          { status: 403 },
        ),
      ),
    );
    const e = await s.get('k').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'Unavailable', permanent: true, message: expect.stringMatching(/RequestTimeTooSkewed.*clock.*credentials are fine/s) });
  });

  it('a 400 naming a checksum header (B2, OVH) → InvalidConfig naming requestChecksumCalculation', async () => {
    const s = await fresh();
    s3.use(
      http.put(/.*/, () =>
        HttpResponse.xml(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>Unsupported header \'x-amz-checksum-crc32\' received for this API call.</Message></Error>',
          { status: 400 },
        ),
      ),
    );
    expect(await codeOf(s.putIfAbsent('k', bytes('x')))).toMatchObject({ code: 'InvalidConfig', message: expect.stringMatching(/x-amz-checksum-crc32.*WHEN_REQUIRED/s) });
  });

  it('a body cut short of its Content-Length → Unavailable, never a short object', async () => {
    const s: S3Storage = await fresh();
    await s.putIfAbsent('cut', new Uint8Array(1000));
    s3.use(
      http.get(/\/cut$/, () => {
        const stream = new ReadableStream({
          start(c) {
            c.enqueue(new Uint8Array(100));
            c.error(new Error('connection reset'));
          },
        });
        return new HttpResponse(stream, { headers: { 'content-length': '1000', etag: '"x"' } });
      }),
    );
    expect((await codeOf(s.get('cut'))).code).toBe('Unavailable');
  });
});
