/**
 * What every operation of one fs storage shares: the folder, its temporary folder, whether to
 * fsync, and the publish mode (probed once, on first need). The operations are module-level
 * functions taking this context, so each reads on its own.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '@syncacross/sync-core';
import { encodeKey } from './names.js';

/**
 * How a finished temporary file gets its key's name: `link` (a hard link, which fails if the name
 * exists, so create-if-absent is atomic) or `rename` (for file systems without hard links; not atomic).
 */
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
 * Makes the temporary folder (right under the root); returns it when this call made it. Never
 * recursively: a root that went away (a share unmounted, a drive unplugged after the first
 * write) must be reported, not made again empty, where the next write would land beside nothing.
 * ENOENT is the root missing, which ensureRoot reports; EEXIST is fine (another write, or
 * another process's hard-link probe, made it; a probe removes it again only when empty).
 */
export async function makeTempDir(ctx: FsContext): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await mkdir(ctx.tempDir);
      return ctx.tempDir;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return undefined;
      if (code !== 'ENOENT' || attempt >= 5) throw e;
      await ensureRoot(ctx, 'write');
    }
  }
}
