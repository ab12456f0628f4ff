/**
 * The conformance suite against a real S3 server, s3rver, which silently ignores If-None-Match
 * and If-Match: in 'auto' mode the adapter must notice, fall back to check-then-write and stop
 * claiming atomic create; and a storage forced to claim it must be caught by probeCapabilities.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCapabilities } from '@syncacross/sync-core';
import { closedPortUrl, runStorageConformance } from '@syncacross/sync-core/testing';
import { createS3Storage } from '../src/index.js';
import { adapterOptions } from './support/emulator.js';
import { startS3rver, type RunningS3rver } from './support/s3rver.js';

let s3rver: RunningS3rver;
let run = 0;
beforeAll(async () => {
  s3rver = await startS3rver();
});
afterAll(async () => {
  await s3rver?.stop();
});

runStorageConformance('s3 on s3rver (fallback: check-then-write)', async () => {
  const prefix = `run-${++run}`;
  const storage = await createS3Storage(s3rver.options({ prefix }));
  return {
    storage,
    // s3rver writes objects in place: a second client (as another process) sees them grow, which
    // the adapter declares as inPlaceWrites and the suite checks as such.
    peer: () => createS3Storage(s3rver.options({ prefix })),
    unreachable: async () => createS3Storage(adapterOptions(await closedPortUrl(), { conditionalWrites: 'require' })),
    teardown: () => storage.close!(),
  };
});

describe('s3rver ignores conditional headers', () => {
  it("'auto' detects it and says so in the storage's name and description", async () => {
    const logged: string[] = [];
    const storage = await createS3Storage(s3rver.options({ prefix: 'auto-detect' }), { log: (m) => logged.push(m) });
    expect(storage.mode).toBe('check-then-write');
    expect(storage.capabilities.atomicCreate).toBe(false);
    expect(storage.capabilities.compareAndSwap).toBe(false);
    expect(storage.capabilities.inPlaceWrites).toBe(true);
    expect(storage.putIfMatch).toBeUndefined();
    expect(storage.name).toMatch(/\[check-then-write\]$/);
    expect(storage.describe()).toMatch(/ignores If-None-Match/);
    expect(logged.join('\n')).toMatch(/ignores If-None-Match.*check-then-write/);
    expect((await storage.list('')).objects).toEqual([]); // the detection left nothing behind
    await storage.close!();
  });

  it('probeCapabilities reports the truth for a storage forced to claim conditional writes', async () => {
    const liar = await createS3Storage(s3rver.options({ prefix: 'forced', conditionalWrites: 'require' }));
    expect(liar.capabilities.atomicCreate).toBe(true);
    const report = await probeCapabilities(liar);
    expect(report.measured.preconditionsHonored).toBe(false);
    expect(report.measured.compareAndSwapHonored).toBe(false);
    expect(report.effective.atomicCreate).toBe(false);
    expect(report.effective.compareAndSwap).toBe(false);
    expect(report.measured.listedAtOnce).toBe(true);
    await liar.close!();
  });
});
