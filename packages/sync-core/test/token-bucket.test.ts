/**
 * The token bucket behind `--bwlimit`, on an injected clock: nothing here really waits, and the
 * waits it asks for are exactly what the rate allows.
 */
import { describe, expect, it } from 'vitest';
import { TokenBucket, withBandwidthLimit } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';

/** A clock that only moves when someone sleeps on it; each sleep is recorded. */
function fakeClock() {
  const clock = { t: 1_000_000, sleeps: [] as number[] };
  return Object.assign(clock, {
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  });
}

const KiB = 1024;

describe('TokenBucket', () => {
  it('lets the first burst through at once, then paces at the rate', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 256 * KiB, now: clock.now, sleep: clock.sleep });
    await bucket.take(256 * KiB); // the burst: one second's worth
    expect(clock.sleeps).toEqual([]);
    for (let i = 0; i < 12; i++) await bucket.take(64 * KiB);
    // 768 KiB beyond the burst at 256 KiB/s: three seconds, whatever the split.
    expect(clock.t - 1_000_000).toBe(3000);
  });

  it('refills while idle, never beyond the burst', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 2000, now: clock.now, sleep: clock.sleep });
    await bucket.take(2000);
    clock.t += 60_000; // a minute of quiet earns 60 000 bytes, but the bucket holds 2000
    await bucket.take(2000);
    expect(clock.sleeps).toEqual([]);
    await bucket.take(500);
    expect(clock.sleeps).toEqual([500]);
  });

  it('an object larger than the burst passes after the time its size takes', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 1000, now: clock.now, sleep: clock.sleep });
    await bucket.take(10_000);
    expect(clock.sleeps).toEqual([9000]);
  });

  it('is shared: concurrent takers are served in order, together no faster than the rate', async () => {
    const clock = { t: 0 };
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 1000, now: () => clock.t, sleep: async () => undefined });
    const waits = [bucket.reserve(1000), bucket.reserve(1000), bucket.reserve(1000), bucket.reserve(500)];
    expect(waits).toEqual([0, 1000, 2000, 2500]);
  });

  it('refuses a rate that is not a positive number', () => {
    for (const bytesPerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new TokenBucket({ bytesPerSecond })).toThrow(RangeError);
  });
});

describe('withBandwidthLimit', () => {
  it('is not in the path when no direction is limited', () => {
    const storage = createMemoryStorage();
    expect(withBandwidthLimit(storage, {})).toBe(storage);
  });

  it('uploads pay before they start, downloads once their bytes are in, each in its own direction', async () => {
    const clock = fakeClock();
    const up = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 1000, now: clock.now, sleep: clock.sleep });
    const down = new TokenBucket({ bytesPerSecond: 100, burstBytes: 100, now: clock.now, sleep: clock.sleep });
    const storage = withBandwidthLimit(createMemoryStorage(), { up, down });
    await storage.putIfAbsent('a', new Uint8Array(3000));
    expect(clock.sleeps).toEqual([2000]);
    expect((await storage.get('a', { range: { offset: 0, length: 300 } })).byteLength).toBe(300);
    expect(clock.sleeps).toEqual([2000, 2000]); // 300 bytes at 100 B/s, less the 100-byte burst
    await storage.list('');
    expect(clock.sleeps).toHaveLength(2); // listings are not limited
  });
});
