/** A storage that can be switched off: the collection tests' machine that goes away. */
import type { Storage } from '@syncacross/sync-core';
import { StorageError } from '../../src/storage/errors.js';

/** A storage that can be switched off, as an unplugged NAS: every request fails Unavailable (or only segment uploads, before or after they are made). */
export function switchable(inner: Storage) {
  const state = { down: false, segmentsFail: false, segmentAnswersLost: false };
  const gate = <R>(fn: () => Promise<R>): Promise<R> => (state.down ? Promise.reject(new StorageError('Unavailable', 'the NAS is unplugged')) : fn());
  const storage: Storage = {
    ...inner,
    putIfAbsent: async (k, b) => {
      if (state.segmentsFail && k.startsWith('log/')) throw new StorageError('Unavailable', 'the NAS dropped off');
      const put = await gate(() => inner.putIfAbsent(k, b));
      // The upload went through, its answer did not: the writer cannot know.
      if (state.segmentAnswersLost && k.startsWith('log/')) throw new StorageError('Unavailable', 'the connection dropped before the answer');
      return put;
    },
    get: (k, o) => gate(() => inner.get(k, o)),
    list: (p, o) => gate(() => inner.list(p, o)),
    delete: (k) => gate(() => inner.delete!(k)),
  };
  return { storage, state };
}
