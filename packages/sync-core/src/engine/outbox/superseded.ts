/**
 * Above the staging limit only the newest version of a file is kept staged (docs/PROTOCOL.md
 * §7.2): the offline versions a newer one replaces give up their staged content, and leave the
 * pending set. They were never uploaded (a pending version of this writer was never journaled), so
 * no other node knows them, and the versions after them are recorded again with the parents the
 * dropped ones had: the history skips them, and the newest version still descends from what the
 * other nodes know, so no conflict copy appears. Every drop is counted in the round state until it
 * is told (`takeUntoldDrops`): never skipped in silence.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalRecord, LocalState } from '../../local/state.js';
import { sameStat } from '../../local/scan.js';
import { withHash, type HashedVersion } from '../../model/version.js';
import { stripHash } from '../steps/new-versions.js';
import { compactOutbox, type CompactionState } from './outbox-compaction.js';
import type { OutboxStorage } from './outbox-storage.js';

/** What choosing and dropping superseded versions reads and writes of the local state. */
export type SupersededState = Pick<LocalState, 'db' | 'addVersion' | 'localRecords' | 'pendingVersions' | 'putLocal' | 'removeLocal' | 'round' | 'transaction'>;

/**
 * Which superseded versions to give up, least history lost first:
 * - `intermediate`: a newer pending version of the path (not a delete) names it as a parent;
 * - `replaced-on-disk`: the newest pending version of a file whose copy on disk changed since it
 *   was taken: the capture takes the file as it is now, with this version's parent.
 */
export type SupersededKind = 'intermediate' | 'replaced-on-disk';

/**
 * This writer's pending versions of `kind` that hold content staged only in the outbox (`staged`).
 * A delete, a folder, and the last content of a file deleted offline (its only copy) are never chosen.
 */
function supersededVersions(state: SupersededState, dir: string, kind: SupersededKind, staged: (chunk: string) => boolean): HashedVersion[] {
  const writer = state.round.get('writer');
  const pending = state.pendingVersions();
  const liveChild = new Set(pending.filter((v) => !v.deleted).flatMap((v) => v.parents));
  const records = new Map<string, LocalRecord[]>();
  for (const r of state.localRecords().values()) records.set(r.version, [...(records.get(r.version) ?? []), r]);
  return pending.filter((v) => {
    if (v.writer !== writer || v.deleted || v.kind === 'dir' || !v.chunks.some(staged)) return false;
    const recs = records.get(v.hash) ?? [];
    // A version some record names is what the disk held last: only the disk can say it is replaced.
    if (kind === 'intermediate') return liveChild.has(v.hash) && recs.length === 0;
    // One parent at most: the record then names that parent (or none), and the scan takes the file from there.
    return !liveChild.has(v.hash) && v.parents.length <= 1 && recs.length > 0 && recs.every((r) => r.path === v.path && r.treePath === v.path && changedOnDisk(dir, r));
  });
}

