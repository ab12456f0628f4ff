/**
 * Retention (docs/PROTOCOL.md §3.11): which versions of one path a checkpoint keeps. The buckets
 * follow restic's `forget` (the conventions our users know), applied per path to the path's
 * versions instead of per host to snapshots: walking from the newest version back, a
 * `keepDaily: 7` keeps the newest version of each of the 7 most recent days that have one, and
 * so on for each bucket; `keepLast: n` keeps the n newest; `keepWithinMs` keeps every version
 * made within that long before the checkpoint. Buckets are in UTC, so every node cuts them alike.
 * Compare restic's internal/restic/snapshot_policy.go (ApplyPolicy): one counter per bucket, a
 * version kept for a bucket when its period differs from the last one that bucket kept.
 *
 * Retention never decides alone: the versions every node must keep whatever the policy says
 * (heads, deletes among them) are added by the caller (engine/retention/prune.ts).
 */

/** A repository's retention policy. Absent or 0 fields keep nothing by themselves; a policy with none keeps everything. */
export interface RetentionPolicy {
  /** Keep the n newest versions of each path. */
  keepLast?: number;
  /** Keep every version made within this many milliseconds before the checkpoint. */
  keepWithinMs?: number;
  /** Keep the newest version of each of the n most recent hours that have one (UTC). */
  keepHourly?: number;
  /** Likewise for days (UTC). */
  keepDaily?: number;
  /** Likewise for ISO weeks. */
  keepWeekly?: number;
  /** Likewise for months (UTC). */
  keepMonthly?: number;
  /** Likewise for years (UTC). */
  keepYearly?: number;
}

export const RETENTION_FIELDS = ['keepLast', 'keepWithinMs', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;

/** The largest count or duration accepted: beyond it a policy keeps everything anyway, and the numbers stay exact in JSON. */
const MAX_FIELD = 2 ** 48;

/** A policy that prunes nothing: every field absent or 0. */
export const keepsEverything = (p: RetentionPolicy): boolean => RETENTION_FIELDS.every((f) => !p[f]);

/** The policy, if `value` is one (integers from 0, no other field); otherwise why not. */
export function checkRetentionPolicy(value: unknown): RetentionPolicy | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const out: RetentionPolicy = {};
  for (const [k, v] of Object.entries(value)) {
    if (!(RETENTION_FIELDS as readonly string[]).includes(k)) return `unknown field ${JSON.stringify(k).slice(0, 40)}`;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_FIELD) return `${k} must be a whole number from 0`;
    if (v > 0) out[k as keyof RetentionPolicy] = v;
  }
  return out;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** ISO week of a UTC date, as year*100 + week (the year the week belongs to, as restic's `ISOWeek`). */
function isoWeek(ms: number): number {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const year = new Date(thursday).getUTCFullYear();
  return year * 100 + 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY));
}

type Bucket = { count: number; period: (ms: number) => number };

function buckets(p: RetentionPolicy): Bucket[] {
  const out: Bucket[] = [];
  const add = (count: number | undefined, period: (ms: number) => number) => count && out.push({ count, period });
  add(p.keepLast, () => NaN); // every version is a period of its own (NaN differs from everything)
  add(p.keepHourly, (ms) => Math.floor(ms / HOUR));
  add(p.keepDaily, (ms) => Math.floor(ms / DAY));
  add(p.keepWeekly, isoWeek);
  add(p.keepMonthly, (ms) => new Date(ms).getUTCFullYear() * 12 + new Date(ms).getUTCMonth());
  add(p.keepYearly, (ms) => new Date(ms).getUTCFullYear());
  return out;
}

/**
 * Of one path's versions (each with its time, `hlc`), the hashes the policy keeps as of `asOf`.
 * Ties in time are broken by hash, so every node keeps the same ones.
 */
export function keptByPolicy(versions: readonly { hash: string; hlc: number }[], policy: RetentionPolicy, asOf: number): Set<string> {
  if (keepsEverything(policy)) return new Set(versions.map((v) => v.hash));
  const newestFirst = [...versions].sort((a, b) => b.hlc - a.hlc || (a.hash < b.hash ? 1 : a.hash > b.hash ? -1 : 0));
  const kept = new Set<string>();
  const state = buckets(policy).map((b) => ({ ...b, left: b.count, last: undefined as number | undefined }));
  for (const v of newestFirst) {
    if (policy.keepWithinMs && v.hlc >= asOf - policy.keepWithinMs) kept.add(v.hash);
    for (const b of state) {
      if (b.left === 0) continue;
      const period = b.period(v.hlc);
      if (b.last !== undefined && period === b.last) continue;
      b.last = period;
      b.left--;
      kept.add(v.hash);
    }
  }
  return kept;
}

/** A policy as a person reads it, e.g. "keep the last 10, within 30d, 30 daily". */
export function describeRetention(p: RetentionPolicy): string {
  if (keepsEverything(p)) return 'keep every version';
  const parts: string[] = [];
  if (p.keepLast) parts.push(`the last ${p.keepLast}`);
  if (p.keepWithinMs) parts.push(`everything within ${formatDuration(p.keepWithinMs)}`);
  for (const [f, name] of [
    ['keepHourly', 'hourly'],
    ['keepDaily', 'daily'],
    ['keepWeekly', 'weekly'],
    ['keepMonthly', 'monthly'],
    ['keepYearly', 'yearly'],
  ] as const)
    if (p[f]) parts.push(`${p[f]} ${name}`);
  return `keep ${parts.join(', ')} (per file; current versions and deletes always)`;
}

function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
