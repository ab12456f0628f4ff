/** Large objects: uploaded in parts, conditional on completion, never visible half-done. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createS3Storage } from '../src/index.js';
import { ObjectIO } from '../src/object-io.js';
import { BUCKET, startEmulator, type RunningEmulator } from './support/emulator.js';

const MiB = 1024 * 1024;
let e: RunningEmulator;
let n = 0;
beforeAll(async () => {
  e = await startEmulator();
});
afterAll(() => e.close());
const opts = () => e.options({ prefix: `mp${++n}`, multipartThresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, conditionalWrites: 'require' });
const since = (from: number) => e.emulator.requests.slice(from).map((r) => `${r.operation} ${r.status}`);

describe('multipart uploads', () => {
  it('an object above the threshold goes up in parts, conditional on completion, and reads back whole', async () => {
    const s = await createS3Storage(opts());
    const bytes = randomBytes(12 * MiB);
    const from = e.emulator.requests.length;
    expect(await s.putIfAbsent('big', bytes)).toBe('created');
    expect(since(from).sort()).toEqual(['CompleteMultipartUpload 200', 'CreateMultipartUpload 200', 'HeadObject 404', 'UploadPart 200', 'UploadPart 200', 'UploadPart 200']);
    expect(e.emulator.object(BUCKET, `mp${n}/big`)!.etag).toMatch(/-3$/);
    expect(Buffer.from(await s.get('big')).equals(bytes)).toBe(true);
    await s.close!();
  });

  it('an existing key is found by one HEAD, before any part is sent', async () => {
    const s = await createS3Storage(opts());
    await s.putIfAbsent('big', randomBytes(7 * MiB));
    const from = e.emulator.requests.length;
    expect(await s.putIfAbsent('big', randomBytes(7 * MiB))).toBe('exists');
    expect(since(from)).toEqual(['HeadObject 200']);
    await s.close!();
  });

  it('racing large creates: the losers get 412 at completion, answer exists, and leave no parts behind', async () => {
    const s = await createS3Storage(opts());
    const bodies = Array.from({ length: 4 }, () => randomBytes(7 * MiB));
    const from = e.emulator.requests.length;
    const answers = await Promise.all(bodies.map((b) => s.putIfAbsent('contested', b)));
    expect(answers.filter((a) => a === 'created')).toHaveLength(1);
    const stored = e.emulator.object(BUCKET, `mp${n}/contested`)!.bytes;
    expect(Buffer.from(stored).equals(bodies[answers.indexOf('created')]!)).toBe(true);
    expect(since(from)).toContain('CompleteMultipartUpload 412');
    expect(e.emulator.pendingUploads()).toEqual([]);
    await s.close!();
  });

  it('If-None-Match travels on CompleteMultipartUpload: a 412 there aborts the upload', async () => {
    const s = await createS3Storage(opts());
    await s.putIfAbsent('exists', randomBytes(10));
    const io = new ObjectIO(s.client, BUCKET, 6 * MiB, { partSize: 5 * MiB, concurrency: 2 });
    const from = e.emulator.requests.length;
    await expect(io.put(`mp${n}/exists`, randomBytes(7 * MiB), { ifNoneMatch: '*' })).rejects.toMatchObject({ code: 'PreconditionFailed' });
    expect(since(from)).toEqual(['CreateMultipartUpload 200', 'UploadPart 200', 'UploadPart 200', 'CompleteMultipartUpload 412', 'AbortMultipartUpload 204']);
    expect(e.emulator.object(BUCKET, `mp${n}/exists`)!.bytes.byteLength).toBe(10);
    await s.close!();
  });

  it('a failed part is resent; a failed completion (200 with <Error>) aborts the upload', async () => {
    const s = await createS3Storage(opts());
    const part = e.emulator.faults.inject({ kind: 'InternalError', operations: ['UploadPart'] });
    const bytes = randomBytes(11 * MiB);
    expect(await s.putIfAbsent('resent', bytes)).toBe('created');
    expect(part.fired).toBe(1);
    expect(Buffer.from(await s.get('resent')).equals(bytes)).toBe(true);
    e.emulator.faults.inject({ kind: 'ErrorIn200', operations: ['CompleteMultipartUpload'] });
    await expect(s.putIfAbsent('failed', bytes)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(e.emulator.pendingUploads()).toEqual([]);
    await expect(s.get('failed')).rejects.toMatchObject({ code: 'NotFound' });
    await s.close!();
  });
});
