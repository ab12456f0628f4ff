/**
 * Which errors of a local file operation are the path's own (it is named and left for the next
 * round; the others sync) and which are the process's (the round ends): the scan's walk and the
 * reading of a file's content answer alike.
 */

/** ENOENT: removed; ENOTDIR: a folder on its path replaced by a file. */
export const isGone = (code: string | undefined) => code === 'ENOENT' || code === 'ENOTDIR';

/** Errors of the process, not of a path (out of file handles or memory): they end the round rather than name a path. */
const PROCESS_FAULTS = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'EAGAIN', 'EINTR']);

/** Whether `e` is a system error of this path (EACCES, EIO, ENOENT…), not of the process or an error without a code. */
export function isPathsOwn(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && !PROCESS_FAULTS.has(code);
}
