/**
 * A watch's look, every few seconds, at the library's mount points (local/mount-points.ts) and,
 * on Linux, at the disks mounted inside it (local/mounts-inside.ts). No file-system event says a
 * disk was mounted or unmounted: without this, what waited for a disk was written only at the next
 * look at the remote, and what was changed on it elsewhere only at the next full rescan (10
 * minutes); and, the events of a disk mounted after the watch started never arriving (watch.ts,
 * `mountsChanged`), every later edit on it waited for a rescan too.
 */
import { absentMountPoints, mountPointsNow, type AbsentMountPoint, type MountPointsOption } from '../local/mount-points.js';
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
 * What a disk mounted or unmounted inside the library, at a folder that is not one of its mount
 * points, is said as. Its files sync as the library's, so its going looks like their deletion (a
 * round holds back a deletion of most of the library only): no round is started for it here.
 */
const undeclaredChange = (path: string, mounted: boolean): string =>
  mounted
    ? `a disk was mounted at ${path}, inside the library: its files sync as the library's. If it is not always mounted there, make it a mount point (\`syncacross mount-point add ${path}\`): otherwise a round while it is away takes its files for deleted`
    : `the disk mounted at ${path}, inside the library, was unmounted, and ${path} is not a mount point: the next round takes its files for deleted everywhere. If that is not meant, mount it again, or make it a mount point (\`syncacross mount-point add ${path}\`), before that round`;

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

  constructor(
    private readonly library: { readonly dir: string; readonly mountPoints?: MountPointsOption },
    pollMs: number,
    private readonly changed: (change: MountsChange) => Promise<void>,
  ) {
    this.last = this.look();
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
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
    return { listed, absent, inside: mountsInside(this.library.dir) };
  }

  private async poll(): Promise<void> {
    if (this.busy) return; // a change still being handled (the subscription made again)
    this.busy = true;
    try {
      const [before, now] = [this.last, this.look()];
      this.last = now;
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
  for (const path of now.inside.filter((p) => !before.inside!.includes(p) && undeclared(p))) {
    change.messages.push(undeclaredChange(path, true));
    change.round = true;
  }
  for (const path of before.inside.filter((p) => !now.inside!.includes(p) && undeclared(p))) change.messages.push(undeclaredChange(path, false));
  return change;
}
