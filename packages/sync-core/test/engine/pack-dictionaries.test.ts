/**
 * Format 7 (docs/PROTOCOL.md §3.3, §3.5): small chunks compressed with their pack's dictionary
 * (codec 4), the dictionary's frame the pack's first bytes. What is written this way reads back
 * through every reader (the fetcher, a whole-pack check, a single read), is smaller than without,
 * and a damaged or swapped dictionary is a chunk that fails, never other bytes.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage, type MemoryStorage } from '@syncacross/sync-core/testing';
import { WRITES_DEFLATE } from '../../src/codec/compression.js';
import { format2Codec, type RepositoryCodec } from '../../src/codec/repository-codec.js';
import { encodeFramePartsWithDictionary, seal } from '../../src/codec/frame.js';
import { ChunkFetcher } from '../../src/engine/chunk-fetcher.js';
import { checkPack } from '../../src/engine/pack-health.js';
import { PackWriter } from '../../src/engine/packs.js';
import type { ChunkLocation } from '../../src/model/chunk-location.js';
import { clockedWorld, keys } from './clocked-world.js';
import { cleanup, snapshot } from './helpers.js';

afterEach(cleanup);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const WORDS = 'library note reference paper sync merge conflict version chunk pack segment writer node remote'.split(' ');
/** Pages of text from one vocabulary, as a database's pages or a folder of notes are. */
function page(i: number, size = 4096): Buffer {
  let x = i * 2654435761 + 1;
  const words: string[] = [];
  for (let n = 0; n < size; n += 6) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    words.push(WORDS[x % WORDS.length]!);
  }
  return Buffer.from(words.join(' ').slice(0, size));
}
const KEY = new Uint8Array(32).fill(7);

async function write(codec: RepositoryCodec, chunks: Uint8Array[], avoid: (key: string) => boolean = () => false) {
  const storage = createMemoryStorage();
  const located: ChunkLocation[] = [];
  const writer = new PackWriter(
    storage,
    codec,
    (l) => located.push(...l),
    () => false,
    16 * 1024,
    avoid,
  );
  for (const c of chunks) await writer.add(sha(c), c);
  await writer.flush();
  const stored = storage.debug.keys().reduce((n, k) => n + storage.debug.raw(k)!.byteLength, 0);
  return { storage, located, stored };
}

async function fetchAll(storage: MemoryStorage, codec: RepositoryCodec, located: ChunkLocation[]) {
  const fetcher = new ChunkFetcher(storage, codec, (h) => located.filter((l) => l[0] === h));
  fetcher.plan(located.map((l) => l[0]));
  return Promise.all(
    located.map(async ([h]) =>
      fetcher.get(h).then(
        (b) => sha(b) === h,
        () => false,
      ),
    ),
  );
}

const chunks = Array.from({ length: 150 }, (_, i) => page(i));

