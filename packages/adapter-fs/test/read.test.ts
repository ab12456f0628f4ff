/**
 * A ranged read fills a buffer that is not zeroed first (read.ts): every byte must come from the
 * file. A file cut short after its size was read (another process truncating it, a mount dropping
 * data) is a `Corrupt` error, never a buffer whose tail is whatever the memory held. The real
 * read runs; the file is really truncated just before it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const cut = vi.hoisted(() => ({ path: undefined as string | undefined, to: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open = (async (...args: Parameters<typeof real.open>) => {
    const fh = await real.open(...args);
    if (cut.path && String(args[0]) === cut.path) {
      const read = fh.read.bind(fh) as (...a: unknown[]) => Promise<unknown>;
      const path = cut.path;
      cut.path = undefined;
      // After the adapter's stat, before its first read.
      fh.read = (async (...a: unknown[]) => {
        await real.truncate(path, cut.to);
        return read(...a);
      }) as typeof fh.read;
    }
    return fh;
  }) as typeof real.open;
  return { ...real, default: { ...real, open }, open };
});

const { createFsStorage, encodeKey } = await import('@syncacross/adapter-fs');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'syncacross-fs-read-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading a file', () => {
  it('gives exactly its bytes, and a file cut short while read is Corrupt, not padded', async () => {
    const storage = await createFsStorage({ root: dir });
    const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) % 251);
    await storage.putIfAbsent('packs/p', bytes);
    expect(Buffer.from(await storage.get('packs/p', { range: { offset: 1024 * 1024, length: 1024 * 1024 } }))).toEqual(Buffer.from(bytes.subarray(1024 * 1024, 2 * 1024 * 1024)));

    cut.path = join(dir, ...encodeKey('packs/p'));
    cut.to = 1024 * 1024 + 10;
    await expect(storage.get('packs/p', { range: { offset: 1024 * 1024, length: 1024 * 1024 } })).rejects.toMatchObject({ code: 'Corrupt' });
    expect(cut.path).toBeUndefined(); // the read did go through the truncation
  });
});
