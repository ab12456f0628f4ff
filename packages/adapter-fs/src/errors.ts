/** Maps Node file-system errors to the contract's codes. */
import { StorageError } from '@syncacross/sync-core';

export function fsError(error: unknown, what: string): StorageError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const message = `${what}: ${(error as Error)?.message ?? String(error)}`;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new StorageError('NotFound', message, { cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new StorageError('AuthFailed', `${message} (permission denied: check the folder's permissions or mount options)`, { cause: error });
    case 'ENOSPC':
    case 'EDQUOT':
      return new StorageError('NoSpace', `${message} (the disk or share is full)`, { cause: error });
    case 'EFBIG':
    case 'ENAMETOOLONG':
      return new StorageError('TooLarge', message, { cause: error });
    default:
      // EIO, ESTALE (NFS), EHOSTDOWN, ETIMEDOUT, EBUSY…: the answer is unknown, never "absent".
      return new StorageError('Unavailable', message, { cause: error });
  }
}

const TRANSIENT = new Set(['EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE']);

/**
 * Retries errors that virus scanners, indexers and cloud-drive clients cause for a moment
 * (Windows also answers EPERM while a scanner holds a file open), a few times with a short pause.
 */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 5, transientEperm = process.platform === 'win32'): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException)?.code ?? '';
      const transient = TRANSIENT.has(code) || (transientEperm && code === 'EPERM');
      if (!transient || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 20 * 2 ** i));
    }
  }
}
