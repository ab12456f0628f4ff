/**
 * putIfAbsent: write the bytes to a unique temporary file, fsync it, then publish it under its
 * final name with `link()` (fails on an existing name: atomic) or look-then-`rename()` (not).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError, type PutResult } from '@syncacross/sync-core';
import { ensureRoot, makeTempDir, pathOf, type FsContext, type PublishMode } from './context.js';
import { fsError, retryTransient } from './errors.js';

export async function putIfAbsent(ctx: FsContext, key: string, bytes: Uint8Array): Promise<PutResult> {
  const how = await ctx.publishMode();
  const final = pathOf(ctx, key);
  if (how === 'link' && (await exists(final).catch(() => false))) return 'exists'; // cheap early answer
  let temp: string | undefined;
  try {
    temp = await writeTemp(ctx, bytes);
    return await publish(ctx, temp, final, how);
  } catch (e) {
    throw e instanceof StorageError ? e : fsError(e, `write ${key}`);
  } finally {
    if (temp) await unlink(temp).catch(() => undefined); // after link(); a renamed temp is gone already
  }
}

async function writeTemp(ctx: FsContext, bytes: Uint8Array): Promise<string> {
  const tempDir = ctx.tempDir;
  await makeTempDir(ctx);
  const temp = join(tempDir, `${Date.now()}-${randomBytes(12).toString('hex')}`);
  // Another process's hard-link probe may have just removed the (empty) folder: make it again.
  const fh = await open(temp, 'wx').catch(async (e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
    await makeTempDir(ctx);
    return open(temp, 'wx');
  });
  try {
    await fh.writeFile(bytes);
    if (ctx.doFsync) await fh.sync();
  } finally {
    await fh.close();
  }
  return temp;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

async function fsyncDir(ctx: FsContext, dir: string): Promise<void> {
  if (!ctx.doFsync) return;
  const fh = await open(dir, constants.O_RDONLY).catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined); // some file systems refuse fsync on directories
  await fh.close();
}

async function publish(ctx: FsContext, temp: string, final: string, how: PublishMode): Promise<PutResult> {
  const parent = final.slice(0, final.lastIndexOf('/'));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      if (how === 'link') {
        await retryTransient(() => link(temp, final));
      } else {
        if (await exists(final)) return 'exists';
        await retryTransient(() => rename(temp, final));
      }
      await fsyncDir(ctx, parent);
      return 'created';
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return 'exists';
      if (code !== 'ENOENT' || attempt > 0) throw e;
      await ensureRoot(ctx, 'write'); // never re-create a missing root below
      await mkdir(parent, { recursive: true });
    }
  }
  throw new StorageError('Unavailable', `could not publish ${final}`);
}
