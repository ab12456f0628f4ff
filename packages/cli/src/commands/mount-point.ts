/**
 * `syncacross mount-point [list] | add PATH… | remove PATH… [-d DIR]`: folders of the library that
 * are other disks or shares, kept in this node's config.json (`LibraryOptions.mountPoints`). A sync
 * or watch that finds one not there, not a folder, or empty (not mounted) leaves everything at or
 * below it alone, in both directions, and says so (exit 8). A running watch reads the list at
 * each round (config.ts, liveConfig). Other nodes are not told: which of this
 * machine's folders are disks is this machine's business.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { mountPointProblem } from '@syncacross/sync-core';
import { usageError } from '../cli-error.js';
import { editedList } from '../config-list.js';
import { findLibraryRoot, readConfig, writeConfig } from '../config.js';
import type { Output } from '../output.js';

export type MountPointAction = 'list' | 'add' | 'remove';

/**
 * `given` as a library-relative path spelled as on the disk: typed relative to the library (`scans`,
 * `scans/`) or as a path to the folder (`./scans` inside the library, `/mnt/lib/scans`). The folder
 * must be there (a mount point is, mounted or not); a disk that folds case gives its own spelling.
 */
function libraryPath(root: string, given: string): string {
  const fromHere = isAbsolute(given) || given === '.' || given === '..' || /^\.\.?[/\\]/.test(given);
  const abs = fromHere ? resolve(given) : join(root, given);
  const rel = relative(root, abs).split(sep).join('/');
  const problem = mountPointProblem(rel);
  if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) throw usageError('BadMountPoint', `mount point ${JSON.stringify(given)}: not inside the library ${root}`);
  if (problem) throw usageError('BadMountPoint', problem);
  const st = statOrUndefined(abs);
  if (!st?.isDirectory())
    throw usageError(
      'BadMountPoint',
      `mount point ${JSON.stringify(given)}: ${st ? 'not a folder' : 'no such folder'} in the library (a mount point is a folder, there whether the disk is mounted or not)`,
    );
  return spelledOnDisk(root, rel);
}

/** `rel` as the disk spells each name (the same name on a disk that does not fold case). */
function spelledOnDisk(root: string, rel: string): string {
  let at = '';
  for (const name of rel.split('/')) {
    const names = readdirSync(join(root, at));
    const spelled = names.includes(name) ? name : (names.find((n) => n.toLowerCase() === name.toLowerCase()) ?? name);
    at = at ? `${at}/${spelled}` : spelled;
  }
  return at;
}

const notListed = (unknown: string[]) => usageError('UnknownMountPoint', `not a mount point of this library: ${unknown.map((p) => JSON.stringify(p)).join(', ')} (see syncacross mount-point list)`);

export async function mountPointCommand(action: MountPointAction, paths: string[], opts: { dir?: string }, out: Output): Promise<number> {
  const root = findLibraryRoot(opts.dir ?? '.');
  const config = await readConfig(root);
  let mountPoints = config.mountPoints ?? [];
  if (action !== 'list') {
    if (paths.length === 0) throw usageError('BadOption', `mount-point ${action} needs at least one folder, e.g. syncacross mount-point ${action} scans`);
    // Removing takes the path as listed (`./scans/` too): the folder may be gone for good.
    const given = action === 'add' ? paths.map((p) => libraryPath(root, p)) : paths.map((p) => p.replace(/^(\.\/)+|\/+$/g, ''));
    mountPoints = editedList(action, mountPoints, given, notListed);
    const { mountPoints: _old, ...rest } = config;
    await writeConfig(root, { ...rest, ...(mountPoints.length > 0 ? { mountPoints } : {}) });
    if (action === 'add')
      for (const p of given)
        if (!isThere(join(root, p))) out.warn(`${p} is empty (or cannot be read) now: until something is in it, syncs leave it alone (a disk mounted there with files on it is what they wait for)`);
  }
  const now = mountPoints.map((path) => ({ path, mounted: isThere(join(root, path)) }));
  if (action === 'list') {
    if (now.length === 0) out.info('No mount points: every folder of the library is synced as it is found (syncacross mount-point add FOLDER).');
    for (const m of now) out.info(`${m.path}  ${m.mounted ? 'there' : 'not there: a sync leaves it alone'}`);
  } else {
    out.info(`${action === 'add' ? 'Mount point' : 'No longer a mount point'}: ${paths.join(' ')}. Mount points now: ${mountPoints.join(' ') || '(none)'}.`);
    out.info(
      action === 'add'
        ? 'From the next sync on, when it is not there or empty (not mounted), nothing at or below it is synced: no deletion goes out, and changes from other nodes wait for it.'
        : 'From the next sync on, it is synced as it is found: emptied, its files are deleted on every node.',
    );
  }
  out.result({ command: 'mount-point', action, library: root, mountPoints: now });
  return 0;
}

/** The folder's lstat, or undefined when there is none to be had (ENOENT, ENOTDIR below a file, a share gone away). */
function statOrUndefined(abs: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(abs);
  } catch {
    return undefined;
  }
}

/** There as a sync would find it: a folder with something in it. */
function isThere(abs: string): boolean {
  try {
    return lstatSync(abs).isDirectory() && readdirSync(abs).length > 0;
  } catch {
    return false;
  }
}
