/**
 * Materializing on a disk that does not tell upper and lower case apart (materialize-tree.ts):
 * which spelling of a name the tree spells several ways is written, and which are reported.
 */
import { caseKey, diskSpeller } from '../../local/fs-probe.js';
import type { LocalRecord } from '../../local/state.js';
import { chunkLocations } from '../chunk-locations.js';
import type { Tree, TreeEntry } from '../merge.js';
import type { StepContext } from '../round-context.js';
import type { StepReport } from '../sync-summary.js';
import type { MaterializeState } from './write-versions.js';

/** What choosing spellings needs of a materialization. */
export interface TwinsTarget {
  readonly ctx: StepContext<MaterializeState>;
  readonly tree: Tree;
  readonly byTree: Map<string, LocalRecord>;
  readonly report: StepReport;
  complete: boolean;
  sourceOf(e: TreeEntry): { abs: string } | undefined;
}

/**
 * On a disk that does not tell case apart, paths differing only in case (made on a Linux node)
 * would be written to one file, each overwriting the other, and the scan would then publish the
 * survivor as an edit of the other. Folders alike: `docs/b.txt` would land in `Docs/` and be
 * scanned back as `Docs/b.txt`, a rename nobody made. For each name (a file, or a folder on the
 * way to one) one spelling is written: the one already on disk (or before this round's removals,
 * `spelledBefore`), else one whose content this node can get, first in code-point order; paths
 * through another spelling are reported and left to the nodes that can hold them.
 */
export function oneNamePerFile(m: TwinsTarget, todo: TreeEntry[], spelledBefore: Map<string, string> | undefined): TreeEntry[] {
  const heldNowhere = contentHeldNowhere(m, todo);
  const rank = (p: string) => (m.byTree.has(p) ? 0 : heldNowhere.has(p) ? 2 : 1);
  const paths = [...m.tree.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const kept = spellingsOnDisk(m.ctx.dir, paths);
  for (const [key, name] of spelledBefore ?? []) if (!kept.has(key)) kept.set(key, name);
  const spelled = recordedSpellings(m, paths);
  for (const p of paths) {
    for (const name of namesOnTheWay(spelled(p))) {
      const keeper = kept.get(caseKey(name));
      if (keeper === undefined) kept.set(caseKey(name), name);
      // A path through a folder spelled otherwise is not written: it claims no name below it
      // (`D/c.txt`, not written for `d/`, must not keep `d/c.txt` out).
      else if (keeper !== name) break;
    }
  }
  return todo.filter((e) => {
    const clash = namesOnTheWay(spelled(e.path)).find((name) => kept.get(caseKey(name)) !== name);
    if (clash === undefined) return true;
    const keeper = kept.get(caseKey(clash))!;
    // The keeper of a folder's name on the way may be a file (`d/e` keeping `d/E/f.txt` out).
    const keeperIsFile = (m.tree.get(keeper)?.version.kind ?? 'dir') !== 'dir';
    const what = clash === e.path || keeperIsFile ? keeper : `the folder ${keeper}`;
    m.report.errors.push(`could not write ${e.path}: ${what} is the same name on this disk, which does not tell upper and lower case apart; tried again next sync`);
    m.complete = false; // once the other is gone (deleted or renamed), this one is written
    return false;
  });
}

/**
 * The spelling each path is written under: its record's, where the file is already on disk under
 * another case of its folders (`d/e/f.txt` written into the `D/` the user made, seed 44541), as
 * writeEntry writes it there; else the tree's. A later version of such a file goes into it in
 * place, though the tree spells its folder twice (`D/c.txt` came meanwhile): reported instead,
 * the file stayed an old version there for good (seed 83661 of the case-insensitive simulation).
 * Not where another path of the tree folds to the same name: the twins' rule decides those.
 */
function recordedSpellings(m: TwinsTarget, paths: string[]): (path: string) => string {
  const folded = new Map<string, number>();
  for (const p of paths) folded.set(caseKey(p), (folded.get(caseKey(p)) ?? 0) + 1);
  return (p) => {
    const onDisk = m.byTree.get(p)?.path;
    return onDisk !== undefined && onDisk !== p && caseKey(onDisk) === caseKey(p) && folded.get(caseKey(p)) === 1 ? onDisk : p;
  };
}

/**
 * Entries to write, among those whose names the tree spells several ways, that this node can
 * get the content of nowhere: no local copy, and a chunk with no known location (its pack lost,
 * its author's copy gone too). Such a spelling cannot be written, so it must not keep out the
 * other, whose content is here to write: the disk would hold neither, and the other's edit would
 * be reported as blocked by a file that is not there (seeds 16747, 17659 of the case-insensitive
 * simulation: `d/C.txt` so lost kept `d/c.txt` off the exFAT disk at every round). Once the
 * other is written, it is on disk and keeps the name even if the content comes back.
 */
function contentHeldNowhere(m: TwinsTarget, todo: TreeEntry[]): Set<string> {
  const spellings = spellingsOf([...m.tree.keys()]);
  const twinned = (p: string) => namesOnTheWay(p).some((name) => spellings.get(caseKey(name))!.size > 1);
  const unlocated = (h: string) => chunkLocations(m.ctx.state, h).length === 0;
  return new Set(todo.filter((e) => e.version.kind !== 'dir' && twinned(e.path) && !m.sourceOf(e) && e.version.chunks.some(unlocated)).map((e) => e.path));
}

/**
 * Names the tree spells more than one way, kept as the disk already spells them where it holds
 * one of them: a folder records do not name (an empty-folder entry, one left from a rename)
 * still takes every path through any spelling of it (seed 1326 of the case-insensitive
 * simulation: `d/E/f.txt` written into `d/e/` was scanned back as a rename nobody made).
 */
export function spellingsOnDisk(dir: string, paths: string[]): Map<string, string> {
  const kept = new Map<string, string>();
  const spelled = diskSpeller(dir);
  for (const [key, names] of spellingsOf(paths)) {
    if (names.size < 2) continue;
    const onDisk = spelled([...names][0]!);
    if (onDisk !== undefined && names.has(onDisk)) kept.set(key, onDisk);
  }
  return kept;
}

/** Every spelling of each name on the way to `paths`, by its case-folded key. */
function spellingsOf(paths: string[]): Map<string, Set<string>> {
  const spellings = new Map<string, Set<string>>();
  for (const p of paths) for (const name of namesOnTheWay(p)) spellings.set(caseKey(name), (spellings.get(caseKey(name)) ?? new Set()).add(name));
  return spellings;
}

/** `a`, `a/b`, `a/b/c.txt` for `a/b/c.txt`: each folder on the way, then the path itself. */
function namesOnTheWay(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}
