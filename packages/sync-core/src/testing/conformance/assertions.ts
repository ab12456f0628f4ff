/**
 * The few helpers every conformance check shares: a failure type distinct from the adapter's own
 * errors, byte and key-set comparisons, and listings that wait out a lag the contract allows.
 */
import type { ListOptions, Storage } from '../../storage/contract.js';
import { checkedStorage } from '../../storage/checked.js';
import { isStorageError } from '../../storage/errors.js';
import { compareKeys } from '../../storage/keys.js';
import { listAll } from '../../storage/listing.js';
import type { ConformanceFixture } from './fixture.js';

/** Thrown by a check; anything else a check sees is the adapter's own error. */
export class ConformanceFailure extends Error {
  override name = 'ConformanceFailure';
}
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}
export const same = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && Buffer.from(a).equals(Buffer.from(b));
export const text = (s: string) => new TextEncoder().encode(s);
export const describeError = (e: unknown) => (e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e));

export async function expectCode(promise: Promise<unknown>, codes: string[], what: string): Promise<void> {
  try {
    await promise;
  } catch (e) {
    assert(
      codes.some((c) => isStorageError(e, c as never)),
      `${what}: expected error code ${codes.join(' or ')}, got ${describeError(e)}`,
    );
    return;
  }
  throw new ConformanceFailure(`${what}: expected error code ${codes.join(' or ')}, but it succeeded`);
}

/**
 * Lists keys; on a backend that does not claim consistent listing, keeps listing (up to
 * LISTING_LAG_MS) until `settled` holds, since a lagging listing is allowed by the contract.
 */
const LISTING_LAG_MS = 30_000;
export async function listInfos(s: Storage, prefix: string, settled: (keys: string[]) => boolean = () => true, startAfter?: string, options: Pick<ListOptions, 'etags'> = {}) {
  const deadline = Date.now() + LISTING_LAG_MS;
  for (;;) {
    const infos = await listAll(s, prefix, startAfter === undefined ? options : { ...options, startAfter });
    if (s.capabilities.consistentListing || settled(infos.map((o) => o.key)) || Date.now() > deadline) return infos;
    await new Promise((r) => setTimeout(r, 25));
  }
}
export async function listKeys(s: Storage, prefix: string, startAfter?: string, settled?: (keys: string[]) => boolean): Promise<string[]> {
  return (await listInfos(s, prefix, settled, startAfter)).map((o) => o.key);
}
export const sorted = (keys: string[]) => [...keys].sort(compareKeys);
export const sameSet = (want: string[]) => (got: string[]) => JSON.stringify(sorted(got)) === JSON.stringify(sorted(want));

/**
 * The storage as the engine sees it: behind core's key validation and range slicing. Most checks
 * use it, since that is the contract an adapter serves; the key-safety check deliberately does not.
 */
export const use = (f: ConformanceFixture) => checkedStorage(f.storage);
