/**
 * The size of the packs a library writes: half the default where requests cost nothing beyond
 * their bytes (a folder), where an upload's two pack buffers are most of its memory and fewer,
 * larger objects buy nothing; the default elsewhere; what the application asks for in any case.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage, type MemoryStorage } from '@syncacross/sync-core/testing';
import { CHEAP_PACK_SIZE, DEFAULT_PACK_SIZE } from '../../src/engine/packs.js';
import { cleanup, makeNode } from './helpers.js';

afterEach(cleanup);

const MiB = 1024 * 1024;
const packSizes = (remote: MemoryStorage) =>
  remote.debug
    .keys()
    .filter((k) => k.startsWith('packs/'))
    .map((k) => remote.debug.raw(k)!.byteLength)
    .sort((a, b) => b - a);

/** A first sync of 40 MiB that does not compress, to `remote` seen with `cheapRequests`. */
async function firstUpload(cheapRequests: boolean | undefined, packSize?: number): Promise<number[]> {
  const remote = createMemoryStorage();
  const storage = { ...remote, capabilities: { ...remote.capabilities, ...(cheapRequests === undefined ? {} : { cheapRequests }) } };
  const a = await makeNode(storage, 'a', packSize ? { packSize } : {});
  for (let i = 0; i < 10; i++) await writeFile(join(a.dir, `f${i}.bin`), randomBytes(4 * MiB));
  const s = await a.lib.sync();
  expect(s.errors).toEqual([]);
  await a.lib.close();
  return packSizes(remote);
}

describe('pack size', () => {
  it('half the default where requests are cheap, the default elsewhere, or what the application asks for', async () => {
    expect([CHEAP_PACK_SIZE, DEFAULT_PACK_SIZE]).toEqual([12 * MiB, 24 * MiB]);
    const cheap = await firstUpload(true);
    expect(cheap.length).toBeGreaterThanOrEqual(3);
    expect(cheap[0]).toBeLessThan(CHEAP_PACK_SIZE + 8 * MiB); // the target, and the chunk that crossed it
    const dear = await firstUpload(undefined);
    expect(dear.length).toBeLessThanOrEqual(2);
    expect(dear[0]).toBeGreaterThanOrEqual(DEFAULT_PACK_SIZE);
    expect(await firstUpload(false)).toHaveLength(dear.length);
    const asked = await firstUpload(true, 30 * MiB);
    expect(asked).toHaveLength(2);
    expect(asked[0]).toBeGreaterThanOrEqual(30 * MiB);
  }, 120_000);
});
