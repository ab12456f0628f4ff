/**
 * Finds out whether the folder's file system has hard links (then `link()` publishes, and
 * create-if-absent is atomic) or not (then `rename()` does, without atomic create).
 */
import { randomBytes } from 'node:crypto';
import { link, open, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureRoot, makeTempDir, type FsContext, type PublishMode } from './context.js';
import { fsError } from './errors.js';

// EIO: rclone's FUSE mount answers link() with an I/O error (seen with rclone 1.60 over WebDAV).
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK', 'EINVAL', 'EIO']);

export async function detectPublishMode(ctx: FsContext): Promise<PublishMode> {
  const { root, tempDir } = ctx;
  await ensureRoot(ctx, 'write');
  // Made here only to look: removed again (if still empty), so opening a folder that turns out
  // not to be a repository (a user's photos) leaves no trace in it.
  const made = await makeTempDir(ctx);
  const a = join(tempDir, `probe-${randomBytes(8).toString('hex')}`);
  await (await open(a, 'wx')).close();
  try {
    await link(a, `${a}-link`);
    await unlink(`${a}-link`);
    return 'link';
  } catch (e) {
    if (NO_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) return 'rename';
    throw fsError(e, `probe hard links in ${root}`);
  } finally {
    await unlink(a).catch(() => undefined);
    if (made !== undefined) await rmdir(tempDir).catch(() => undefined); // not empty: in use
  }
}
