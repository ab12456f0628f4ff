/**
 * The single place where keys, prefixes, sizes and answers are checked, so adapters stay plain
 * I/O. The engine only ever talks to storage through this wrapper.
 */
import type { ByteRange, ChangeFeed, GetOptions, ListOptions, ListPage, PutResult, Storage } from './contract.js';
import { StorageError } from './errors.js';
import { assertValidKey, assertValidPrefix, compareKeys } from './keys.js';

function assertValidRange(key: string, range: ByteRange): void {
  if (!Number.isSafeInteger(range.offset) || !Number.isSafeInteger(range.length) || range.offset < 0 || range.length < 0) {
    throw new TypeError(`get ${key}: invalid range ${JSON.stringify(range)}`);
  }
}

/**
 * A key outside what was asked for means the adapter (or server) is broken: the whole page is
 * refused rather than acted on.
 */
function assertPageInRange(name: string, prefix: string, options: ListOptions | undefined, page: ListPage): void {
  for (const o of page.objects) {
    if (!o.key.startsWith(prefix) || (options?.startAfter !== undefined && compareKeys(o.key, options.startAfter) <= 0)) {
      throw new StorageError('Corrupt', `${name}: list(${JSON.stringify(prefix)}) returned out-of-range key ${JSON.stringify(o.key)}`);
    }
  }
}

/** A feed's answer must be a position and a yes or no; anything else is the adapter broken. */
function checkedFeed(name: string, feed: ChangeFeed): ChangeFeed {
  return {
    mode: feed.mode,
    async next(cursor, signal) {
      const r = await feed.next(cursor, signal);
      if (typeof r?.cursor !== 'string' || r.cursor === '' || typeof r.changed !== 'boolean') {
        throw new StorageError('Corrupt', `${name}: the change feed answered ${JSON.stringify(r)}`);
      }
      return r;
    },
  };
}

/**
 * Wraps an adapter so every key, prefix, range and size is checked before the call (`InvalidKey`,
 * `TooLarge`, `TypeError`) and every answer after it (a listed key outside the prefix, an unknown
 * put result: `Corrupt`); ranges are sliced here where the backend cannot read them.
 */
export function checkedStorage(inner: Storage): Storage {
  const caps = inner.capabilities;
  const storage: Storage = {
    name: inner.name,
    capabilities: caps,
    async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
      assertValidKey(key);
      if (!(bytes instanceof Uint8Array)) throw new TypeError('putIfAbsent: bytes must be a Uint8Array');
      if (bytes.byteLength > caps.maxObjectSize) {
        throw new StorageError('TooLarge', `${key}: ${bytes.byteLength} bytes exceeds ${inner.name}'s limit of ${caps.maxObjectSize}`);
      }
      const result = await inner.putIfAbsent(key, bytes);
      if (result !== 'created' && result !== 'exists') {
        throw new StorageError('Corrupt', `${inner.name}: putIfAbsent answered ${String(result)}`);
      }
      return result;
    },
    async get(key: string, options?: GetOptions): Promise<Uint8Array> {
      assertValidKey(key);
      const range = options?.range;
      if (options?.into && !(range && options.into.byteLength >= range.length)) throw new TypeError(`get ${key}: \`into\` must come with a range it can hold`);
      if (range) {
        assertValidRange(key, range);
        if (!caps.rangedGet) {
          const whole = await inner.get(key);
          return whole.subarray(range.offset, range.offset + range.length);
        }
      }
      return inner.get(key, options);
    },
    async list(prefix: string, options?: ListOptions): Promise<ListPage> {
      assertValidPrefix(prefix);
      if (options?.startAfter !== undefined) assertValidKey(options.startAfter);
      const page = await inner.list(prefix, options);
      assertPageInRange(inner.name, prefix, options, page);
      return page;
    },
  };
  if (inner.delete) {
    const del = inner.delete.bind(inner);
    storage.delete = async (key: string) => {
      assertValidKey(key);
      await del(key);
    };
  }
  if (inner.putIfMatch) {
    const cas = inner.putIfMatch.bind(inner);
    storage.putIfMatch = async (key: string, bytes: Uint8Array, etag: string) => {
      assertValidKey(key);
      if (bytes.byteLength > caps.maxObjectSize) throw new StorageError('TooLarge', `${key}: too large`);
      return cas(key, bytes, etag);
    };
  }
  if (inner.changeFeed) (storage as { changeFeed?: ChangeFeed }).changeFeed = checkedFeed(inner.name, inner.changeFeed);
  if (inner.close) storage.close = inner.close.bind(inner);
  return storage;
}
