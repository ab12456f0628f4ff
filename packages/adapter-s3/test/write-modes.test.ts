/**
 * Which write mode the adapter picks, and that the user can see it: conditional writes where the
 * store honors them, check-then-write where it ignores them (s3rver, some gateways) or rejects
 * them (Backblaze B2's 501), and the switch when a 501 only shows up later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCapabilities } from '@syncacross/sync-core';
import { createS3Storage } from '../src/index.js';
import { BUCKET, startEmulator, type RunningEmulator } from './support/emulator.js';

let e: RunningEmulator;
let n = 0;
beforeAll(async () => {
  e = await startEmulator();
});
afterAll(() => e.close());
const text = (s: string) => new TextEncoder().encode(s);

describe('write mode', () => {
  it("'auto' on a store that honors conditional writes: conditional, atomic create and compare-and-swap declared", async () => {
    const s = await createS3Storage(e.options({ prefix: `m${++n}` }));
    expect(s.mode).toBe('conditional');
    expect(s.capabilities).toMatchObject({ atomicCreate: true, compareAndSwap: true });
    expect(s.name).toBe(`s3:${BUCKET}/m${n} @${new URL(e.server.url).host} [conditional]`);
    expect(s.describe()).toMatch(/conditional writes \(If-None-Match: \*; atomic create; compare-and-swap with If-Match\)/);
    expect(e.emulator.keys(BUCKET).filter((k) => k.startsWith(`m${n}/`))).toEqual([]); // the detection cleaned up
    const report = await probeCapabilities(s);
    expect(report.effective).toMatchObject({ atomicCreate: true, compareAndSwap: true, consistentListing: true });
    await s.close!();
  });

  it('the detection costs eight requests (two creates, a refused one-part multipart create, one If-Match, one delete)', async () => {
    const before = e.emulator.requests.length;
    const s = await createS3Storage(e.options({ prefix: `m${++n}` }));
    expect(e.emulator.requests.slice(before).map((r) => `${r.operation} ${r.status}`)).toEqual([
      'PutObject 200',
      'PutObject 412',
      'CreateMultipartUpload 200',
      'UploadPart 200',
      'CompleteMultipartUpload 412',
      'AbortMultipartUpload 204',
      'PutObject 412',
      'DeleteObject 204',
    ]);
    await s.close!();
  });

  for (const [behaviour, reason] of [
    ['ignore', /ignores If-None-Match/],
    ['reject', /rejects If-None-Match \(501 NotImplemented\)/],
  ] as const) {
    it(`'auto' on a store that ${behaviour}s the headers: check-then-write, visibly, and still correct`, async () => {
      e.emulator.settings.conditionalWrites = behaviour;
      try {
        const logs: string[] = [];
        const s = await createS3Storage(e.options({ prefix: `m${++n}` }), { log: (m) => logs.push(m) });
        expect(s.mode).toBe('check-then-write');
        expect(s.modeReason).toMatch(reason);
        expect(s.capabilities).toMatchObject({ atomicCreate: false, compareAndSwap: false });
        expect(s.putIfMatch).toBeUndefined();
        expect(s.name).toMatch(/\[check-then-write\]$/);
        expect(s.describe()).toMatch(reason);
        expect(logs).toHaveLength(2);
        // The emulator runs under the aws profile, which reports If-None-Match honored: the measurement wins, and says so.
        expect(logs[1]).toMatch(/the aws profile reports If-None-Match honored on PutObject, but this store does not honor it/);
        expect(await s.putIfAbsent('a', text('1'))).toBe('created');
        expect(await s.putIfAbsent('a', text('2'))).toBe('exists');
        expect(new TextDecoder().decode(await s.get('a'))).toBe('1');
        // Racing creates in one process are serialized: one winner, never a torn object.
        const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => s.putIfAbsent('race', text(`r${i}`))));
        expect(answers.filter((a) => a === 'created')).toHaveLength(1);
        await s.close!();
      } finally {
        e.emulator.settings.conditionalWrites = 'honor';
      }
    });
  }

  it("'auto' switches to check-then-write when a 501 appears after start, and says so", async () => {
    const logs: string[] = [];
    const s = await createS3Storage(e.options({ prefix: `m${++n}` }), { log: (m) => logs.push(m) });
    expect(s.mode).toBe('conditional');
    e.emulator.settings.conditionalWrites = 'reject';
    try {
      expect(await s.putIfAbsent('late', text('x'))).toBe('created');
      expect(s.mode).toBe('check-then-write');
      expect(s.capabilities.atomicCreate).toBe(false);
      expect(s.name).toMatch(/\[check-then-write\]$/);
      expect(logs.join('\n')).toMatch(/rejected If-None-Match.*check-then-write/);
      expect(await s.putIfAbsent('late', text('y'))).toBe('exists');
    } finally {
      e.emulator.settings.conditionalWrites = 'honor';
    }
    await s.close!();
  });

  it("'off' never sends conditional headers and costs no detection requests", async () => {
    const before = e.emulator.requests.length;
    const s = await createS3Storage(e.options({ prefix: `m${++n}`, conditionalWrites: 'off' }));
    expect(e.emulator.requests.length).toBe(before);
    expect(s.mode).toBe('check-then-write');
    expect(s.modeReason).toMatch(/'off'/);
    await s.close!();
  });

  it('a 409 ConditionalRequestConflict is retried until the store gives a definite answer', async () => {
    const s = await createS3Storage(e.options({ prefix: `m${++n}` }));
    const fault = e.emulator.faults.inject({ kind: 'ConditionalRequestConflict', operations: ['PutObject'], times: 2 });
    expect(await s.putIfAbsent('contended', text('x'))).toBe('created');
    expect(fault.fired).toBe(2);
    // A conflict that never ends is reported as Unavailable (unknown outcome), not as exists.
    e.emulator.faults.inject({ kind: 'ConditionalRequestConflict', operations: ['PutObject'], times: Infinity });
    await expect(s.putIfAbsent('forever', text('x'))).rejects.toMatchObject({ code: 'Unavailable' });
    e.emulator.faults.clear();
    await s.close!();
  });

  it('putIfMatch on a missing key is PreconditionFailed (AWS answers 404 NoSuchKey)', async () => {
    const s = await createS3Storage(e.options({ prefix: `m${++n}` }));
    await expect(s.putIfMatch!('nothing', text('x'), 'd41d8cd98f00b204e9800998ecf8427e')).rejects.toMatchObject({ code: 'PreconditionFailed' });
    await s.close!();
  });
});
