/**
 * What every operation of one fs storage shares: the folder, its temporary folder, whether to
 * fsync, and the publish mode (probed once, on first need). The operations are module-level
 * functions taking this context, so each reads on its own.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '@syncacross/sync-core';
import { encodeKey } from './names.js';

export type PublishMode = 'link' | 'rename';

export interface FsContext {
  /** The folder that holds the repository. */
  readonly root: string;
  /** Where objects are written before they get their final name. */
  readonly tempDir: string;
  readonly doFsync: boolean;
  /** The publish mode in use: fixed by the options, or probed once and shared. */
  publishMode(): Promise<PublishMode>;
}

export const pathOf = (ctx: FsContext, key: string) => join(ctx.root, ...encodeKey(key));

export async function ensureRoot(ctx: FsContext, what: string): Promise<void> {
  const root = ctx.root;
  try {
    const s = await stat(root);
    if (!s.isDirectory()) throw new Error('not a directory');
  } catch (e) {
    // Missing or not a folder: asking again in a few seconds will not mount it. EIO, ETIMEDOUT,
    // EHOSTDOWN (a NAS waking up, a stale mount) may recover, and are retried.
    const code = (e as NodeJS.ErrnoException).code;
    const permanent = code === 'ENOENT' || code === 'ENOTDIR' || code === undefined;
    throw new StorageError('Unavailable', `${what}: the folder ${root} is not reachable (not mounted, unplugged, or moved?): ${(e as Error).message}`, { cause: e, permanent });
  }
}

/**
 * Makes the temporary folder. Another process's hard-link probe (publish-mode.ts) removes it
 * again when empty, and a recursive mkdir that finds it existing, then stats it after that
 * removal, fails with ENOENT (Node's mkdirp: EEXIST, then stat): make it again, a few times.
 * The root itself missing is not this race: ensureRoot reports it.
 */
export async function makeTempDir(ctx: FsContext): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await mkdir(ctx.tempDir, { recursive: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw e;
      await ensureRoot(ctx, 'write');
    }
  }
}
