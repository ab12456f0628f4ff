/** Keyed queue, single flight and concurrency limiter: how adapters pace their own requests. */
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter, KeyedQueue, KeyedSingleFlight } from '@syncacross/sync-core/adapter-kit';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('KeyedQueue', () => {
  it('runs calls on one key one after another, in order, and other keys alongside', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([q.run('a', task('a1')), q.run('a', task('a2')), q.run('b', task('b1'))]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('a failed call fails alone: the next one on its key still runs', async () => {
    const q = new KeyedQueue();
    const first = q.run('k', async () => {
      throw new Error('boom');
    });
    const second = q.run('k', async () => 'fine');
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('fine');
  });

  it('forgets a key once its queue is empty', async () => {
    const q = new KeyedQueue();
    await q.run('k', async () => 1);
    await tick();
    expect(q.busyKeys).toBe(0);
  });
});

describe('ConcurrencyLimiter', () => {
  it('never runs more than its limit at once, and starts tasks in the order they asked', async () => {
    const limiter = new ConcurrencyLimiter(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        limiter.run(async () => {
          started.push(i);
          active++;
          peak = Math.max(peak, active);
          await tick();
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('frees the slot of a failed task', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
  });
});

describe('KeyedSingleFlight', () => {
  it('shares one call among everyone asking for a key while it is in flight', async () => {
    const flights = new KeyedSingleFlight<string>();
    let calls = 0;
    const create = async () => {
      calls++;
      await tick();
      return 'folder-id';
    };
    expect(await Promise.all([flights.run('a', create), flights.run('a', create), flights.run('b', create)])).toEqual(['folder-id', 'folder-id', 'folder-id']);
    expect(calls).toBe(2);
  });

  it('shares a failure too, and frees the key once the call settled', async () => {
    const flights = new KeyedSingleFlight<string>();
    const failing = async () => {
      await tick();
      throw new Error('mkcol failed');
    };
    const both = [flights.run('a', failing), flights.run('a', async () => 'never asked')];
    for (const p of both) await expect(p).rejects.toThrow('mkcol failed');
    await expect(flights.run('a', async () => 'again')).resolves.toBe('again');
  });
});
