/**
 * The invariants of a disk that does not tell upper and lower case apart (case-insensitive-disk.ts).
 * Two paths of the tree that differ only in case somewhere on the way (`a.txt` and `A.txt`,
 * `d/c.txt` and `D/c.txt`) cannot both be on such a disk: the engine writes one and reports the
 * other by name. It must never write one over the other, nor publish the survivor as an edit or a
 * delete of the other, and the nodes whose disks tell case apart keep both.
 */
import type { Library, SyncSummary } from '@syncacross/sync-core';
import type { HashedVersion } from '../../packages/sync-core/src/model/version.js';
import { caseKey } from './case-insensitive-disk.js';
import { contentChunks } from './invariants.js';

/** `a`, `a/b`, `a/b/c.txt` for `a/b/c.txt`. */
const namesOnTheWay = (path: string) => path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));

/** The paths some name on the way of which is spelled differently on the way of another path. */
export function caseClashing(paths: Iterable<string>): Set<string> {
  const spellings = new Map<string, Set<string>>();
  const all = [...paths];
  for (const p of all) for (const n of namesOnTheWay(p)) spellings.set(caseKey(n), (spellings.get(caseKey(n)) ?? new Set()).add(n));
  return new Set(all.filter((p) => namesOnTheWay(p).some((n) => spellings.get(caseKey(n))!.size > 1)));
}

/**
 * 10. For each path of the tree that clashes in case: every node whose disk tells case apart holds
 * the same content there as the others; a case-insensitive node holds it under that exact name
 * with the tree's content (never its twin's), or, when its disk holds another spelling of a name
 * on the way, names it in its last round's report. Nothing is excused in silence, nor beyond what
 * the disk really cannot hold. A path whose head's content was lost on every side (§7.1) no disk
 * can hold: it too is reported (seeds 1896, 2388: a Mac's long name and a conflict copy under
 * `d/`, while the tree also had `D/c.txt`, were found missing though their nodes reported them).
 */
export function checkCaseClashes(
  libs: Map<string, Library>,
  disks: Map<string, Record<string, string>>,
  foldsCase: (node: string) => boolean,
  last: Map<string, SyncSummary>,
  /** Whether that node's disk holds another spelling of some name on the way to the path. */
  twinOnDisk: (node: string, path: string) => boolean,
  /** Whether that node's disk holds a folder under exactly that spelling (an empty folder's entry). */
  heldFolder: (node: string, path: string) => boolean,
  /** Paths some node holds a link in the way of: left out of comparing the other disks. */
  linked: (path: string) => boolean,
  /** Paths whose head's content is held nowhere: no node can write them, each reports them. */
  contentLost: (path: string) => boolean,
  /**
   * Where that node's disk holds the path: under its own spelling, or under the one its disk gave
   * a folder on the way, as the node recorded it (a folder `D/` the user made while `d/e/f.txt`
   * was being written: the file landed in `D/e/`, seed 44541); undefined where it holds none.
   */
  heldAt: (node: string, path: string) => string | undefined = (node, path) => (path in disks.get(node)! ? path : undefined),
): string[] {
  const problems: string[] = [];
  const [, lib] = [...libs.entries()][0]!;
  const clashing = caseClashing(lib.tree().keys());
  const sensitive = [...disks].filter(([name]) => !foldsCase(name));
  const [refName, ref] = sensitive[0] ?? ['', {}];
  for (const path of clashing) {
    for (const [name, disk] of disks) {
      if (!foldsCase(name)) {
        if (linked(path)) continue;
        if (disk[path] !== ref[path]) problems.push(`${name} holds ${JSON.stringify(disk[path])} at ${path}, ${refName} ${JSON.stringify(ref[path])} (both tell case apart)`);
        continue;
      }
      const at = heldAt(name, path);
      if (at !== undefined || heldFolder(name, path)) {
        if (at !== undefined && path in ref && !linked(path) && disk[at] !== ref[path])
          problems.push(`${name} (case-insensitive) holds ${JSON.stringify(disk[at])} at ${at}, where the tree has ${JSON.stringify(ref[path])} at ${path}: one spelling written over the other`);
        continue;
      }
      const lost = contentLost(path);
      if (!twinOnDisk(name, path) && !lost) {
        problems.push(`${name} (case-insensitive) does not hold ${path}, though nothing on its disk is spelled otherwise on the way`);
        continue;
      }
      const said = [...(last.get(name)?.errors ?? []), ...(last.get(name)?.skipped ?? []).map((s) => `${s.path}: ${s.reason}`)];
      const why = lost ? 'whose content was lost on every side' : 'which clashes in case with another path';
      if (!said.some((m) => m.includes(path))) problems.push(`${name} (case-insensitive) neither holds nor reports ${path}, ${why}`);
    }
  }
  return problems;
}

/**
 * 11. A case-insensitive node publishes a file at a path that has a twin in case only with content
 * its user wrote under that very spelling: never the survivor of a clash as an edit of the other.
 * (Its deletes are the user's: checkOnlyUserDeletes.)
 */
export function checkNoEditOfTwin(versions: HashedVersion[], nodes: { foldsCase: boolean; writers: Set<string>; writes: { path: string; content: string | null }[] }[]): string[] {
  const problems: string[] = [];
  const twins = caseClashing(new Set(versions.map((v) => v.path)));
  for (const v of versions) {
    if (v.deleted || v.kind === 'dir' || !twins.has(v.path)) continue;
    const authors = nodes.filter((n) => n.writers.has(v.writer));
    if (!authors.some((n) => n.foldsCase)) continue;
    const wrote = authors.some((n) => n.writes.some((w) => w.path === v.path && w.content !== null && contentChunks(w.content).join() === v.chunks.join()));
    if (!wrote) problems.push(`${v.writer} (case-insensitive) published ${v.path} (${v.hash.slice(0, 8)}) with content its user never wrote there: a case twin's file taken for it`);
  }
  return problems;
}

/**
 * The other spelling under which a case-insensitive node recorded `path`, where its disk holds a
 * file there: a folder on the way spelled otherwise on that disk. Undefined where there is none.
 */
export function recordedSpelling(lib: Library, disk: Record<string, string>, path: string): string | undefined {
  for (const rec of lib.state.localRecords().values()) if (rec.treePath === path && rec.path !== path && caseKey(rec.path) === caseKey(path) && rec.path in disk) return rec.path;
  return undefined;
}
