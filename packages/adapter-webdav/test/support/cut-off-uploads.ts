/**
 * Uploads cut off mid-body by the request timeout (the transport aborts the request, as a
 * crash or a dropped connection would), and what each left under its key. The timeout grows
 * until `until` holds, so a slow or a fast machine both get an upload that is really cut off.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { isStorageError, type PutResult, type Storage } from '@syncacross/sync-core';

export interface CutOffOutcome {
  key: string;
  timeoutMs: number;
  threw: boolean;
  answer?: PutResult;
  left: 'nothing' | 'prefix' | 'whole' | 'other';
}

const SIZE = 64 * 1024 * 1024;
const TIMEOUTS_MS = [30, 60, 120, 240, 480, 960];

export async function cutOffUploads(open: (timeoutMs: number) => Promise<Storage>, options: { until?: (o: CutOffOutcome) => boolean } = {}): Promise<CutOffOutcome[]> {
  const until = options.until ?? ((o) => o.threw);
  const bytes = randomBytes(SIZE);
  const outcomes: CutOffOutcome[] = [];
  for (const timeoutMs of TIMEOUTS_MS) {
    const key = `packs/cut-${timeoutMs}`;
    const storage = await open(timeoutMs);
    let threw = false;
    let answer: PutResult | undefined;
    try {
      answer = await storage.putIfAbsent(key, bytes);
    } catch {
      threw = true;
    }
    await storage.close?.();
    await delay(300); // the server finishes with what it was sent
    const outcome = { key, timeoutMs, threw, ...(answer ? { answer } : {}), left: await leftUnder(await open(30_000), key, bytes) };
    outcomes.push(outcome);
    if (until(outcome)) break;
  }
  return outcomes;
}

async function leftUnder(reader: Storage, key: string, bytes: Uint8Array): Promise<CutOffOutcome['left']> {
  try {
    const got = await reader.get(key);
    if (Buffer.compare(got, bytes) === 0) return 'whole';
    return got.byteLength < bytes.byteLength && Buffer.compare(got, bytes.subarray(0, got.byteLength)) === 0 ? 'prefix' : 'other';
  } catch (error) {
    if (isStorageError(error, 'NotFound')) return 'nothing';
    throw error;
  } finally {
    await reader.close?.();
  }
}
