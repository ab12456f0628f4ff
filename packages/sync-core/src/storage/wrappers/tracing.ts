/**
 * Tells of each request as it ends: operation, key (or prefix), bytes, duration and outcome; what
 * `syncacross -vv` prints. Only what the contract hands over is told: keys are content hashes and
 * writer ids, never a credential; an adapter's error messages (which may quote a URL or a header)
 * are left out, the outcome is the error's stable code.
 */
import type { Storage } from '../contract.js';
import { isStorageError } from '../errors.js';
import type { RequestKind } from './counting.js';
import { forwardAll } from './forward.js';

/** One request as `withTracing` tells of it. */
export interface TracedRequest {
  /** The contract's operation. */
  operation: RequestKind;
  /** The object's key; for `list`, the prefix. */
  key: string;
  /** Bytes sent (puts) or received (get); for `list`, the objects in the page. */
  bytes: number;
  /** From the call to its answer. */
  durationMs: number;
  /** `ok`, `created` or `exists` (putIfAbsent), or the error's code (`NotFound`, `Unavailable`…). */
  outcome: string;
}

/** `inner`, telling `onRequest` of each request as it ends (see the file's comment); `now` is for tests. */
export function withTracing(inner: Storage, onRequest: (r: TracedRequest) => void, now: () => number = () => performance.now()): Storage {
  async function trace<T>(operation: RequestKind, key: string, fn: () => Promise<T>, told: (result: T) => { bytes: number; outcome?: string }): Promise<T> {
    const started = now();
    try {
      const result = await fn();
      const { bytes, outcome = 'ok' } = told(result);
      onRequest({ operation, key, bytes, durationMs: now() - started, outcome });
      return result;
    } catch (e) {
      onRequest({ operation, key, bytes: 0, durationMs: now() - started, outcome: isStorageError(e) ? e.code : 'error' });
      throw e;
    }
  }
  return forwardAll(inner, {
    putIfAbsent: (key, bytes) =>
      trace(
        'putIfAbsent',
        key,
        () => inner.putIfAbsent(key, bytes),
        (r) => ({ bytes: bytes.byteLength, outcome: r }),
      ),
    get: (key, o) =>
      trace(
        'get',
        key,
        () => inner.get(key, o),
        (b) => ({ bytes: b.byteLength }),
      ),
    list: (prefix, o) =>
      trace(
        'list',
        prefix,
        () => inner.list(prefix, o),
        (page) => ({ bytes: page.objects.length }),
      ),
    delete:
      inner.delete &&
      ((key) =>
        trace(
          'delete',
          key,
          () => inner.delete!(key),
          () => ({ bytes: 0 }),
        )),
    putIfMatch:
      inner.putIfMatch &&
      ((key, bytes, etag) =>
        trace(
          'putIfMatch',
          key,
          () => inner.putIfMatch!(key, bytes, etag),
          () => ({ bytes: bytes.byteLength }),
        )),
  });
}
