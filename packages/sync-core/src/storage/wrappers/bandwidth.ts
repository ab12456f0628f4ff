/**
 * Limits the bytes of object bodies a process sends and receives (`--bwlimit`): every upload
 * waits for its size in the `up` bucket before it starts; every download, once its bytes arrived,
 * waits for them in the `down` bucket before it is handed on (the contract has no streaming
 * read, and a ranged read may return fewer bytes than asked, so only the received size is
 * known). Listings and deletes are not limited: their bodies are small, and delaying them would
 * only slow the engine's view of the remote.
 *
 * The limit holds on average, not within one object: an object is paid for whole, then goes at
 * the link's speed. Share one pair of buckets between every storage of a process (every library
 * of a `watch`) so the limit is the process's, as rclone's is.
 */
import type { Storage } from '../contract.js';
import { forwardAll } from './forward.js';
import type { TokenBucket } from './token-bucket.js';

/** The buckets each direction takes from (see the file's comment). */
export interface BandwidthLimit {
  /** Bytes written (putIfAbsent, putIfMatch). Absent: not limited. */
  up?: TokenBucket;
  /** Bytes read (get). Absent: not limited. */
  down?: TokenBucket;
}

/** `inner` itself when neither direction is limited: no limit, no cost. */
export function withBandwidthLimit(inner: Storage, limit: BandwidthLimit, signal?: AbortSignal): Storage {
  const { up, down } = limit;
  if (!up && !down) return inner;
  return forwardAll(inner, {
    putIfAbsent: async (key, bytes) => {
      await up?.take(bytes.byteLength, signal);
      return inner.putIfAbsent(key, bytes);
    },
    putIfMatch:
      inner.putIfMatch &&
      (async (key, bytes, etag) => {
        await up?.take(bytes.byteLength, signal);
        return inner.putIfMatch!(key, bytes, etag);
      }),
    get: async (key, options) => {
      const bytes = await inner.get(key, options);
      await down?.take(bytes.byteLength, signal);
      return bytes;
    },
  });
}
