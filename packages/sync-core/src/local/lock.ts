/**
 * One process owns a library at a time. The lock is a file created with O_EXCL holding the
 * owner's pid and host; a lock whose process is gone (SIGKILL, power cut) is taken over at once,
 * with no TTL to wait out. This is a *local* lock on the state folder, never on the remote.
 */
import { hostname, uptime } from 'node:os';
import { open, readFile, unlink } from 'node:fs/promises';
import { SyncError } from '../model/sync-error.js';

export interface LibraryLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Locks this process holds: a lock file naming our own pid that is not in here was restored
// from a backup or copied with the library, and is stale.
const held = new Set<string>();

export async function acquireLock(file: string, waitMs = 2000): Promise<LibraryLock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      await fh.close();
      held.add(file);
      return {
        release: async () => {
          held.delete(file);
          await unlink(file).catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner: { pid?: number; host?: string; since?: string } = {};
    try {
      owner = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      // being written right now, or garbage: look again shortly
    }
    const bootedAt = Date.now() - uptime() * 1000;
    const stale =
      owner.pid !== undefined &&
      owner.host === hostname() &&
      (!alive(owner.pid) || (owner.pid === process.pid && !held.has(file)) || (owner.since !== undefined && Date.parse(owner.since) < bootedAt - 60_000));
    if (stale) {
      await unlink(file).catch(() => undefined); // the owner died: take over
      continue;
    }
    if (Date.now() > deadline) {
      throw new SyncError('LibraryBusy', `the library is being synced by another process (pid ${owner.pid ?? '?'} on ${owner.host ?? '?'}); try again when it finishes`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
