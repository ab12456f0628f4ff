/**
 * Disks mounted inside the library at folders that are not its mount points (Linux:
 * local/mounts-inside.ts), said at every round they are there: unmounted, such a disk looks like
 * a person deleting its files, and a round then deletes them on every machine (the held-deletions
 * guard covers most of the library only). Declaring it costs nothing while it is mounted, and a
 * round run by cron, with no watch to see the disk go, has no other way to know it was one.
 */
import { inIgnoredFolder } from '../../local/mount-points.js';
import type { PathRules } from '../../local/ignore-rules.js';
import { mountsInside } from '../../local/mounts-inside.js';

const NAMED = 5;

/** The notice for the disks mounted in `dir` that `rules` has no mount point for, outside excluded folders; undefined: none. */
export function undeclaredMountsNotice(dir: string, rules: PathRules): string | undefined {
  const declared = rules.mountPoints ?? [];
  const undeclared = (mountsInside(dir) ?? []).filter((path) => !declared.includes(path) && !inIgnoredFolder(path, rules.ignores));
  if (undeclared.length === 0) return undefined;
  const one = undeclared.length === 1;
  const named = undeclared.slice(0, NAMED).join(', ') + (undeclared.length > NAMED ? ` and ${undeclared.length - NAMED} more` : '');
  return (
    `${named} ${one ? 'is a disk' : 'are disks'} mounted inside the library, not ${one ? 'a mount point' : 'mount points'} of it: a sync while ${one ? 'it is' : 'they are'} unmounted takes ${one ? 'its' : 'their'} files for deleted on every machine. ` +
    `Unless ${one ? 'it is' : 'they are'} always mounted, make ${one ? 'it one' : 'them mount points'}: \`syncacross mount-point add ${undeclared.slice(0, NAMED).join(' ')}\``
  );
}
