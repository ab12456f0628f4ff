/**
 * Backends that do not really honor create-if-absent, each still *claiming* the capabilities of
 * the storage they wrap (as a real server that silently ignores `If-None-Match` does). The probe
 * must see through them; the engine must lose nothing on them.
 *
 * - `withIgnoredPreconditions`: putIfAbsent always writes (overwrites) and answers `created`;
 *   putIfMatch ignores the etag. (s3rver, nginx, rclone serve webdav.)
 * - `withCheckThenWrite`: putIfAbsent looks, yields, then writes: correct alone, racy under
 *   concurrency (Apache mod_dav, Sabre: check-then-write inside the server).
 * Both need the inner storage to support delete (the overwrite is delete + create).
 */
import type { Storage } from '../../storage/contract.js';
import { StorageError } from '../../storage/errors.js';
import { objectExists } from '../../storage/listing.js';
import { forwardAll } from '../../storage/wrappers/forward.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function overwrite(inner: Storage) {
  if (!inner.delete) throw new StorageError('NotSupported', `${inner.name}: racy wrappers need delete`);
  return async (key: string, bytes: Uint8Array) => {
    // Two overwriters can interleave here; retry so the last one wins, like a real PUT.
    for (let i = 0; i < 100; i++) {
      await inner.delete!(key);
      if ((await inner.putIfAbsent(key, bytes)) === 'created') return;
    }
    throw new StorageError('Unavailable', `${inner.name}: overwrite of ${key} kept racing`);
  };
}

/** Wraps a storage so putIfAbsent overwrites and answers `created`, and putIfMatch ignores the etag, while the capabilities still claim otherwise. */
export function withIgnoredPreconditions(inner: Storage): Storage {
  const put = overwrite(inner);
  return forwardAll(inner, {
    name: `ignores-preconditions(${inner.name})`,
    putIfAbsent: async (key, bytes) => {
      await put(key, bytes);
      return 'created';
    },
    putIfMatch:
      inner.putIfMatch &&
      (async (key, bytes) => {
        await put(key, bytes);
        const page = await inner.list(key);
        return { etag: page.objects.find((o) => o.key === key)?.etag };
      }),
  });
}

/** `claimAtomic` makes it lie like a server that advertises what it does not do. */
export function withCheckThenWrite(inner: Storage, options: { claimAtomic?: boolean } = {}): Storage {
  const put = overwrite(inner);
  return forwardAll(inner, {
    name: `check-then-write(${inner.name})`,
    capabilities: { ...inner.capabilities, atomicCreate: options.claimAtomic ?? false },
    putIfAbsent: async (key, bytes) => {
      if (await objectExists(inner, key)) return 'exists';
      await tick(); // the window in which a concurrent writer also sees "absent"
      await put(key, bytes);
      return 'created';
    },
  });
}
