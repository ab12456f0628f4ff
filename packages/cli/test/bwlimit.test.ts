/**
 * `--bwlimit` through the built binary: a limited upload cannot be faster than the limit allows
 * (a lower bound only: a loaded machine may always be slower), and bad rates are usage errors.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { syncOutput } from '../src/json-output.js';
import { limitBandwidth, parseBandwidthLimit } from '../src/bandwidth-limit.js';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

const KiB = 1024;
let base: string;

beforeAll(async () => {
  base = await tempDir();
});
afterAll(cleanup);

describe('--bwlimit', () => {
  it('1 MiB sent at 256K takes at least the 3 s beyond the first second’s burst', async () => {
    const lib = join(base, 'lib');
    expect((await run(['init', lib, '--remote', `fs:${join(base, 'remote')}`, '-o', 'createRoot=true'])).code).toBe(0);
    await writeFiles(lib, { 'big.bin': randomBytes(1024 * KiB) }); // random: compression cannot shrink it
    const started = Date.now();
    const s = await runJson(['sync', lib, ...FAST, '--bwlimit', '256K']);
    const elapsedMs = Date.now() - started;
    expect(s.code, s.stderr).toBe(0);
    const sent = syncOutput.parse(s.json).bytesUp;
    expect(sent).toBeGreaterThanOrEqual(1024 * KiB);
    // The bucket starts full (256 KiB may go at once); the rest goes at 256 KiB/s at most.
    expect(elapsedMs).toBeGreaterThanOrEqual(((sent - 256 * KiB) / (256 * KiB)) * 1000);
  });

  it('bad rates stop the command before it starts (exit 2), naming the syntax', async () => {
    for (const rate of ['fast', '-1', '0', '1M:2M:3M', '5X']) {
      const r = await run(['sync', base, '--bwlimit', rate]);
      expect(r.code, rate).toBe(2);
      expect(r.stderr, rate).toContain('--bwlimit takes a rate such as 1M (both directions), 512K:4M (up:down) or off');
    }
    const fromEnv = await runJson(['sync', join(base, 'lib'), ...FAST], { env: { SYNCACROSS_BWLIMIT: 'lots' } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.json.error).toMatchObject({ code: 'BadBandwidthLimit' });
    expect(fromEnv.json.error.message).toContain('SYNCACROSS_BWLIMIT takes a rate');
  });
});

describe('parseBandwidthLimit', () => {
  it("reads rclone's syntax: binary units, up:down, off, a bare number in KiB/s", () => {
    expect(parseBandwidthLimit('1M')).toEqual({ up: 1024 ** 2, down: 1024 ** 2 });
    expect(parseBandwidthLimit('512K:4M')).toEqual({ up: 512 * KiB, down: 4 * 1024 ** 2 });
    expect(parseBandwidthLimit('off:1.5m')).toEqual({ down: 1.5 * 1024 ** 2 });
    expect(parseBandwidthLimit('100')).toEqual({ up: 100 * KiB, down: 100 * KiB });
    expect(parseBandwidthLimit('2G:800B')).toEqual({ up: 2 * 1024 ** 3, down: 800 });
    expect(parseBandwidthLimit('off')).toEqual({});
  });

  it('no limit puts nothing in the path', () => {
    const storage = createMemoryStorage();
    expect(limitBandwidth(storage, {})).toBe(storage);
    expect(limitBandwidth(storage, parseBandwidthLimit('off'))).toBe(storage);
    expect(limitBandwidth(storage, parseBandwidthLimit('1M'))).not.toBe(storage);
  });
});
