/**
 * The pack writer fills each pack after the first two in the buffer of a pack already stored
 * (its pages are resident: a fresh buffer is faulted in page by page). What reaches the storage
 * must still be each pack's own bytes: the storage keeps nothing of a buffer once a put answers
 * (contract.ts, callerMayReuseBytes), and the writer reuses one only after that answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import type { Storage } from '../../src/storage/contract.js';
import { packedInMemory } from './helpers.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('pack buffers', () => {
  it('fills later packs in the buffers of packs already stored, and every pack stored is its own bytes', async () => {
    const memory = createMemoryStorage();
    const buffers: ArrayBufferLike[] = [];
    let uploading = 0;
    const storage: Storage = {
      ...memory,
      async putIfAbsent(key, bytes) {
        if (!buffers.includes(bytes.buffer)) buffers.push(bytes.buffer);
        uploading++;
        await new Promise((r) => setTimeout(r, 5)); // the next pack fills meanwhile
        uploading--;
        return memory.putIfAbsent(key, bytes);
      },
    };
    const chunks = Array.from({ length: 40 }, () => randomBytes(100 * 1024));
    const { byHash, packs } = await packedInMemory(chunks, { storage, packSize: 256 * 1024 });

    expect(uploading).toBe(0);
    expect(packs).toBe(14); // 3 chunks of 100 KiB fill a pack of 256 KiB; 40 chunks: 13 packs and a last one
    expect(buffers.length).toBe(2); // two packs' buffers in turn: one fills while the other is stored
    for (const { key } of (await memory.list('packs/')).objects) expect(`packs/${sha256(await memory.get(key))}`).toBe(key);
    for (const c of chunks) {
      const [, pack, offset, length] = byHash.get(sha256(c))![0]!;
      expect(Buffer.from(await memory.get(pack, { range: { offset, length } })).equals(c)).toBe(true);
    }
  });

  it('lets the spare buffer go once the last pack is under way, not once that pack is stored', async () => {
    const memory = createMemoryStorage();
    const given: Uint8Array[] = [];
    let spareHeldDuringLast: boolean | undefined;
    const storage: Storage = {
      ...memory,
      async putIfAbsent(key, bytes) {
        given.push(bytes);
        await new Promise((r) => setTimeout(r, 5));
        // The third pack's buffer is the spare while the fourth, the last, is stored: a view of a
        // buffer let go reads 0 bytes (release-buffer.ts).
        if (given.length === 4) spareHeldDuringLast = given[2]!.byteLength > 0;
        return memory.putIfAbsent(key, bytes);
      },
    };
    const chunks = Array.from({ length: 10 }, () => randomBytes(512 * 1024));
    const { packs } = await packedInMemory(chunks, { storage, packSize: 1536 * 1024 });

    expect(packs).toBe(4); // three chunks of 512 KiB fill a pack of 1.5 MiB; the tenth goes alone
    expect(spareHeldDuringLast).toBe(false);
  });
});
