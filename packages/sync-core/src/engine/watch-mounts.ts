/**
 * A watch's look, every few seconds, at the library's mount points (local/mount-points.ts) and,
 * on Linux, at the disks mounted inside it (local/mounts-inside.ts). No file-system event says a
 * disk was mounted or unmounted: without this, what waited for a disk was written only at the next
 * look at the remote, and what was changed on it elsewhere only at the next full rescan (10
 * minutes); and, the events of a disk mounted after the watch started never arriving (watch.ts,
 * `mountsChanged`), every later edit on it waited for a rescan too.
 */
import { loadPathRules, type ExcludeOption } from '../local/ignore-rules.js';
import { absentMountPoints, inIgnoredFolder, mountPointProblem, mountPointsNow, type AbsentMountPoint, type MountPointsOption } from '../local/mount-points.js';
import { mountsInside } from '../local/mounts-inside.js';

/** What the watch is told: what to say, and whether a round should look now (a disk that came, or a mount point that went). */
export interface MountsChange {
  messages: string[];
  round: boolean;
}

/** What a mount point coming (`found` undefined) or going is said as. */
const declaredChange = (path: string, found: AbsentMountPoint['found'] | undefined): string =>
  found ? `mount point ${path} is not there (${found}): nothing below it syncs until it is back` : `mount point ${path} is there: a round looks at it now`;

/**
 * What a disk mounted, there at the start, or unmounted inside the library, at a folder that is not
 * one of its mount points, is said as. Its going would look like the deletion of its files (a round
 * holds back a deletion of most of the library only): while the watch runs, such a folder counts
 * as a mount point (`seenMounted`), and `mount-point add` makes it one for good.
 */
const undeclaredChange = (path: string, now: 'mounted' | 'there' | 'unmounted'): string => {
  const add = `\`syncacross mount-point add ${path}\``;
  if (now === 'unmounted')
    return `the disk mounted at ${path}, inside the library, was unmounted: while this watch runs, ${path} counts as a mount point, so its files are not taken for deleted (${add} keeps it so for good)`;
  return `a disk ${now === 'mounted' ? 'was mounted' : 'is mounted'} at ${path}, inside the library, and is not one of its mount points: its files sync as the library's; this watch keeps them if it is unmounted, but a sync without the disk would take them for deleted unless it is made one (${add})`;
};

interface Look {
  listed: readonly string[];
  absent: Map<string, AbsentMountPoint['found']>;
  /** Disks mounted inside the library (undefined: not known here). */
  inside: readonly string[] | undefined;
}

export class MountWatch {
  private readonly timer: NodeJS.Timeout;
  private last: Look;
  private busy = false;
  /** Folders (not mount points of the library) where a disk was seen mounted while this watch ran. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly library: { readonly dir: string; readonly mountPoints?: MountPointsOption; readonly exclude?: ExcludeOption },
    pollMs: number,
    private readonly changed: (change: MountsChange) => Promise<void>,
  ) {
    this.last = this.look();
    this.remember(this.last);
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  /** What to say when the watch starts: the disks mounted in the library at folders that are not its mount points. */
  atStart(): string[] {
    return (this.last.inside ?? []).filter((path) => !this.last.listed.includes(path)).map((path) => undeclaredChange(path, 'there'));
  }

  /** The folders where this watch saw a disk mounted that are not mount points of the library: each round counts them as mount points. */
  seenMounted(): string[] {
    return [...this.seen].filter((path) => !this.last.listed.includes(path)).sort();
  }

  private remember(look: Look): void {
    for (const path of look.inside ?? []) if (!look.listed.includes(path)) this.seen.add(path);
  }

  /** The mount points listed now (a list that cannot be read counts as none: the round reports it), those not there, and the disks inside. */
  private look(): Look {
    let listed: readonly string[];
    try {
      listed = mountPointsNow(this.library.mountPoints);
    } catch {
      listed = [];
    }
    const absent = new Map(listed.length > 0 ? absentMountPoints(this.library.dir, listed).map((m) => [m.path, m.found]) : []);
    // Only what could be a mount point of the library (not in its state folder, say): the kernel's
    // list holds any name. Nor in a folder this node excludes: nothing there syncs, so a disk there
    // is not the library's (a round's notice is silent on it too, steps/undeclared-mounts.ts).
    const inside = mountsInside(this.library.dir)?.filter((path) => mountPointProblem(path) === undefined);
    const ignores = inside?.length ? this.excluded() : undefined;
    return { listed, absent, inside: ignores ? inside?.filter((path) => !inIgnoredFolder(path, ignores)) : inside };
  }

  /** This node's exclude rules as they are now (patterns may change while the watch runs); none when they cannot be read (the round reports that). */
  private excluded(): ((path: string) => boolean) | undefined {
    try {
      return loadPathRules(this.library.dir, this.library.exclude).ignores;
    } catch {
      return undefined;
    }
  }

  private async poll(): Promise<void> {
    if (this.busy) return; // a change still being handled (the subscription made again)
    this.busy = true;
    try {
      const [before, now] = [this.last, this.look()];
      this.last = now;
      this.remember(now);
      const change = compare(before, now);
      if (change.messages.length > 0) await this.changed(change);
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * What changed between two looks. A mount point added to the list or taken out of it is the
 * rounds' business (they ask for the list), not a disk coming or going; a disk at a mount point
 * is said once, as the mount point's.
 */
function compare(before: Look, now: Look): MountsChange {
  const change: MountsChange = { messages: [], round: false };
  for (const path of now.listed) {
    if (!before.listed.includes(path) || before.absent.has(path) === now.absent.has(path)) continue;
    change.messages.push(declaredChange(path, now.absent.get(path)));
    change.round = true;
  }
  if (!before.inside || !now.inside) return change;
  const undeclared = (path: string) => !now.listed.includes(path);
  const came = now.inside.filter((p) => !before.inside!.includes(p) && undeclared(p));
  const went = before.inside.filter((p) => !now.inside!.includes(p) && undeclared(p));
  for (const path of came) change.messages.push(undeclaredChange(path, 'mounted'));
  for (const path of went) change.messages.push(undeclaredChange(path, 'unmounted'));
  change.round ||= came.length + went.length > 0;
  return change;
}
