/**
 * The local file system's edges, as a user makes them between rounds: a folder of the library
 * turned into a symbolic link (to a folder outside the library, or back inside it), a link to an
 * outside folder added, and `d` or `d/e` written as a file where another node has them as folders.
 * The harness's helpers here never follow a link: what lies behind one is not the library's.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from './rng.js';

/** Paths that clash with the folders of the usual ones (`d/c.txt`, `d/e/f.txt`). */
export const CLASH_PATHS = ['d', 'd/e'];
/** Folders of the library a user may turn into a link. */
const LINKABLE = ['d', 'd/e'];
/** What the outside folder a link may point to holds: its content must never reach the storage. */
export const OUTSIDE_CONTENT = 'outside the library: never uploaded';

const kind = (abs: string) => {
  let s;
  try {
    s = lstatSync(abs, { throwIfNoEntry: false });
  } catch {
    return 'none'; // ENOTDIR: a file on the way (callers check the parents first)
  }
  return !s ? 'none' : s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : 'file';
};

/** Every symbolic link in `dir` (relative paths), found without following any. */
export function linksIn(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) out.push(p);
      else if (e.isDirectory() && p !== '.syncacross') visit(p);
    }
  };
  visit('');
  return out;
}

/** Whether `path` is one of `links` or lies below one. */
export const behindLink = (links: string[], path: string) => links.some((l) => path === l || path.startsWith(`${l}/`));

/**
 * Whether a node with `links` cannot hold `path` as the tree has it: behind a link, or where a
 * folder must stay because it holds a link (the engine never removes a user's link: the path is
 * reported, its version kept).
 */
export const linkInTheWay = (links: string[], path: string) => behindLink(links, path) || links.some((l) => l.startsWith(`${path}/`));

/** Regular files of a library folder, by path (links are not entered; the state folder is left out). */
export function diskFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (!rel && e.name.startsWith('.syncacross')) continue;
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) out[p] = readFileSync(join(dir, p), 'utf8');
    }
  };
  visit('');
  return Object.fromEntries(Object.entries(out).sort());
}

/** Everything in a folder outside the libraries, links by their target: compared before and after. */
export function snapshot(dir: string): string {
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) out.push(`${p} -> ${readlinkSync(join(dir, p))}`);
      else if (e.isDirectory()) {
        out.push(`${p}/`);
        visit(p);
      } else out.push(`${p} = ${readFileSync(join(dir, p), 'utf8')}`);
    }
  };
  visit('');
  return out.sort().join('\n');
}

/**
 * Whether a user could write (or delete) `path` as a file here: no folder on the way is a link or
 * a file, and the path itself is not a folder or a link (writing `d` while `d/` holds files is
 * made on another node, where `d` is free: that is the clash).
 */
export function canWriteFile(dir: string, path: string): boolean {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const k = kind(join(dir, ...parts.slice(0, i)));
    if (k === 'none') return true;
    if (k !== 'dir') return false;
  }
  const k = kind(join(dir, path));
  return k === 'none' || k === 'file';
}

/** Makes the outside folder a link may point to (once per schedule). */
export function makeOutside(base: string): string {
  const outside = join(base, 'outside');
  mkdirSync(join(outside, 'shared'), { recursive: true });
  writeFileSync(join(outside, 'shared', 'o.txt'), OUTSIDE_CONTENT);
  return outside;
}

/**
 * One local edge on node folder `dir`: returns what was done (for the trace) and the folder it
 * hid behind a link, or undefined when nothing applied. A folder turned into a link is moved out first (the user moved it to another
 * disk and linked it back, or linked it to a folder of the library): its files stay acknowledged
 * on the other nodes and must not be deleted there.
 */
export function linkEvent(rng: Rng, dir: string, outside: string, tag: string): { did: string; hidden?: string } | undefined {
  const choice = rng.int(3);
  if (choice === 2) {
    const name = rng.pick(['l-out', 'd/l-out']);
    if (!canWriteFile(dir, name) || (name.includes('/') && kind(join(dir, 'd')) !== 'dir') || kind(join(dir, name)) !== 'none') return undefined;
    symlinkSync(join(outside, 'shared'), join(dir, name));
    return { did: `added a link ${name} to a folder outside the library` };
  }
  const folder = rng.pick(LINKABLE);
  if (kind(join(dir, folder)) !== 'dir' || !canWriteFile(dir, `${folder}/x`)) return undefined;
  const moved = join(outside, `moved-${tag}`);
  if (existsSync(moved)) return undefined;
  renameSync(join(dir, folder), moved);
  if (choice === 0) {
    symlinkSync(moved, join(dir, folder));
    return { did: `moved ${folder} outside the library and linked it back`, hidden: folder };
  }
  // Inside: d → . (the library itself) or d/e → .. (its parent): a loop a follower would walk forever.
  symlinkSync(folder === 'd' ? '.' : '..', join(dir, folder));
  return { did: `moved ${folder} away and made it a link to a folder of the library`, hidden: folder };
}
