/**
 * Mounted cloud folders that cache listings (rclone mount keeps directory listings 5 minutes by
 * default, davfs2 60 s, sshfs 20 s, s3fs and gcsfuse their stat caches) show other machines' new
 * files minutes late: every sync then exits 0 while this node misses what others wrote. We cannot
 * read the cache settings, but the mount type is in /proc/self/mountinfo: name what to change, once.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

/** One line of /proc/self/mountinfo, the fields this module reads. */
export interface MountEntry {
  /** Where it is mounted (octal escapes such as `\040` decoded). */
  mountPoint: string;
  /** The file system type, e.g. `fuse.rclone`, `davfs`, `fuse.sshfs`. */
  fsType: string;
  /** What is mounted: a device, a remote (`gdrive:`), a URL. */
  source: string;
  /** The per-mount and the super-block options, comma-separated. */
  options: string;
}

/** `\040` (space), `\011`, `\012`, `\134` in mountinfo paths. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/**
 * Parses mountinfo (proc(5)): `id parent major:minor root mountpoint options [optional…] - fstype
 * source superoptions`. Malformed lines are skipped.
 */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 3) continue;
    out.push({ mountPoint: unescape(fields[4]!), fsType: fields[dash + 1]!, source: unescape(fields[dash + 2]!), options: `${fields[5]},${fields[dash + 3] ?? ''}` });
  }
  return out;
}

/** The mount holding `path` (already resolved): the longest mount point that contains it; the last one mounted wins a tie. */
export function mountOf(path: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const inside = m.mountPoint === '/' || path === m.mountPoint || path.startsWith(`${m.mountPoint}/`);
    if (inside && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** What to tell the user about a mount known to cache listings, or undefined. */
export function cachingMountAdvice(m: MountEntry): string | undefined {
  const where = `${m.mountPoint} is a ${m.fsType} mount of ${m.source}`;
  const direct = (adapter: string) => ` Or sync with the ${adapter} adapter directly instead of through the mount (see the adapter-fs README).`;
  if (m.fsType === 'fuse.rclone') {
    return `${where}: rclone caches directory listings (--dir-cache-time, 5 minutes by default), so files other machines add stay invisible here that long while syncs report success. Mount with --dir-cache-time 5s (and --vfs-cache-mode writes), or set the acceptCachingMount option if you already do.${direct('matching (s3, webdav, gdrive, onedrive, dropbox)')}`;
  }
  if (/^(fuse\.)?davfs2?$/.test(m.fsType) || (m.fsType === 'fuse' && /^https?:\/\//.test(m.source))) {
    return `${where}: davfs2 caches directory listings (dir_refresh, 60 s by default, and its local file cache), so other machines' files appear late. Set dir_refresh 1 and file_refresh 1 in davfs2.conf, or set the acceptCachingMount option if you already do.${direct('webdav')}`;
  }
  if (m.fsType === 'fuse.sshfs') {
    return `${where}: sshfs caches directory listings (20 s by default). Mount with -o dir_cache=no (sshfs 3; -o cache=no in sshfs 2), or set the acceptCachingMount option if you already do.`;
  }
  if (m.fsType === 'fuse.s3fs') {
    return `${where}: s3fs caches file status and listings (stat_cache_expire). Mount with -o stat_cache_expire=1, or set the acceptCachingMount option if you already do.${direct('s3')}`;
  }
  if (m.fsType === 'fuse.gcsfuse') {
    return `${where}: gcsfuse caches file status and types (--stat-cache-ttl, --type-cache-ttl). Mount with both at 0, or set the acceptCachingMount option if you already do.`;
  }
  return undefined;
}

/** `path` resolved through links; for a folder not created yet, its nearest existing parent. */
function resolveExisting(path: string): string {
  for (let p = path; ; p = dirname(p)) {
    try {
      return realpathSync(p);
    } catch {
      if (dirname(p) === p) return path;
    }
  }
}

const warned = new Set<string>();

/**
 * Warns (once per mount and process) when `root` is on a mount known to cache listings.
 * `mountinfo` is a path so tests can hand in a fixture; a system without one (macOS, Windows)
 * is silently not checked.
 */
export function warnIfCachingMount(root: string, log: (line: string) => void, mountinfo = '/proc/self/mountinfo'): string | undefined {
  let text: string;
  try {
    text = readFileSync(mountinfo, 'utf8');
  } catch {
    return undefined;
  }
  const mount = mountOf(resolveExisting(root), parseMountinfo(text));
  const advice = mount && cachingMountAdvice(mount);
  if (!advice || warned.has(`${mountinfo}\0${mount.mountPoint}`)) return advice;
  warned.add(`${mountinfo}\0${mount.mountPoint}`);
  log(`warning: ${advice}`);
  return advice;
}