describe.each([
  ['plain', undefined],
  ['encrypted', KEY],
])('pack dictionaries (%s)', (_name, key) => {
  const format7 = () =>
    format2Codec(
      key,
      () => true,
      () => true,
    );
  const format6 = () =>
    format2Codec(
      key,
      () => true,
      () => false,
    );

  it.runIf(WRITES_DEFLATE)('small chunks take their pack’s dictionary: a twentieth smaller, and every chunk reads back wherever it is read', async () => {
    const seven = await write(format7(), chunks);
    const six = await write(format6(), chunks);
    // Measured at deflate level 5: 8 % smaller plain, 7.6 % encrypted (at level 6, over 10 %).
    expect(seven.stored).toBeLessThan(0.95 * six.stored);
    expect(await fetchAll(seven.storage, format7(), seven.located)).toEqual(chunks.map(() => true));
    // Each pack holding such a chunk starts with the dictionary's frame, which opens.
    const packs = [...new Set(seven.located.map((l) => l[1]))];
    expect(packs.length).toBeGreaterThan(2);
    for (const pack of packs) {
      const bytes = seven.storage.debug.raw(pack)!;
      const first = Math.min(...seven.located.filter((l) => l[1] === pack).map((l) => l[2]));
      expect(format7().loadDictionary(bytes.subarray(0, first))?.byteLength, pack).toBeGreaterThan(0);
      // A whole-pack check reads them too (the pack's first bytes are at hand there).
      const probes = seven.located.filter((l) => l[1] === pack).map(([hash, , offset, length]) => ({ hash, offset, length }));
      expect(await checkPack(seven.storage, format7(), pack, probes)).toEqual({ verdict: 'intact', bogus: [] });
    }
    // Without the pack's first bytes such a chunk does not load: it never decodes to something else.
    const [hash, pack, offset, length] = seven.located.at(-1)!;
    const stored = seven.storage.debug.raw(pack)!.subarray(offset, offset + length);
    expect(format7().loadChunk(hash, stored)).toBeUndefined();
    expect(sha(format7().loadChunk(hash, stored, seven.storage.debug.raw(pack))!)).toBe(hash);
  });

  it.runIf(WRITES_DEFLATE)('a reader that reads a pack from its start gets the dictionary with it: one request a pack', async () => {
    const { storage, located } = await write(format7(), chunks);
    const packs = new Set(located.map((l) => l[1]));
    let gets = 0;
    const counted: MemoryStorage = Object.assign(Object.create(storage) as MemoryStorage, {
      get: (key: string, o?: Parameters<MemoryStorage['get']>[1]) => (gets++, storage.get(key, o)),
    });
    expect(await fetchAll(counted, format7(), located)).toEqual(located.map(() => true));
    expect(gets).toBe(packs.size);
  });

  it.runIf(WRITES_DEFLATE)('a damaged dictionary, or another writer’s, fails the chunks that use it (a mismatch), and reads nothing else', async () => {
    const { storage, located } = await write(format7(), chunks);
    const p1 = located[0]![1];
    const dictionaryEnd = Math.min(...located.filter((l) => l[1] === p1).map((l) => l[2]));
    const original = Buffer.from(storage.debug.raw(p1)!);
    // The first eight chunks give the dictionary its pieces, and are stored without it; the rest of the pack uses it.
    const usesIt = located.map((l, i) => l[1] === p1 && i >= 8);
    const damaged = Buffer.from(original);
    damaged.fill(0, 0, dictionaryEnd);
    storage.debug.overwrite(p1, damaged);
    expect(await fetchAll(storage, format7(), located)).toEqual(usesIt.map((u) => !u));
    // Another writer's dictionary (its samples other pages), in the same repository: it opens, and
    // its chunks decode to other bytes, which their hashes refuse. (fetchAll: true only for the very bytes.)
    const other = await write(
      format7(),
      chunks.map((_, i) => page(1000 + i)),
    );
    const p9 = other.located[0]![1];
    const otherDictionary = other.storage.debug.raw(p9)!.subarray(0, Math.min(...other.located.filter((l) => l[1] === p9).map((l) => l[2])));
    expect(format7().loadDictionary(otherDictionary)).toBeDefined();
    const shift = otherDictionary.byteLength - dictionaryEnd;
    storage.debug.overwrite(p1, Buffer.concat([otherDictionary, original.subarray(dictionaryEnd)]));
    const moved = located.map((l): ChunkLocation => (l[1] === p1 ? [l[0], l[1], l[2] + shift, l[3]] : l));
    const results = await fetchAll(storage, format7(), moved);
    expect(results.filter((ok, i) => !ok && usesIt[i]).length).toBeGreaterThan(0);
    expect(results.every((ok, i) => ok || usesIt[i])).toBe(true);
  });

  it('a previous-format writer never uses a dictionary: its chunks load without the pack’s first bytes', async () => {
    const { storage, located } = await write(format6(), chunks);
    for (const [hash, pack, offset, length] of located) expect(format6().loadChunk(hash, storage.debug.raw(pack)!.subarray(offset, offset + length))).toBeDefined();
  });

  it('every runtime reads codec 4 (written here by hand: a runtime that writes zstd makes none)', async () => {
    const codec = format2Codec(key);
    const dictionary = page(1000, 8192);
    const storedDictionary = codec.storeDictionary(dictionary);
    const chunk = page(1001);
    const { parts, usesDictionary } = await encodeFramePartsWithDictionary(chunk, { plain: dictionary, storedLength: storedDictionary.byteLength });
    expect(usesDictionary).toBe(true);
    const frame = Buffer.concat(parts);
    const sealed = key ? seal(key, frame, `syncacross/2 chunk ${sha(chunk)}`) : frame;
    const storage = createMemoryStorage();
    const pack = Buffer.concat([storedDictionary, sealed]);
    await storage.putIfAbsent('packs/by-hand', pack);
    const at: ChunkLocation = [sha(chunk), 'packs/by-hand', storedDictionary.byteLength, sealed.byteLength];
    expect(await fetchAll(storage, codec, [at])).toEqual([true]);
    expect(sha(codec.loadChunk(sha(chunk), sealed, pack)!)).toBe(sha(chunk));
  });

  it('a codec-4 chunk naming a dictionary shorter than any frame is refused, and costs no request for it', async () => {
    const codec = format2Codec(key);
    const chunk = page(1002);
    const { parts } = await encodeFramePartsWithDictionary(chunk, { plain: page(1003, 8192), storedLength: 0 });
    const frame = Buffer.concat(parts);
    const sealed = key ? seal(key, frame, `syncacross/2 chunk ${sha(chunk)}`) : frame;
    const storage = createMemoryStorage();
    const before = 20 * 1024; // past where a read would start at the pack's beginning and bring its first bytes anyway
    await storage.putIfAbsent('packs/hostile', Buffer.concat([Buffer.alloc(before), sealed]));
    let gets = 0;
    const counted: MemoryStorage = Object.assign(Object.create(storage) as MemoryStorage, {
      get: (k: string, o?: Parameters<MemoryStorage['get']>[1]) => (gets++, storage.get(k, o)),
    });
    expect(await fetchAll(counted, codec, [[sha(chunk), 'packs/hostile', before, sealed.byteLength]])).toEqual([false]);
    expect(gets).toBe(1); // the chunk's own read, no dictionary read
  });
});

