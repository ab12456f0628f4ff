/** The line a sync prints about what this node's exclude patterns left out (nothing when nothing was). */
import type { SyncSummary } from '@syncacross/sync-core';
import { plural, type Output } from './output.js';

export function describeExcluded(s: SyncSummary, out: Output): void {
  const { local, remote } = s.excluded;
  if (local === 0 && remote === 0) return;
  const parts = [`${local} ${local === 1 ? 'entry' : 'entries'} here`, ...(remote > 0 ? [`${plural(remote, 'change')} from other nodes not applied`] : [])];
  out.info(`  excluded: ${parts.join(', ')} (your patterns: syncacross exclude list)`);
}
