/**
 * `--bwlimit` (and `SYNCACROSS_BWLIMIT`, its default): a rate in rclone's syntax, `1M` for both
 * directions or `512K:4M` for up:down, `off` for none (either side may be `off`). Units are
 * binary bytes per second: B, K (KiB), M (MiB), G (GiB); a bare number is KiB/s, as in rclone.
 * One pair of token buckets per process (sync-core's withBandwidthLimit), shared by every
 * library a `watch` keeps, so the limit is the process's.
 */
import { TokenBucket, withBandwidthLimit, type Storage } from '@syncacross/sync-core';
import { usageError } from './cli-error.js';
import { parseSize } from './byte-size.js';

/** Bytes per second in each direction; absent: not limited. */
export interface BandwidthRates {
  up?: number;
  down?: number;
}

const SYNTAX = 'a rate such as 1M (both directions), 512K:4M (up:down) or off; units B, K, M, G (binary, bytes per second; a bare number is KiB/s, as in rclone)';

function parseRate(text: string): number | undefined | null {
  if (text.toLowerCase() === 'off') return undefined;
  const bytes = parseSize(text, 'k');
  return bytes !== null && bytes >= 1 ? bytes : null;
}

/** Throws a message naming `source` (the flag or variable) when `text` is not a rate. */
export function parseBandwidthLimit(text: string, source = '--bwlimit'): BandwidthRates {
  const parts = text.trim().split(':');
  const rates = parts.length <= 2 ? parts.map(parseRate) : [null];
  if (rates.includes(null)) throw usageError('BadBandwidthLimit', `${source} takes ${SYNTAX}; got ${JSON.stringify(text)}`);
  const [up, down = up] = rates as (number | undefined)[];
  return { ...(up !== undefined ? { up } : {}), ...(down !== undefined ? { down } : {}) };
}

/** The rates a command runs with: its flag, else `SYNCACROSS_BWLIMIT`, else none. */
export function bandwidthRates(flag: BandwidthRates | undefined, env: NodeJS.ProcessEnv = process.env): BandwidthRates {
  if (flag) return flag;
  const fromEnv = env.SYNCACROSS_BWLIMIT;
  return fromEnv ? parseBandwidthLimit(fromEnv, 'SYNCACROSS_BWLIMIT') : {};
}

const buckets = new Map<string, TokenBucket>();
/** One bucket per direction, rate and process: the libraries of one `watch` share it. */
function bucket(direction: 'up' | 'down', bytesPerSecond: number | undefined): TokenBucket | undefined {
  if (bytesPerSecond === undefined) return undefined;
  const key = `${direction}:${bytesPerSecond}`;
  let b = buckets.get(key);
  if (!b) buckets.set(key, (b = new TokenBucket({ bytesPerSecond })));
  return b;
}

/** `storage` limited to `rates` (itself when there is no limit). */
export function limitBandwidth(storage: Storage, rates: BandwidthRates, signal?: AbortSignal): Storage {
  const up = bucket('up', rates.up);
  const down = bucket('down', rates.down);
  return withBandwidthLimit(storage, { ...(up ? { up } : {}), ...(down ? { down } : {}) }, signal);
}
