/**
 * A name that vanishes between `readdir` and `stat` (another node's delete, a temp file renamed
 * away, a mount dropping an entry) is simply not listed: it must not fail the whole listing.
 * The real readdir runs; the file is really deleted right after it returns, before the stat.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const vanish = vi.hoisted(() => ({ path: undefined as string | undefined }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const readdir = (async (...args: Parameters<typeof real.readdir>) => {
    const entries = await (real.readdir as (...a: unknown[]) => Promise<unknown>)(...args);
    if (vanish.path && String(args[0]) === join(vanish.path, '..')) {
      const victim = vanish.path;
      vanish.path = undefined;
      await real.unlink(victim);
    }
    return entries;
  }) as typeof real.readdir;
  return { ...real, default: { ...real, readdir }, readdir };
});

const { createFsStorage } = await import('@syncacross/adapter-fs');
const { listAll } = await import('@syncacross/sync-core');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'syncacross-fs-vanish-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listing', () => {
  it('leaves out a name deleted between readdir and stat instead of failing', async () => {
    const s = await createFsStorage({ root: dir });
    await s.putIfAbsent('log/a', Uint8Array.of(1));
    await s.putIfAbsent('log/b', Uint8Array.of(2));
    vanish.path = join(dir, 'log', 'b');
    expect((await listAll(s, 'log/')).map((o) => o.key)).toEqual(['log/a']);
    expect(vanish.path).toBeUndefined(); // the deletion really happened mid-listing
  });
});
