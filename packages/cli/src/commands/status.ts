/** `syncacross status [DIR]`: what this library knows, without contacting the remote. */
import type { UnsyncedChanges } from '@syncacross/sync-core';
import { withLibrary } from '../library-session.js';
import { formatBytes, type Output } from '../output.js';
import { maskOptions } from '../secrets.js';
import { watchState, type WatchState } from '../watch-socket.js';

export async function statusCommand(dir: string | undefined, out: Output): Promise<number> {
  return withLibrary(dir, out, { online: false }, async ({ root, config, adapter, library }) => {
    const st = library.status();
    // A running watch counts the folders where it saw a disk mounted as mount points: their files,
    // the disk gone, are not removed for it, nor here (before, status listed them all as removed).
    const watch = await watchState(root);
    const unsynced = await library.unsyncedChanges(watch.running && watch.seenMounted ? { seenByWatch: watch.seenMounted } : {});
    const options = maskOptions(adapter.module, config.options);
    out.info(`library      ${root}`);
    out.info(`remote       ${config.remote} (adapter ${config.adapter})`);
    out.info(`options      ${JSON.stringify(options)}`);
    const { format, encrypted } = library.format;
    out.info(`repository   ${st.repository}`);
    out.info(
      `format       ${format}${format === 1 ? ' (readable by releases before 0.2; not compressed, not encrypted)' : ` (compressed${encrypted ? ', encrypted end to end: every node needs the passphrase or a remembered key' : ', not encrypted'}${format === 2 ? '; made by an earlier release: its history cannot be collected' : format === 3 ? '; made by an earlier release: its history is collected, never pruned (`syncacross upgrade` for a retention policy)' : ''})`}`,
    );
    out.info(`writer       ${st.writer}`);
    out.info(`files        ${st.files}`);
    out.info(`conflicts    ${st.conflicts.length}${st.conflicts.length > 0 ? ' (see `syncacross conflicts`)' : ''}`);
    out.info(`pending      ${st.pendingVersions} versions, ${st.unuploadedSegments} segments not yet uploaded`);
    if (st.staged.packs > 0) out.info(`staged       ${formatBytes(st.staged.bytes)} in ${st.staged.packs} packs here, waiting for the remote (they go up at the next sync)`);
    if (st.corruptSegments.length > 0) out.info(`corrupt      ${st.corruptSegments.length} remote segments skipped: ${st.corruptSegments.join(', ')}`);
    out.info(`last sync    ${st.lastSync ?? 'never'}`);
    printWatch(watch, out);
    printUnsynced(unsynced, out);
    out.result({ command: 'status', library: root, adapter: config.adapter, ...st, format, encrypted, remote: config.remote, options, watch, unsynced });
    return 0;
  });
}

/** Whether a `syncacross watch` of this library runs, and the folders it counts as mount points. */
function printWatch(watch: WatchState, out: Output): void {
  if (!watch.running) return out.info('watch        none running (changes sync at the next `syncacross sync`)');
  out.info('watch        running: it syncs changes as they happen');
  if (!watch.seenMounted)
    out.info('  it did not say which folders it counts as mount points (busy, or an earlier release): files of a disk it saw mounted may show below as removed, which it does not delete');
  else if (watch.seenMounted.length > 0)
    out.info(`  it saw a disk mounted at ${watch.seenMounted.join(', ')}, not a mount point of the library: while it runs, that counts as one (\`syncacross mount-point add\` keeps it so)`);
}

/** Each list's first paths printed; --json has them all. */
const SHOWN = 20;

/** The folder's changes since the last sync, and what a sync would leave alone, as `git status` names them. */
function printUnsynced(u: UnsyncedChanges, out: Output): void {
  const kinds = [
    ['new', u.added],
    ['changed', u.changed],
    ['removed', u.removed],
  ] as const;
  const total = u.added.length + u.changed.length + u.removed.length;
  if (total === 0) out.info('local        no change since the last sync');
  else {
    const counts = kinds.filter(([, paths]) => paths.length > 0).map(([kind, paths]) => `${paths.length} ${kind}`);
    out.info(`local        ${total} not synced yet: ${counts.join(', ')} (by size and time; \`syncacross sync -n\` shows what a sync would do)`);
    for (const [kind, paths] of kinds) listed(paths, kind, out);
    if (u.deletionsHeld)
      out.info('  so many removed at once that a sync holds their deletions back (exit 8), unless their files were moved within the library; `syncacross sync --confirm-deletions` publishes them');
  }
  if (u.notSynced.length > 0) {
    out.info(`not synced   ${u.notSynced.length} left alone by a sync (it names them too):`);
    listed(
      u.notSynced.map((s) => `${s.path}: ${s.reason}`),
      '',
      out,
    );
  }
}

function listed(lines: readonly string[], label: string, out: Output): void {
  for (const line of lines.slice(0, SHOWN)) out.info(`  ${label.padEnd(9)}${line}`);
  if (lines.length > SHOWN) out.info(`  ${''.padEnd(9)}… and ${lines.length - SHOWN} more (--json lists them all)`);
}
