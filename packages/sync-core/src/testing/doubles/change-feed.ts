/**
 * A change feed for any storage, as a backend with one would give it (Dropbox's long poll,
 * Graph's delta): every write through the wrapper moves the feed on. For tests of the watch and
 * as the reference the conformance suite's `changeFeed` check is proved against.
 */
import type { ChangeFeed, Storage } from '../../storage/contract.js';
import { forwardAll } from '../../storage/wrappers/forward.js';

/** The wrapped storage, with its feed. */
export interface StorageWithFeed extends Storage {
  /** The feed: every write through this storage moves it on. */
  readonly changeFeed: ChangeFeed;
  /** How many writes the feed has seen (what its cursor counts). */
  writes(): number;
}

/** Wraps `inner` with a change feed in `mode` (`wait`: a long poll; `poll`: answers at once). */
export function withChangeFeed(inner: Storage, mode: ChangeFeed['mode'] = 'wait'): StorageWithFeed {
  let writes = 0;
  const waiting = new Set<() => void>();
  const moved = () => {
    writes++;
    for (const wake of [...waiting]) wake();
  };
  const after =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const r = await f(...a);
      moved();
      return r;
    };
  const feed: ChangeFeed = {
    mode,
    async next(cursor, signal) {
      if (cursor === undefined) return { cursor: String(writes), changed: false };
      const since = Number(cursor);
      // A cursor this feed never gave (another process's, a reset): say "changed", as a backend would.
      if (!Number.isSafeInteger(since) || since > writes) return { cursor: String(writes), changed: true };
      if (mode === 'wait' && since === writes) await waitForWrite(waiting, signal);
      return { cursor: String(writes), changed: writes > since };
    },
  };
  const s = forwardAll(inner, {
    putIfAbsent: after(inner.putIfAbsent.bind(inner)),
    ...(inner.delete ? { delete: after(inner.delete.bind(inner)) } : {}),
    ...(inner.putIfMatch ? { putIfMatch: after(inner.putIfMatch.bind(inner)) } : {}),
  });
  return Object.assign(s, { changeFeed: feed, writes: () => writes });
}

function waitForWrite(waiting: Set<() => void>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      waiting.delete(wake);
      reject(signal!.reason);
    };
    const wake = () => {
      waiting.delete(wake);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    waiting.add(wake);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
