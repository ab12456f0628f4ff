/**
 * A sync with nothing new costs one request (docs/PROTOCOL.md §3.10), an emptied `log/` included:
 * once gc has collected every segment, a round lists `log/` alone. Nothing in that listing shows
 * the remote is still ours, so a round that has something to write checks the repository first
 * and writes nothing to a wiped remote; one with nothing to write notices within the hour.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from './helpers.js';
import { clockedWorld, edits, keys } from './clocked-world.js';

afterEach(cleanup);

const HOUR = 3_600_000;

describe('quiet rounds on an emptied log/', () => {
  it('cost one listing; a wiped remote gets nothing written, and is noticed within the hour', async () => {
    const { clock, remote, node } = clockedWorld(4);
    const a = await node('a');
    await edits(a, 3, 'a');
    await a.lib.collect({ marginMs: HOUR });
    clock.t += 2 * HOUR;
    await a.lib.collect({ marginMs: HOUR });
    expect(keys(remote, 'log/')).toEqual([]);
    // log/ changed since the last look at checkpoints/: it looks there (and says it reads this format).
    expect((await a.sync()).totalRequests).toBeGreaterThan(1);
    expect((await a.sync()).totalRequests).toBe(1);
    expect((await a.sync()).totalRequests).toBe(1);

    // Wiped: a round with nothing to write lists log/ as before and says nothing yet.
    for (const k of remote.debug.keys()) remote.debug.remove(k);
    const unaware = await a.sync();
    expect(unaware.totalRequests).toBe(1);
    expect(unaware.errors).toEqual([]);
    // One with something to write checks first, and writes nothing.
    await writeFile(join(a.dir, 'new.md'), 'new\n');
    await expect(a.sync()).rejects.toMatchObject({ code: 'RemoteEmptied' });
    expect(remote.debug.keys()).toEqual([]);
    await rm(join(a.dir, 'new.md'));
    // With nothing to write, the hourly look at checkpoints/ finds it.
    clock.t += HOUR + 1;
    await expect(a.sync()).rejects.toMatchObject({ code: 'RemoteEmptied' });
    expect(remote.debug.keys()).toEqual([]);
    await a.lib.close();
  });
});
