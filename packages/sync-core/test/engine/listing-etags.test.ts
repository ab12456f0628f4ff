/**
 * The engine asks for etags only where it reads them (segments and authors, for the retry
 * ledger). Everywhere else a listing says `etags: false`, so an adapter may leave out what its
 * backend computes per object: Apache with `FileETag Digest` reads every file whole to give its
 * etag, and a listing of packs without the hint read the whole repository on the server (5 s for
 * the benchmark library), at a first upload, at every join (the root listing) and at collection.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Storage } from '@syncacross/sync-core';
import { cleanup } from './helpers.js';
import { clockedWorld, edits } from './clocked-world.js';

afterEach(cleanup);

const HOUR = 3_600_000;

describe('listings and etags', () => {
  it('packs, checkpoints and the root are listed without etags through an upload, a join, a collection and a verify', async () => {
    const { clock, remote, node } = clockedWorld(3);
    const listings: { prefix: string; etags: boolean }[] = [];
    const spied: Storage = { ...remote, list: (prefix, o) => (listings.push({ prefix, etags: o?.etags !== false }), remote.list(prefix, o)) };
    const a = await node('a', 3, spied);
    for (let i = 0; i < 6; i++) await writeFile(join(a.dir, `attachment-${i}.bin`), randomBytes(200 * 1024));
    await a.sync();
    await edits(a, 6, 'a');
    const b = await node('b', 3, spied);
    await b.sync();
    await a.lib.collect({ marginMs: HOUR });
    clock.t += 2 * HOUR;
    await a.lib.collect({ marginMs: HOUR });
    await a.lib.verify();

    const asked = (test: (prefix: string) => boolean) => listings.filter((l) => test(l.prefix));
    const lean = (prefix: string) => prefix === '' || /^(packs|checkpoints|checkpoint-parts)\//.test(prefix);
    expect(asked(lean).length).toBeGreaterThan(4); // the root at each join, packs at collection and verify, checkpoints
    expect(asked((p) => p === 'packs/').length).toBeGreaterThan(0);
    expect(asked(lean).filter((l) => l.etags)).toEqual([]);
    expect(asked((p) => p === 'log/').some((l) => l.etags)).toBe(true); // the segments' retry ledger keeps them
  });
});
