/**
 * A scan reads every large file into one buffer (chunk-file.ts, ReadBuffer): fresh read buffers
 * were most of a first upload's page faults. Chunks are views of that buffer, so it must not be
 * written again before every chunk handed on from it has been copied out. These tests hold the
 * chunks the way the pack writer does and check, at each release and at the end, that none of
 * them changed under the holder.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import type { Storage } from '../../src/storage/contract.js';
import { chunkFile, ReadBuffer } from '../../src/local/chunk-file.js';
import { cdcBoundaries, DEFAULT_CHUNKING } from '../../src/model/chunker.js';
import { cleanup, makeNode, randomData, tempDir } from './helpers.js';

afterEach(cleanup);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Chunks held until the reader releases them, each checked then against what it held when handed on. */
class Holder {
  private held: { view: Uint8Array; hash: string }[] = [];
  releases = 0;
  changed = 0;

  hold(view: Uint8Array): void {
    this.held.push({ view, hash: sha256(view) });
  }

  readonly release = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r)); // a release is a wait, as the pack writer's is
    this.releases++;
    this.check();
  };

  check(): void {
    for (const { view, hash } of this.held.splice(0)) if (sha256(view) !== hash) this.changed++;
  }
}

describe('one read buffer for a scan', () => {
  it('reads file after file into one buffer, written again only after the chunks handed on are released', async () => {
    const dir = await tempDir();
    const database = Buffer.from(randomData(17 * 1024 * 1024 + 3 * 4096 + 123, 4004));
    database.write('SQLite format 3\0', 0, 'latin1');
    database.writeUInt16BE(4096, 16);
    const files: [string, Buffer][] = [
      ['several-reads', randomData(21 * 1024 * 1024 + 12345, 4001)],
      ['just-past-one-call', randomData(256 * 1024 + 1, 4002)],
      ['small', randomData(100 * 1024, 4003)], // read in one call, into a buffer of its own
      ['database', database], // page chunks: a tail shorter than a page
      ['two-reads', randomData(9 * 1024 * 1024 + 3, 4005)],
    ];
    const holder = new Holder();
    const reads = new ReadBuffer(holder.release);
    const buffers = new Set<ArrayBufferLike>();
    for (const [name, data] of files) {
      const file = join(dir, name);
      await writeFile(file, data);
      const parts: Buffer[] = [];
      for await (const c of chunkFile(file, DEFAULT_CHUNKING, { reads })) {
        holder.hold(c);
        parts.push(Buffer.from(c)); // a copy: the view itself may be reused once released
        if (data.length > 256 * 1024) buffers.add(c.buffer);
      }
      expect(Buffer.concat(parts).equals(data), name).toBe(true);
      const lengths = parts.map((p) => p.length);
      if (name === 'database') expect(lengths.slice(0, -1).every((n) => n === 4096)).toBe(true);
      else expect(lengths, name).toEqual(cdcBoundaries(data, DEFAULT_CHUNKING));
    }
    holder.check(); // the last chunks, never released by a read after them
    expect(holder.changed).toBe(0);
    expect(holder.releases).toBeGreaterThanOrEqual(7); // before every read after the first
    expect(buffers.size).toBe(1);
  });

  it('a first upload of large files through a slow remote stores every byte of each, read into one buffer', async () => {
    // The pack writer lags behind the reads here: a put takes a while, and small packs fill often.
    const memory = createMemoryStorage();
    const storage: Storage = {
      ...memory,
      async putIfAbsent(key, bytes) {
        await new Promise((r) => setTimeout(r, 3));
        return memory.putIfAbsent(key, bytes);
      },
    };
    const a = await makeNode(storage, 'a', { packSize: 512 * 1024 });
    const files = [randomData(10 * 1024 * 1024 + 7, 4101), randomData(3 * 1024 * 1024, 4102), randomData(600 * 1024, 4103), randomData(12 * 1024 * 1024 + 99, 4104)];
    for (const [i, data] of files.entries()) await writeFile(join(a.dir, `f${i}.bin`), data);
    const up = await a.sync();
    expect(up.errors).toEqual([]);
    expect(up.skipped).toEqual([]);
    expect(up.uploaded.packs).toBeGreaterThanOrEqual(10); // chunks of about 1 MiB, packs of 512 KiB: a put at almost every chunk
    const b = await makeNode(memory, 'b');
    expect((await b.sync()).errors).toEqual([]);
    for (const [i, data] of files.entries()) expect((await readFile(join(b.dir, `f${i}.bin`))).equals(data), `f${i}.bin`).toBe(true);
  });
});
