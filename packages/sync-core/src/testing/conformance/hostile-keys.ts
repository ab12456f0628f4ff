/**
 * Keys that are valid by core's rules but that a backend may read as something else. Core
 * rejects keys that break the rules (`..` segments, NUL, a leading `/`; see storage/keys.ts)
 * before any adapter sees them, and sync-core's own tests check that. What only the adapter can
 * get wrong is what core lets through: a percent-encoded dot segment or slash that a URL layer
 * decodes and then resolves (RFC 3986 normalization decodes `%2E`), names that Windows and SMB
 * strip or reserve, lookalike dots. So this check talks to the adapter directly, not through
 * `checkedStorage`: each key must be stored as its own object (or refused with `InvalidKey`),
 * never answer for another key, never change another object, never land outside the store.
 */
import type { Storage } from '../../storage/contract.js';
import { isStorageError } from '../../storage/errors.js';
import { assert, describeError, listKeys, same, sameSet, text } from './assertions.js';
import type { ConformanceCheck } from './fixture.js';

/** Objects a misread hostile key would land on: each must keep its content. */
const SENTINELS = ['victim', 'escape', 'hk/victim', 'hk/escape'];

const HOSTILE_VALID_KEYS = [
  '%2e%2e/escape', // decoded and resolved: one level above the store's root
  '%2E%2E/%2e%2e/escape',
  'hk/%2e%2e/victim', // decoded and resolved: the sentinel `victim`
  'hk/%2e%2e/%2e%2e/escape',
  'hk/..%2fvictim',
  'hk%2fvictim', // an encoded slash decoded: the sentinel `hk/victim`
  'hk/%2e/victim',
  'hk/victim.', // Windows and SMB strip a trailing dot...
  'hk/victim ', // ...and a trailing space
  'hk/.../victim',
  'hk/VICTIM', // a case-folding backend
  'hk/\uff0e\uff0e/victim', // full-width dots, which NFKC folds to `..`
  'hk/con', // Windows device names
  'hk/aux.txt',
  '~/escape',
  'hk/victim;x',
  'hk/%00',
  'hk/%zz',
  '.hidden',
];

async function readOrMissing(s: Storage, key: string): Promise<Uint8Array | 'missing' | 'refused'> {
  try {
    return await s.get(key);
  } catch (e) {
    if (isStorageError(e, 'NotFound')) return 'missing';
    if (isStorageError(e, 'InvalidKey')) return 'refused';
    throw e;
  }
}

export const hostileKeys: ConformanceCheck = {
  name: 'keeps keys that a backend could misread (encoded dots and slashes, stripped or reserved names) inside the store, each its own object',
  async run(f) {
    const s = f.storage; // not checkedStorage: this is the adapter's own handling of names
    for (const k of SENTINELS) assert((await s.putIfAbsent(k, text(`sentinel ${k}`))) === 'created', `${k}: create must answer created`);
    // Every key is tried and every problem reported: one misread key rarely comes alone.
    const problems: string[] = [];
    const stored: string[] = [];
    for (const k of HOSTILE_VALID_KEYS) {
      const before = await readOrMissing(s, k);
      if (before instanceof Uint8Array) {
        problems.push(`get(${JSON.stringify(k)}) of a key never written returned ${JSON.stringify(Buffer.from(before).toString())}: it reads another object`);
        continue;
      }
      const bytes = text(`hostile ${k}`);
      let answer: string;
      try {
        answer = await s.putIfAbsent(k, bytes);
      } catch (e) {
        // A backend that cannot hold a name may refuse it, loudly and with the contract's code.
        if (!isStorageError(e, 'InvalidKey')) problems.push(`putIfAbsent(${JSON.stringify(k)}) failed with ${describeError(e)}; expected created, or InvalidKey if the backend cannot hold the name`);
        continue;
      }
      if (answer !== 'created') {
        problems.push(`putIfAbsent(${JSON.stringify(k)}) of a key never written answered ${answer}: it lands on another object`);
        continue;
      }
      const got = await readOrMissing(s, k);
      if (!(got instanceof Uint8Array && same(got, bytes))) problems.push(`${JSON.stringify(k)}: what was written does not read back under its key`);
      stored.push(k);
    }
    for (const k of SENTINELS) {
      const got = await readOrMissing(s, k);
      if (!(got instanceof Uint8Array && same(got, text(`sentinel ${k}`)))) problems.push(`${k} changed after writing the hostile keys: one of them landed on it`);
    }
    const want = [...SENTINELS, ...stored];
    const listed = await listKeys(s, '', undefined, sameSet(want));
    const missing = want.filter((k) => !listed.includes(k));
    const extra = listed.filter((k) => !want.includes(k));
    if (missing.length > 0) problems.push(`not listed: ${JSON.stringify(missing)} (written outside the store, or under another name)`);
    if (extra.length > 0) problems.push(`listed but never written: ${JSON.stringify(extra)}`);
    assert(problems.length === 0, problems.join('; '));
  },
};
