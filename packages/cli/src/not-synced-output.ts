/**
 * The "not synced" lines of a sync, watch or restore (and restore's "not restored" ones). Each
 * path is named with why; where many share one reason (a whole disk's deletions held back: 5,000
 * files), the first few are named and the rest counted, so the reason and the advice after it are
 * not lost in the scroll. `-v` names every one, and `--json` always does.
 */
import type { SyncSummary } from '@syncacross/sync-core';
import type { Output } from './output.js';

/** Paths named per reason before the rest are counted. */
const NAMED_PER_REASON = 10;

export function printNotSynced(skipped: SyncSummary['skipped'], out: Output, prefix = 'syncacross: ', what = 'not synced'): void {
  const shown = new Map<string, number>();
  for (const k of skipped) {
    const n = (shown.get(k.reason) ?? 0) + 1;
    shown.set(k.reason, n);
    // A path of '' is the whole library (a restore of a moment when it held nothing): its reason alone.
    if (n <= NAMED_PER_REASON || out.verbose > 0) out.warn(`${prefix}${what}: ${k.path ? `${k.path}: ` : ''}${k.reason}`);
  }
  if (out.verbose > 0) return;
  for (const [reason, n] of shown) if (n > NAMED_PER_REASON) out.warn(`${prefix}${what}: ${(n - NAMED_PER_REASON).toLocaleString('en-US')} more paths (-v names them): ${reason}`);
}
