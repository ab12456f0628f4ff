/** The check that no reader sees a partial object while a large write is under way. */
import { randomBytes } from 'node:crypto';
import { checkedStorage } from '../../storage/checked.js';
import { isStorageError } from '../../storage/errors.js';
import { assert, ConformanceFailure, describeError, listInfos, same, use } from './assertions.js';
import type { ConformanceCheck } from './fixture.js';

export const neverPartial: ConformanceCheck = {
  name: 'never shows a partial object while a large write is in flight',
  async run(f, o) {
    const s = use(f);
    const peer = f.peer ? await f.peer() : undefined;
    const observer = peer ? checkedStorage(peer) : s;
    // A store that writes in place may show other clients a prefix, never anything else, and
    // must be whole for everyone once the write answers (the engine relies on exactly that).
    const inPlace = s.capabilities.inPlaceWrites === true;
    const size = Math.min(o.largeObjectBytes, s.capabilities.maxObjectSize);
    const bytes = randomBytes(size);
    let done = false;
    const writing = s.putIfAbsent('inflight/big', bytes).finally(() => {
      done = true;
    });
    let observations = 0;
    try {
      // Poll gently and a bounded number of times: a tight loop of reads can starve the very
      // write it watches when both run against an in-process emulator.
      while (!done && observations < 500) {
        const listed = (await observer.list('inflight/')).objects.find((x) => x.key === 'inflight/big');
        if (listed && inPlace) assert(listed.size <= size, `listed with ${listed.size} bytes while ${size} are being written`);
        else if (listed) assert(listed.size === size, `listed with ${listed.size} of ${size} bytes while being written (declare capabilities.inPlaceWrites if the store writes in place)`);
        try {
          const got = await observer.get('inflight/big');
          // Seen whole: nothing more to learn, and reading 20 MiB every few ms until the write
          // answers is what drove an emulator's worker to gigabytes under load.
          if (got.byteLength === size && same(got, bytes)) {
            observations++;
            break;
          }
          if (inPlace) assert(got.byteLength <= size && same(got, bytes.subarray(0, got.byteLength)), `read ${got.byteLength} bytes that are not a prefix of the object being written`);
          else assert(same(got, bytes), `read ${got.byteLength} bytes of ${size} while being written (declare capabilities.inPlaceWrites if the store writes in place)`);
        } catch (e) {
          if (e instanceof ConformanceFailure) throw e;
          assert(isStorageError(e, 'NotFound'), `get during a write failed with ${describeError(e)}, expected NotFound or the whole object`);
        }
        observations++;
        await new Promise((r) => setTimeout(r, 5));
      }
      assert((await writing) === 'created', 'large create must answer created');
      for (const reader of peer ? [s, observer] : [s]) {
        assert(same(await reader.get('inflight/big'), bytes), `the object differs once the write answered${reader === observer ? ' (read by another client)' : ''}`);
        const listed = (await listInfos(reader, 'inflight/', (keys) => keys.includes('inflight/big'))).find((x) => x.key === 'inflight/big');
        assert(listed?.size === size, `listed with ${listed?.size} of ${size} bytes once the write answered`);
      }
      assert(observations >= 1, 'made no observation during the write');
    } finally {
      await writing.catch(() => undefined);
      await peer?.close?.();
    }
  },
};
