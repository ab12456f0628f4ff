/**
 * Large buffers an upload is done with give their memory back at once (release-buffer.ts): the
 * pack writer's buffers once its last pack is stored, the scan's read buffer once its chunks are
 * in packs. Released means detached: every view reads 0 bytes after. Nothing stored suffers: a
 * second node downloads every file as it was.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode } from './helpers.js';

/** Every buffer the engine let go: its size when let go, and the view itself (0 bytes once detached). */
const released = vi.hoisted(() => [] as { size: number; buffer: Uint8Array }[]);
vi.mock('../../src/model/release-buffer.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/model/release-buffer.js')>();
  return {
    ...actual,
    releaseBuffer: (buffer: Uint8Array | undefined) => {
      if (buffer) released.push({ size: buffer.byteLength, buffer });
      actual.releaseBuffer(buffer);
    },
  };
});
const { releaseBuffer } = await import('../../src/model/release-buffer.js');

afterEach(async () => {
  released.length = 0;
  await cleanup();
});

const MiB = 1024 * 1024;

describe('releaseBuffer', () => {
  it('detaches a large buffer that owns its memory, and nothing else', () => {
    const large = Buffer.allocUnsafe(2 * MiB);
    const view = large.subarray(0, MiB);
    releaseBuffer(large);
    expect([large.byteLength, view.byteLength]).toEqual([0, 0]);

    const pooled = Buffer.from('a small buffer from the shared pool');
    const small = Buffer.allocUnsafe(64 * 1024);
    const other = Buffer.allocUnsafe(2 * MiB);
    const partOfOther = other.subarray(MiB);
    for (const b of [pooled, small, partOfOther, undefined]) releaseBuffer(b);
    expect([pooled.byteLength, small.byteLength, other.byteLength, partOfOther.byteLength]).toEqual([35, 64 * 1024, 2 * MiB, MiB]);
  });
});

describe('an upload', () => {
  it('releases its pack and read buffers once they are done with, and stores every byte intact', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { packSize: 2 * MiB });
    const files = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.bin`, bytes: randomBytes(3 * MiB + i) }));
    for (const f of files) await writeFile(join(a.dir, f.name), f.bytes);
    const s = await a.lib.sync();
    expect(s.errors).toEqual([]);

    // The read buffer (8 MiB and room for a chunk behind it) and the pack buffers (the target, 2
    // MiB, and room for one last chunk), each detached now.
    const large = released.filter((r) => r.size >= MiB);
    expect(large.some((r) => r.size >= 8 * MiB)).toBe(true);
    expect(large.some((r) => r.size < 8 * MiB)).toBe(true);
    expect(large.map((r) => r.buffer.byteLength)).toEqual(large.map(() => 0));

    const b = await makeNode(remote, 'b');
    expect((await b.lib.sync()).errors).toEqual([]);
    for (const f of files) expect((await readFile(join(b.dir, f.name))).equals(f.bytes)).toBe(true);
    await a.lib.close();
    await b.lib.close();
  }, 60_000);
});
