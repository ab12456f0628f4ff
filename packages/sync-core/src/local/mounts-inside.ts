/**
 * Disks mounted inside a folder, as Linux lists them: /proc/self/mountinfo, one mount per line,
 * the fifth field its mount point, with space, tab, newline and backslash written as octal
 * escapes (`\040`, `\011`, `\012`, `\134`; proc(5), as moby/sys/mountinfo reads it). A watch
 * compares them between looks (engine/watch-mounts.ts): a disk mounted there after the file
 * watcher started is invisible to it, declared as a mount point or not.
 */
import { readFileSync, realpathSync } from 'node:fs';

const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** The mount points strictly inside `dir` (relative, `/`-separated, sorted); undefined where that cannot be known (not Linux, no /proc). */
export function mountsInside(dir: string): string[] | undefined {
  if (process.platform !== 'linux') return undefined;
  let table: string;
  let root: string;
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
    root = `${realpathSync(dir)}/`;
  } catch {
    return undefined;
  }
  const inside: string[] = [];
  for (const line of table.split('\n')) {
    const point = line.split(' ')[4];
    if (point === undefined) continue;
    const path = unescape(point);
    if (path.startsWith(root) && path.length > root.length) inside.push(path.slice(root.length));
  }
  return [...new Set(inside)].sort();
}
