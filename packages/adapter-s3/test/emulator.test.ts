/**
 * The emulator itself, spoken to in raw HTTP: it must behave like AWS where the adapter relies on
 * it (status codes, XML bodies, paging, checksums), or the conformance run against it proves little.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { crc32Base64 } from '../src/emulator/index.js';
import { ACCESS_KEY, BUCKET, startEmulator, type RunningEmulator } from './support/emulator.js';

let e: RunningEmulator;
beforeAll(async () => {
  e = await startEmulator({ maxKeysLimit: 1000 });
});
afterAll(() => e.close());

const auth = { authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0` };
const url = (path: string) => `${e.server.url}/${BUCKET}/${path}`;
const put = (key: string, body: string, headers: Record<string, string> = {}) => fetch(url(key), { method: 'PUT', body, headers: { ...auth, ...headers } });
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('S3 emulator', () => {
  it('refuses unsigned requests with 403 AccessDenied', async () => {
    const r = await fetch(url('k'));
    expect(r.status).toBe(403);
    expect(await r.text()).toMatch(/<Code>AccessDenied<\/Code>/);
  });

  it('answers If-None-Match: * on an existing key with 412 and an S3 XML error body', async () => {
    expect((await put('cond/a', 'one', { 'if-none-match': '*' })).status).toBe(200);
    const r = await put('cond/a', 'two', { 'if-none-match': '*' });
    expect(r.status).toBe(412);
    const body = await r.text();
    expect(body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>PreconditionFailed<\/Code><Message>At least one of the pre-conditions you specified did not hold<\/Message><Condition>If-None-Match<\/Condition><RequestId>/,
    );
    expect(new TextDecoder().decode(e.emulator.object(BUCKET, 'cond/a')!.bytes)).toBe('one');
  });

  it('answers If-Match with a stale etag 412, on a missing key 404 NoSuchKey (as AWS; Ceph says 412)', async () => {
    const first = await put('cond/b', 'v1');
    expect(first.headers.get('etag')).toBe(`"${md5('v1')}"`);
    expect((await put('cond/b', 'v2', { 'if-match': `"${md5('v1')}"` })).status).toBe(200);
    expect((await put('cond/b', 'v3', { 'if-match': `"${md5('v1')}"` })).status).toBe(412);
    const missing = await put('cond/missing', 'x', { 'if-match': `"${md5('v1')}"` });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/<Code>NoSuchKey<\/Code>/);
  });

  it('answers 501 NotImplemented to If-None-Match values other than *', async () => {
    const r = await put('cond/c', 'x', { 'if-none-match': '"abc"' });
    expect(r.status).toBe(501);
    expect(await r.text()).toMatch(/<Header>If-None-Match<\/Header>/);
  });

  it('answers 409 ConditionalRequestConflict to a conditional write overlapping another', async () => {
    e.emulator.settings.conditionalWriteLatencyMs = 50;
    try {
      const [a, b] = await Promise.all([put('cond/d', 'a', { 'if-none-match': '*' }), put('cond/d', 'b', { 'if-none-match': '*' })]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect(await (a.status === 409 ? a : b).text()).toMatch(/<Code>ConditionalRequestConflict<\/Code>/);
    } finally {
      e.emulator.settings.conditionalWriteLatencyMs = 0;
    }
  });

  it('verifies x-amz-checksum-crc32 and x-amz-content-sha256, refusing mismatches with 400', async () => {
    expect((await put('sum/ok', 'hello', { 'x-amz-checksum-crc32': crc32Base64(new TextEncoder().encode('hello')) })).status).toBe(200);
    const bad = await put('sum/bad', 'hello', { 'x-amz-checksum-crc32': crc32Base64(new TextEncoder().encode('other')) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/<Code>BadDigest<\/Code>/);
    const badSha = await put('sum/bad', 'hello', { 'x-amz-content-sha256': 'a'.repeat(64) });
    expect(badSha.status).toBe(400);
    expect(e.emulator.object(BUCKET, 'sum/bad')).toBeUndefined();
  });

  it('decodes aws-chunked bodies with a trailing checksum', async () => {
    const data = 'chunked body!';
    const body = `${data.length.toString(16)}\r\n${data}\r\n0\r\nx-amz-checksum-crc32:${crc32Base64(new TextEncoder().encode(data))}\r\n\r\n`;
    const r = await put('sum/chunked', body, {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(data.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    expect(r.status).toBe(200);
    expect(new TextDecoder().decode(e.emulator.object(BUCKET, 'sum/chunked')!.bytes)).toBe(data);
  });

  it('serves ranges with 206 and Content-Range, 416 past the end', async () => {
    await put('range/o', '0123456789');
    const r = await fetch(url('range/o'), { headers: { ...auth, range: 'bytes=2-4' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(await r.text()).toBe('234');
    expect((await fetch(url('range/o'), { headers: { ...auth, range: 'bytes=8-100' } })).headers.get('content-range')).toBe('bytes 8-9/10');
    expect((await fetch(url('range/o'), { headers: { ...auth, range: 'bytes=10-20' } })).status).toBe(416);
  });

  it('pages ListObjectsV2 with max-keys and continuation tokens, in UTF-8 byte order, and honors start-after', async () => {
    const keys = ['ls/a', 'ls/b', 'ls/\uffff', 'ls/😀', 'ls/c/d'];
    for (const k of keys) await put(k.split('/').map(encodeURIComponent).join('/'), k);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const q = new URLSearchParams({ 'list-type': '2', prefix: 'ls/', 'max-keys': '2', ...(token ? { 'continuation-token': token } : {}) });
      const xml = await (await fetch(`${e.server.url}/${BUCKET}?${q}`, { headers: auth })).text();
      seen.push(...[...xml.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1]!));
      token = /<NextContinuationToken>(.*?)<\/NextContinuationToken>/.exec(xml)?.[1];
      expect(xml.includes('<IsTruncated>true</IsTruncated>')).toBe(token !== undefined);
      pages++;
    } while (token);
    // U+FFFF sorts before U+1F600 in UTF-8 (and code points), after it in UTF-16 units.
    expect(seen).toEqual(['ls/a', 'ls/b', 'ls/c/d', 'ls/\uffff', 'ls/😀']);
    expect(pages).toBe(3);
    const after = await (await fetch(`${e.server.url}/${BUCKET}?list-type=2&prefix=ls/&start-after=ls/b`, { headers: auth })).text();
    expect([...after.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1])).toEqual(['ls/c/d', 'ls/\uffff', 'ls/😀']);
    const badToken = await fetch(`${e.server.url}/${BUCKET}?list-type=2&continuation-token=nonsense`, { headers: auth });
    expect(badToken.status).toBe(400);
  });

  it('real-world modes: 501 to checksum headers, truncated pages without a token, 403 to a skewed clock', async () => {
    const modes = e.emulator.settings.realWorld;
    try {
      modes.rejectChecksums = true;
      const refused = await put('rw/sum', 'hello', { 'x-amz-checksum-crc32': crc32Base64(new TextEncoder().encode('hello')) });
      expect(refused.status).toBe(501);
      expect(await refused.text()).toMatch(/<Code>NotImplemented<\/Code><Message>Header &apos;x-amz-checksum-crc32&apos; with value &apos;[^&]+&apos; not implemented<\/Message>/);
      expect((await put('rw/plain', 'hello')).status).toBe(200);
      modes.rejectChecksums = false;
      modes.truncatedWithoutToken = true;
      await put('rw/second', 'x');
      const page = await (await fetch(`${e.server.url}/${BUCKET}?list-type=2&prefix=rw/&max-keys=1`, { headers: auth })).text();
      expect(page).toMatch(/<IsTruncated>true<\/IsTruncated>/);
      expect(page).not.toMatch(/NextContinuationToken/);
      modes.truncatedWithoutToken = false;
      modes.clockOffsetMs = 20 * 60_000;
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
      const skewed = await fetch(url('rw/plain'), { headers: { ...auth, 'x-amz-date': stamp } });
      expect(skewed.status).toBe(403);
      expect(await skewed.text()).toMatch(/<Code>RequestTimeTooSkewed<\/Code>.*<ServerTime>/);
      expect(Date.parse(skewed.headers.get('date')!) - Date.now()).toBeGreaterThan(19 * 60_000);
    } finally {
      Object.assign(modes, { rejectChecksums: false, truncatedWithoutToken: false, clockOffsetMs: 0 });
    }
  });

  it('deletes idempotently with 204', async () => {
    await put('del/x', 'x');
    expect((await fetch(url('del/x'), { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await fetch(url('del/x'), { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await fetch(url('del/x'), { method: 'HEAD', headers: auth })).status).toBe(404);
  });

  it('refuses a multipart completion with a small non-final part, parts out of order, or a wrong part ETag', async () => {
    const init = await (await fetch(`${url('mp/x')}?uploads`, { method: 'POST', headers: auth })).text();
    const uploadId = /<UploadId>(.*?)<\/UploadId>/.exec(init)![1]!;
    const part = async (n: number, body: string) => (await fetch(`${url('mp/x')}?partNumber=${n}&uploadId=${uploadId}`, { method: 'PUT', body, headers: auth })).headers.get('etag')!;
    const e1 = await part(1, 'small');
    const e2 = await part(2, 'last');
    const complete = (parts: [number, string][]) =>
      fetch(`${url('mp/x')}?uploadId=${uploadId}`, {
        method: 'POST',
        headers: auth,
        body: `<CompleteMultipartUpload>${parts.map(([n, et]) => `<Part><PartNumber>${n}</PartNumber><ETag>${et}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
      });
    expect(
      await (
        await complete([
          [1, e1],
          [2, e2],
        ])
      ).text(),
    ).toMatch(/EntityTooSmall/);
    expect(
      await (
        await complete([
          [2, e2],
          [1, e1],
        ])
      ).text(),
    ).toMatch(/InvalidPartOrder/);
    expect(await (await complete([[1, '"0000"']])).text()).toMatch(/InvalidPart/);
    const ok = await complete([[2, e2]]);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/<ETag>&quot;[0-9a-f]{32}-1&quot;<\/ETag>/);
  });
});
