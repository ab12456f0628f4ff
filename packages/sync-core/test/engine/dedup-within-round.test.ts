/**
 * Content met twice in one sync is stored once, however far apart: also on a first upload, where
 * the scan asks the state nothing chunk by chunk (no location is known yet) and the pack writer
 * alone remembers what this sync has stored, after the pack holding it has gone out.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode } from './helpers.js';

afterEach(cleanup);

describe('deduplication within one sync', () => {
  it('a first upload stores a chunk met again after its pack went out once; a later sync stores none of it again', async () => {
    const storage = createMemoryStorage();
    // Small chunks and 4 KiB packs: each chunk fills a pack, which goes out before the next
    // chunk is read, and a file of four copies of one block repeats its chunks in that order.
    const a = await makeNode(storage, 'a', { packSize: 4096, chunking: { minSize: 1024, avgSize: 4096, maxSize: 16384 }, newRepository: { format: 2 } });
    const block = randomBytes(64 * 1024); // random: stored as is, whatever the format compresses
    await writeFile(join(a.dir, 'repeats.bin'), Buffer.concat([block, block, block, block]));

    expect((await a.sync()).errors).toEqual([]);
    const chunks = a.lib.state.allVersions().find((v) => v.path === 'repeats.bin')!.chunks;
    const distinct = new Set(chunks);
    expect(distinct.size).toBeLessThan(chunks.length / 2); // the copies cut alike
    const locations = () => a.lib.state.db.prepare('SELECT hash, COUNT(*) AS n FROM chunk_locations GROUP BY hash').all() as { hash: string; n: number }[];
    expect(locations().filter((l) => l.n > 1)).toEqual([]);
    expect(
      locations()
        .map((l) => l.hash)
        .sort(),
    ).toEqual([...distinct].sort());
    const packs = (await storage.list('packs/')).objects.length;

    await writeFile(join(a.dir, 'later-copy.bin'), block);
    const later = await a.sync();
    expect(later.uploaded.versions).toBe(1);
    expect(locations().filter((l) => l.n > 1)).toEqual([]);
    expect((await storage.list('packs/')).objects.length).toBe(packs);
    await a.lib.close();
  });
});
