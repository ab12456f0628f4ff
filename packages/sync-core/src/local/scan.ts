/**
 * The scanner: stat first, hash only what changed. Content is the truth, mtime a hint: a file
 * whose size, mtime, ctime and inode all match the last record is not read; anything else is
 * re-hashed, and a `touch` (new mtime, same content) produces no version.
 */
import { lstatSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { PathRules } from './ignore-rules.js';
import { abortPoint } from '../model/abort.js';
import { libraryPathProblem, nfc } from './paths.js';
import { namesLeftAlone } from './names-left-alone.js';
import { absentMountReason, inIgnoredFolder } from './mount-points.js';
import { isGone, isPathsOwn } from './path-errors.js';

export interface DiskEntry {
  /** Path on disk relative to the library, `/`-separated, as the file system spells it. */
  diskPath: string;
  /** The same path NFC-normalized: the tree path. */
  path: string;
  kind: 'file' | 'dir';
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  exec: boolean;
  /** A `<name>-wal` sits next to it (a SQLite database in WAL mode). */
  hasWal?: boolean;
}

export interface WalkResult {
  entries: Map<string, DiskEntry>; // by diskPath
  skipped: { path: string; reason: string }[];
  /**
   * Disk paths the walk saw but did not enter or read (symbolic links, unreadable folders, devices):
   * what is at or below them is unknown, never absent, so records there are not deletes.
   */
  unseen: Set<string>;
  /**
   * Entries this node's exclude patterns left out (a folder counts once, its content unread);
   * they are in `unseen` too: what is there is not this node's to publish, nor gone.
   */
  excluded: number;
}

/** Whether `diskPath` is one of `unseen` or lies below one of them. */
export function isUnseen(walk: Pick<WalkResult, 'unseen'>, diskPath: string): boolean {
  if (walk.unseen.size === 0) return false;
  for (let i = diskPath.indexOf('/'); i !== -1; i = diskPath.indexOf('/', i + 1)) if (walk.unseen.has(diskPath.slice(0, i))) return true;
  return walk.unseen.has(diskPath);
}

/**
 * `unchanged(diskPath, stat)`: the file is as recorded, so the walk keeps no entry for it (a no-op
 * over 100,000 files held one per file to the end of the walk). Not asked for a database with a
 * WAL: its stat is the pair's (effectiveStat). `followLinks` is only ever true in the simulation's
 * deliberately broken engine (round-policy.ts).
 */
export async function walkLibrary(root: string, rules: PathRules, signal?: AbortSignal, followLinks = false, unchanged?: (diskPath: string, stat: StatLike) => boolean): Promise<WalkResult> {
  const walk = new LibraryWalk(root, rules, signal, followLinks, unchanged);
  // Not there (mount-points.ts): what is below is unknown, not gone, and named once.
  for (const m of rules.absentMounts ?? []) {
    if (inIgnoredFolder(m.path, rules.ignores))
      walk.unseen.add(m.path); // left out anyway: not named
    else walk.notRead(m.path, absentMountReason(m));
  }
  await walk.visit('');
  return { entries: walk.entries, skipped: walk.skipped, unseen: walk.unseen, excluded: walk.left.excluded };
}

class LibraryWalk {
  readonly entries = new Map<string, DiskEntry>();
  readonly skipped: { path: string; reason: string }[] = [];
  readonly unseen = new Set<string>();
  readonly left = { unseen: this.unseen, excluded: 0 };
  // Each file's path to stat, joined by hand: path.join normalizes every one of 100,000 paths,
  // which names read from the disk (no `/`, never `.` or `..`) do not need.
  private readonly base: string;
  /** Absent mount points' paths, when there are any. */
  private readonly absent?: Set<string>;

  constructor(
    private readonly root: string,
    private readonly rules: PathRules,
    private readonly signal: AbortSignal | undefined,
    private readonly followLinks: boolean,
    private readonly unchanged: ((diskPath: string, stat: StatLike) => boolean) | undefined,
  ) {
    this.base = join(root, '/');
    if (rules.absentMounts?.length) this.absent = new Set(rules.absentMounts.map((m) => m.path));
  }

  /** Walks the folder `rel`; answers how many of its entries are there to keep it from being an empty folder. */
  async visit(rel: string): Promise<number> {
    await abortPoint(this.signal); // a folder at a time: a walk of a huge tree stops on Ctrl-C
    const { root, rules } = this;
    const names = readFolder(root, rel);
    if (typeof names === 'string') {
      this.notRead(rel, names);
      return 1; // not empty as far as anyone knows
    }
    const [present, leftAlone] = [new Set(names.map((d) => d.name)), namesLeftAlone(root, rel, names)];
    let kept = 0;
    for (const d of names) {
      const diskPath = rel ? `${rel}/${d.name}` : d.name;
      if (this.absent?.has(diskPath)) {
        kept++; // an empty mount point: named already, and not an empty folder to publish
        continue;
      }
      const target = this.followLinks && d.isSymbolicLink() ? statSync(join(root, diskPath), { throwIfNoEntry: false }) : undefined;
      const isDir = target ? target.isDirectory() : d.isDirectory();
      if (rules.ignores(isDir ? `${diskPath}/` : diskPath) && (await leaveOut(root, diskPath, isDir, rules, this.left))) continue;
      const path = nfc(diskPath);
      const problem = leftAlone?.get(d.name) ?? libraryPathProblem(path);
      if (problem) {
        this.skipped.push({ path: diskPath, reason: problem });
        if (leftAlone?.has(d.name)) kept++; // there, only not synced by this name: its folder is not empty
        continue;
      }
      kept++; // anything else here, even unseen or unchanged, keeps its folder from being published as empty (and retired by the others, every round)
      if (d.isSymbolicLink() && !target) this.notRead(diskPath, 'symbolic links are not synced');
      else if (isDir) {
        if ((await this.visit(diskPath)) === 0) this.emptyFolder(diskPath, path);
      } else if (d.isFile() || target?.isFile()) this.file(diskPath, path, target, present.has(`${d.name}-wal`));
      else this.notRead(diskPath, 'not a regular file');
    }
    return kept;
  }

  /** Empty folders are entries of their own, so they survive a round trip. */
  private emptyFolder(diskPath: string, path: string): void {
    const s = statOrWhyNot(join(this.root, diskPath), statSync);
    if (typeof s === 'string') return this.notRead(diskPath, s);
    this.entries.set(diskPath, { diskPath, path, kind: 'dir', size: 0, mtimeMs: 0, ctimeMs: 0, ino: s.ino, exec: false });
  }

  private file(diskPath: string, path: string, target: Stats | undefined, hasWal: boolean): void {
    // Synchronous on purpose (readdir too): tens of thousands of stats cost far more as
    // thread-pool round trips than the few microseconds each blocks the event loop.
    const s = target ?? statOrWhyNot(`${this.base}${diskPath}`, lstatSync);
    if (typeof s === 'string') return this.notRead(diskPath, s);
    if (!hasWal && this.unchanged?.(diskPath, s)) return;
    this.entries.set(diskPath, { diskPath, path, kind: 'file', size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino, exec: (s.mode & 0o111) !== 0, hasWal });
  }

  /**
   * Seen but not read (a link, a device, a folder denied, a path gone since its folder was listed):
   * named, and unseen, so its record (what is below it too) is not taken for a deletion.
   */
  notRead(diskPath: string, reason: string): void {
    this.skipped.push({ path: diskPath, reason });
    this.unseen.add(diskPath);
  }
}

/**
 * A path the rules leave out (the caller tests the rules: an await per file of 100,000 cost more
 * than the test). Left out is not deleted: it is marked unseen, so a synced file that a pattern now
 * covers keeps its record (no delete is published). Always true.
 */
async function leaveOut(root: string, diskPath: string, isDir: boolean, rules: PathRules, left: { unseen: Set<string>; excluded: number }): Promise<true> {
  left.unseen.add(diskPath);
  if (rules.excludes(isDir ? `${diskPath}/` : diskPath)) left.excluded++;
  await removeOrphanedTemp(root, diskPath, diskPath.slice(diskPath.lastIndexOf('/') + 1));
  return true;
}

/**
 * A folder's entries, or why it cannot be listed (below the root only: an unreadable or missing
 * root is an error). A folder on a failing disk (EIO) or denied to this account is named and the
 * rest syncs.
 */
function readFolder(root: string, rel: string): Dirent[] | string {
  try {
    return readdirSync(rel ? join(root, rel) : root, { withFileTypes: true });
  } catch (e) {
    const reason = rel ? whyNotRead(e, 'the folder cannot be read', 'the folder cannot be read (permission denied)') : undefined;
    if (reason === undefined) throw e;
    return reason;
  }
}

/**
 * Why a path listed by the scan is not synced when it was gone by the time it was read. Its record
 * stays until a round that sees the folder without it: the same words as a file removed while its
 * content was read (local-changes.ts).
 */
const REMOVED_WHILE_SCANNED = 'it was removed while the folder was being scanned; left for the next sync';

/**
 * Why a path the walk could not list or stat is not synced, or undefined when the error is not the
 * path's (it ends the round). A folder that may be listed but not entered (mode 644, from a
 * `chmod -R 644`) has names whose stat is denied: that ended the whole sync with EACCES before.
 */
function whyNotRead(e: unknown, what: string, denied: string): string | undefined {
  if (!isPathsOwn(e)) return undefined;
  if (isGone(e.code)) return REMOVED_WHILE_SCANNED;
  if (e.code === 'EACCES' || e.code === 'EPERM') return denied;
  return `${what} (${e.code}); left for the next sync`;
}

/** `stat(path)`, or why it cannot be had (gone since it was listed, denied, a disk error). */
function statOrWhyNot(path: string, stat: typeof lstatSync): Stats | string {
  try {
    return stat(path);
  } catch (e) {
    // A stat needs search permission on the folders above, never the file's own.
    const reason = whyNotRead(e, 'its details cannot be read', 'it cannot be read (permission denied: its folder may be listed but not entered)');
    if (reason === undefined) throw e;
    return reason;
  }
}

/** A temporary file left by a materialization that was killed: remove it once its process is gone. */
async function removeOrphanedTemp(root: string, diskPath: string, name: string): Promise<void> {
  const m = /\.syncacross-tmp-(\d+)$/.exec(name);
  if (!m) return;
  const pid = Number(m[1]);
  if (pid === process.pid) return;
  try {
    process.kill(pid, 0);
    return; // still running
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPERM') return;
  }
  await unlink(join(root, diskPath)).catch(() => undefined);
}

/** SQLite keeps recent writes in `-wal` without touching the main file: fold it into the stat. */
export async function effectiveStat(root: string, e: DiskEntry): Promise<DiskEntry> {
  // Only where the directory listing showed a -wal: one stat per database, not one per file.
  if (e.kind !== 'file' || e.hasWal === false) return e;
  const wal = statSync(join(root, `${e.diskPath}-wal`), { throwIfNoEntry: false });
  if (!wal) return e;
  return { ...e, size: e.size + wal.size, mtimeMs: Math.max(e.mtimeMs, wal.mtimeMs), ctimeMs: Math.max(e.ctimeMs, wal.ctimeMs) };
}

/**
 * ctime of a SQLite database changes whenever a connection opens it (SQLite adjusts its files),
 * so database records store ctime -1: "do not compare"; their content is compared instead when
 * size or mtime (of the database or its WAL) move.
 */
export const IGNORE_CTIME = -1;

/**
 * A file changed within the last moments may change again within the file system's timestamp
 * granularity with the same size: its stat would then look unchanged (git's "racily clean"
 * problem). Such records store ctime RACY, which never matches, so the next scan re-hashes them.
 */
export const RACY = -2;
const RACY_WINDOW_MS = 2000;

export function recordStat(s: StatLike, now = Date.now()) {
  // Only mtime matters: a later same-size write keeps mtime only if it lands in the same granule.
  const racy = now - s.mtimeMs < RACY_WINDOW_MS;
  return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: racy && s.ctimeMs !== IGNORE_CTIME ? RACY : s.ctimeMs, ino: s.ino };
}

export interface StatLike {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** `a` against a stat given field by field (recorded-stats.ts keeps the records' in one array). */
export const sameStatAs = (a: StatLike, size: number, mtimeMs: number, ctimeMs: number, ino: number) =>
  a.size === size && a.mtimeMs === mtimeMs && (a.ctimeMs === ctimeMs || a.ctimeMs === IGNORE_CTIME || ctimeMs === IGNORE_CTIME) && a.ino === ino;

export const sameStat = (a: StatLike, b: StatLike) => sameStatAs(a, b.size, b.mtimeMs, b.ctimeMs, b.ino);
