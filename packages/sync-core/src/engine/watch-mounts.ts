/**
 * A watch's look at the library's mount points (local/mount-points.ts) every few seconds. No
 * file-system event says a disk was mounted or unmounted: without this, what waited for a disk
 * was written only at the next look at the remote, and what was changed on it elsewhere only at
 * the next full rescan (10 minutes); and, the events of a disk mounted after the watch started
 * never arriving (watch.ts, `mountsChanged`), every later edit on it waited for a rescan too.
 */
import { absentMountPoints, mountPointsNow, type AbsentMountPoint, type MountPointsOption } from '../local/mount-points.js';

/** What a mount point coming (`absent` has it no more) or going is said as. */
const describeChange = (path: string, found: AbsentMountPoint['found'] | undefined): string =>
  found ? `mount point ${path} is not there (${found}): nothing below it syncs until it is back` : `mount point ${path} is there: a round looks at it now`;

export class MountWatch {
  private readonly timer: NodeJS.Timeout;
  private absent: Map<string, AbsentMountPoint['found']>;
  private listed: readonly string[];
  private busy = false;

  constructor(
    private readonly library: { readonly dir: string; readonly mountPoints?: MountPointsOption },
    pollMs: number,
    private readonly changed: (messages: string[]) => Promise<void>,
  ) {
    [this.listed, this.absent] = this.look();
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  /** The mount points listed now and those not there; a list that cannot be read (the round reports it) counts as none. */
  private look(): [readonly string[], Map<string, AbsentMountPoint['found']>] {
    let listed: readonly string[];
    try {
      listed = mountPointsNow(this.library.mountPoints);
    } catch {
      listed = [];
    }
    return [listed, new Map(listed.length > 0 ? absentMountPoints(this.library.dir, listed).map((m) => [m.path, m.found]) : [])];
  }

  private async poll(): Promise<void> {
    if (this.busy) return; // a change still being handled (the subscription made again)
    this.busy = true;
    try {
      const [listed, absent] = this.look();
      // Of those listed before and now: a mount point added to the list or taken out of it is the
      // rounds' business (they ask for the list), not a disk coming or going.
      const changed = listed.filter((path) => this.listed.includes(path) && this.absent.has(path) !== absent.has(path));
      [this.listed, this.absent] = [listed, absent];
      if (changed.length > 0) await this.changed(changed.map((path) => describeChange(path, absent.get(path))));
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
