/**
 * The versions a scan creates, kept aside until the packs holding their chunks are written: a
 * version must never be recorded (and later committed) before its content is on the remote.
 * Staged out of memory as they come (staged-versions.ts), and recorded all at once, with the
 * clock and the records of the files they came from.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { supersededOf } from '../../local/superseded-table.js';
import type { StatLike } from '../../local/materialize.js';
import { StagedVersions } from '../../local/staged-versions.js';
import type { LocalRecord, LocalState } from '../../local/state.js';
import type { RoundPolicy } from '../round-policy.js';
import { withHash, type HashedVersion, type Version } from '../../model/version.js';
import { buildTree, CONFLICT_MARK, headsByPath, resolvePath, type Tree, type TreeEntry } from '../merge.js';

export const stripHash = (v: HashedVersion): Version => {
  const { hash: _hash, ...rest } = v;
  return rest;
};

/** What recording new versions reads and writes of the local state. */
export type NewVersionsState = Pick<LocalState, 'allVersions' | 'versionsOf' | 'removeLocal' | 'round' | 'transaction' | 'db'>;

export class NewVersions {
  private readonly staged: StagedVersions;
  /** Versions made (adopted ones not counted). */
  created = 0;
  /**
   * Whether the folder already shows every version made as the tree will once they are recorded
   * (round.ts then needs no materialization): each is a new file at a path no version names, or
   * an edit or a delete of a file whose record holds the one head of its path. Anything else
   * (a folder entry, a conflict copy, a resolved conflict) clears it.
   */
  inPlace = true;
  private superseded: ReadonlySet<string> | undefined;
  private lastNamed: { path: string; named: boolean } | undefined;

  /** Whether a version names `path`. Asked twice for a new file (adoption, then inPlace): the last answer is kept. */
  private named(path: string): boolean {
    if (this.lastNamed?.path !== path) this.lastNamed = { path, named: this.state.versionsOf(path).length > 0 };
    return this.lastNamed.named;
  }
  private hlc: number;
  private heads: Map<string, HashedVersion[]> | undefined;
  private tree: Tree | undefined;

  constructor(
    private readonly state: NewVersionsState,
    readonly writer: string,
    private readonly now: () => number,
  ) {
    this.hlc = state.round.get('hlc');
    this.staged = new StagedVersions(state.db);
  }

  /**
   * The hybrid logical clock: never behind the wall clock, never behind anything seen. Kept in
   * memory during the scan and stored with the versions, in one transaction.
   */
  tick(): number {
    return (this.hlc = Math.max(this.now(), this.hlc + 1));
  }

  /** Heads and tree as recorded before this scan (built once, when first needed). */
  headsOf(path: string): HashedVersion[] {
    return (this.heads ??= headsByPath(this.state.allVersions(), supersededOf(this.state))).get(path) ?? [];
  }
  /**
   * The tree's entry at `path`. A path no version names is in the tree only as a conflict copy:
   * elsewhere there is none, and the whole tree is not merged to find that out (a library of
   * 100,000 files would be, for one new file).
   */
  treeEntry(path: string): TreeEntry | undefined {
    if (!this.tree && !path.includes(CONFLICT_MARK) && !this.named(path)) return undefined;
    return (this.tree ??= buildTree(this.state.allVersions(), supersededOf(this.state))).get(path);
  }
  /** The conflict copy at `path`, if it is one: only a name holding the mark can be (conflictCopyName). */
  conflictCopyAt(path: string): TreeEntry | undefined {
    return path.includes(CONFLICT_MARK) ? this.treeEntry(path) : undefined;
  }

  /** A path no version names (as recorded before this scan), and no conflict copy's name. */
  freshPath(path: string): boolean {
    return !path.includes(CONFLICT_MARK) && !this.named(path);
  }
  /** `hash` is the one head of `path` (as recorded before this scan), a file's, and `path` no conflict copy's name. */
  soleFileHead(path: string, hash: string): boolean {
    if (path.includes(CONFLICT_MARK)) return false;
    const heads = headsByPath(this.state.versionsOf(path), (this.superseded ??= supersededOf(this.state))).get(path) ?? [];
    return heads.length === 1 && heads[0]!.hash === hash && !heads[0]!.deleted && heads[0]!.kind !== 'dir';
  }

  add(v: Version, diskPath?: string, stat?: StatLike): HashedVersion {
    const hv = withHash(v);
    this.staged.add(hv, diskPath, stat);
    this.created++;
    return hv;
  }

  adopt(v: HashedVersion, diskPath: string, stat: StatLike): void {
    this.staged.add(v, diskPath, stat, true);
  }

  /** A delete replacing `parents`, of a path that was a `kind`. */
  addDelete(path: string, parents: string[], kind: Version['kind']): void {
    this.add({ path, parents, hlc: this.tick(), writer: this.writer, deleted: true, kind, size: 0, mtime: 0, chunks: [] });
  }

  /**
   * The delete of what `rec` recorded, gone from `dir`; false where it is a conflict copy, whose
   * deletion resolves its conflict instead. A delete supersedes only what was on this disk (the
   * record), never a version it did not see. Except an empty-folder entry whose folder now holds
   * files: the folder is there, and every entry saying "this folder exists" is answered at once
   * (concurrent entries from several nodes would otherwise be retired one per round, by every node).
   */
  deleteGone(rec: LocalRecord, base: HashedVersion, dir: string, policy: Pick<RoundPolicy, 'deleteParents'>): boolean {
    const copy = this.conflictCopyAt(rec.treePath);
    if (copy?.conflictOf) {
      this.resolveConflict(copy.conflictOf, copy.displaced);
      return false;
    }
    const nowFilled = base.kind === 'dir' && statSync(join(dir, rec.path), { throwIfNoEntry: false })?.isDirectory() === true;
    const dirHeads = nowFilled ? this.headsOf(rec.treePath).filter((h) => !h.deleted && h.kind === 'dir') : [];
    const parents = policy.deleteParents(rec.version, dirHeads, () => this.headsOf(rec.treePath));
    if (this.inPlace) this.inPlace = this.soleFileHead(rec.treePath, rec.version);
    this.addDelete(rec.treePath, parents, base.kind);
    return true;
  }

  /**
   * Deleting or editing a conflict copy resolves the conflict: one version replacing all heads (a
   * delete, for a file displaced by a folder of its name: the folder stays).
   */
  resolveConflict(path: string, displaced?: boolean): void {
    this.inPlace = false;
    if (displaced) {
      const all = this.headsOf(path);
      const live = all.filter((h) => !h.deleted);
      if (live.length > 0)
        this.addDelete(
          path,
          all.map((h) => h.hash),
          live[live.length - 1]!.kind,
        );
      return;
    }
    const current = resolvePath(this.headsOf(path));
    if (!current.winner || current.heads.length < 2) return;
    this.add({ ...stripHash(current.winner), parents: current.heads.map((h) => h.hash), hlc: this.tick(), writer: this.writer });
  }

  /** Records the versions and their files' records, and forgets `removed` records: one transaction. */
  record(removed: string[], resupplied: boolean): void {
    const { state } = this;
    state.transaction(() => {
      if (resupplied) {
        state.round.set('resupply', false);
        state.round.set('doubtfulChunks', []);
      }
      if (this.staged.count > 0) state.round.set('hlc', this.hlc);
      if (this.staged.count > 0) state.round.set('materialize', true); // as for applied segments: crash-proof
      for (const path of removed) state.removeLocal(path);
      this.staged.recordAll();
    });
  }
}
