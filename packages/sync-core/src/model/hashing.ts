/** Hashes and the canonical encoding that version hashes are computed over. */
import { createHash, webcrypto } from 'node:crypto';

export const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/**
 * `sha256` of a large buffer on the thread pool (WebCrypto); small ones are cheaper here. WebCrypto
 * copies its input first, and a micro-benchmark makes that look dearer than hashing here; in a
 * download of the benchmark library, hashing here was no faster (10.6 s against 10.2 s, median of
 * 3, same run), the pool hashing while the main thread writes.
 */
export async function sha256Async(data: Uint8Array): Promise<string> {
  if (data.byteLength < 64 * 1024) return sha256(data);
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', data)).toString('hex');
}

/** JSON with object keys sorted and no whitespace: the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