/** The file is there and is not what its record says (gone: the delete is its newest version, its last content is kept). */
function changedOnDisk(dir: string, rec: LocalRecord): boolean {
  const st = statSync(join(dir, rec.path), { throwIfNoEntry: false });
  if (!st?.isFile()) return false;
  // A live database is its file and its -wal together, as the scan stats it (local/scan.ts effectiveStat).
  const wal = statSync(join(dir, `${rec.path}-wal`), { throwIfNoEntry: false });
  const now = wal
    ? { size: st.size + wal.size, mtimeMs: Math.max(st.mtimeMs, wal.mtimeMs), ctimeMs: Math.max(st.ctimeMs, wal.ctimeMs), ino: st.ino }
    : { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
  return !sameStat(now, rec);
}

/**
 * Drops `versions` from the pending set, in one transaction: each pending version that named one
 * of them as a parent is recorded again with the dropped one's parents instead (and so on down
 * the chain: a new hash is a new parent), records follow their version (a record naming a dropped
 * version names its parent, or none for a file new offline, so the scan takes the file again),
 * and the drops join those not told yet (unless `tell` is false: the caller tells why).
 */
export function dropPending(state: SupersededState, versions: HashedVersion[], tell = true): void {
  if (versions.length === 0) return;
  const drop = new Set(versions.map((v) => v.hash));
  // A child is always made after its parent here: in clock order, parents are settled first.
  const pending = state.pendingVersions().sort((a, b) => a.hlc - b.hlc);
  const replaced = new Map<string, string[]>();
  const rewritten: { old: string; now: HashedVersion }[] = [];
  const resolve = (h: string) => replaced.get(h) ?? [h];
  for (const v of pending) {
    const parents = [...new Set(v.parents.flatMap(resolve))].sort();
    if (drop.has(v.hash)) replaced.set(v.hash, parents);
    else if (parents.join() !== [...v.parents].sort().join()) {
      const now = withHash({ ...stripHash(v), parents });
      replaced.set(v.hash, [now.hash]);
      rewritten.push({ old: v.hash, now });
    }
  }
  const forget = state.db.prepare('DELETE FROM versions WHERE hash = ? AND segment IS NULL');
  const follow = state.db.prepare('UPDATE local SET version = ? WHERE version = ?');
  state.transaction(() => {
    for (const h of drop) forget.run(h);
    for (const { old, now } of rewritten) {
      forget.run(old);
      state.addVersion(now, null);
      follow.run(now.hash, old);
    }
    for (const r of state.localRecords().values()) {
      if (!drop.has(r.version)) continue;
      const to = resolve(r.version);
      if (to.length === 0) state.removeLocal(r.path);
      else state.putLocal({ ...r, version: to[0]! }); // one parent at most (supersededVersions)
    }
    if (tell) state.round.set('outboxDropped', [...state.round.get('outboxDropped'), ...versions.map((v) => v.path)]);
  });
}

/** How many dropped versions, of how many files. */
export interface DropCount {
  versions: number;
  files: number;
}

export const countDrops = (paths: string[]): DropCount => ({ versions: paths.length, files: new Set(paths).size });

/** The drops not told yet, now told: the caller says them to the user. */
export function takeUntoldDrops(state: Pick<LocalState, 'round'>): DropCount {
  const paths = state.round.get('outboxDropped');
  if (paths.length > 0) state.round.set('outboxDropped', []);
  return countDrops(paths);
}

/** The drops as a person reads them ('' : none). */
export function describeDrops(d: DropCount): string {
  if (d.versions === 0) return '';
  return `${d.versions} earlier offline version(s) of ${d.files} file(s) were dropped to stay within the staging limit (--staging-limit): only the newest version of a file is kept staged`;
}

/**
 * Drops this writer's superseded versions of `kind` that hold staged content, then frees what
 * nothing needs any more (compaction spares the packs the capture under way wrote). Returns the
 * versions dropped and the bytes freed.
 */
export async function evictSuperseded(
  ctx: { dir: string; state: SupersededState & CompactionState },
  outbox: OutboxStorage,
  kind: SupersededKind,
): Promise<{ dropped: HashedVersion[]; freed: number }> {
  const { state } = ctx;
  const inOutbox = new Set(outbox.contents().packs.map((p) => p.key));
  const locations = state.db.prepare('SELECT pack FROM chunk_locations WHERE hash = ?');
  // Content only the outbox holds: a chunk with a location elsewhere is on the remote already.
  const staged = (chunk: string) => {
    const packs = locations.all(chunk) as { pack: string }[];
    return packs.length > 0 && packs.every((p) => inOutbox.has(p.pack));
  };
  const dropped = supersededVersions(state, ctx.dir, kind, staged);
  dropPending(state, dropped);
  return { dropped, freed: await compactOutbox(state, outbox, new Set(outbox.written.keys())) };
}