it.runIf(WRITES_DEFLATE)('a pack written again under another key (a condemned key avoided) keeps its dictionary first: the padding goes after', async () => {
  const codec = format2Codec(
    undefined,
    () => true,
    () => true,
  );
  const first = await write(codec, chunks.slice(0, 12));
  const avoided = new Set(first.storage.debug.keys());
  const again = await write(codec, chunks.slice(0, 12), (k) => avoided.has(k));
  expect(again.storage.debug.keys().some((k) => avoided.has(k))).toBe(false);
  expect(await fetchAll(again.storage, codec, again.located)).toEqual(again.located.map(() => true));
});

describe('pack dictionaries through the engine', () => {
  const notes = async (dir: string) => {
    await mkdir(join(dir, 'notes'), { recursive: true });
    for (let i = 0; i < 30; i++) await writeFile(join(dir, 'notes', `n${i}.md`), page(i, 3000 + i * 100));
  };
  const packBytes = (remote: MemoryStorage) => keys(remote, 'packs/').reduce((n, k) => n + remote.debug.raw(k)!.byteLength, 0);

  it('two nodes on a format-7 repository: notes written by one read identical on the other, and verify reads every pack whole', async () => {
    const { node } = clockedWorld(7);
    const a = await node('a');
    const b = await node('b');
    await notes(a.dir);
    expect((await a.sync()).errors).toEqual([]);
    expect((await b.sync()).errors).toEqual([]);
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    expect((await b.lib.verify({ readData: 100 })).problems).toEqual([]);
  });

  it.runIf(WRITES_DEFLATE)('the same notes take less room in format 7 than in format 6', async () => {
    const seven = clockedWorld(7);
    const six = clockedWorld(6);
    const [a7, a6] = [await seven.node('a'), await six.node('a')];
    await notes(a7.dir);
    await notes(a6.dir);
    await a7.sync();
    await a6.sync();
    // Measured at deflate level 5: 4.5 % smaller (the notes repeat 14 words: most matches are within each note).
    expect(packBytes(seven.remote)).toBeLessThan(0.97 * packBytes(six.remote));
  });
});
