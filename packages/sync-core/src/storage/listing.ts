/** Helpers that walk a paged listing; a failure anywhere fails the whole walk (never a short list). */
import type { ListOptions, ObjectInfo, Storage } from './contract.js';
import { compareKeys } from './keys.js';
import { isStorageError } from './errors.js';

/** Every page of the listing under `prefix`, one array of objects per `list` call, following cursors; a cursor handed back twice throws. */
export async function* listPages(storage: Storage, prefix: string, options: Omit<ListOptions, 'cursor'> = {}): AsyncGenerator<ObjectInfo[]> {
  let cursor: string | undefined;
  const seenCursors = new Set<string>();
  do {
    const page = await storage.list(prefix, { ...options, cursor });
    yield page.objects;
    cursor = page.cursor;
    if (cursor !== undefined) {
      // A backend that hands back a cursor it already gave would loop forever.
      if (seenCursors.has(cursor)) throw new Error(`${storage.name}: listing cursor repeated`);
      seenCursors.add(cursor);
    }
  } while (cursor !== undefined);
}

/** All objects under `prefix`, sorted by key, each key once. */
export async function listAll(storage: Storage, prefix: string, options: Omit<ListOptions, 'cursor'> = {}): Promise<ObjectInfo[]> {
  const byKey = new Map<string, ObjectInfo>();
  for await (const page of listPages(storage, prefix, options)) {
    for (const o of page) byKey.set(o.key, o);
  }
  return [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key));
}

/** Whether `key` exists, asked of the object itself (a listing may lag). Unreachable throws. */
export async function objectExists(storage: Storage, key: string): Promise<boolean> {
  try {
    await storage.get(key, { range: { offset: 0, length: 1 } });
    return true;
  } catch (e) {
    if (isStorageError(e, 'NotFound')) return false;
    throw e;
  }
}
