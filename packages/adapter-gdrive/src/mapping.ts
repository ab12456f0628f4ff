/**
 * Key → Drive layout. The library folder (folderId, a folder found by name, or appDataFolder)
 * holds one subfolder per top-level key segment (`log`, `packs`, `heads`, `checkpoints`, …); a
 * key's remainder, slashes included, is the file's name in that subfolder. Keys without a slash
 * (`format`) are files in the library folder itself.
 *
 *   log/w1/00000007-ab12  →  <library>/log/  "w1/00000007-ab12"
 *
 * Why this shape: `list('log/')` is two searches in parallel, `'<library>' in parents` (its few
 * children, so new top-level folders are noticed) and `'<log>' in parents` (the whole log): one
 * request per 1,000 entries whatever the number of writers, and no recursion. (Not one OR of
 * both parents: Drive sometimes drops one parent's children from such a search, see
 * DriveApi.searchChildren.) Drive
 * names may contain `/` and any Unicode and need no escaping beyond quoting in `q`; they are
 * stored case-sensitively, but `name = '…'` searches ignore case, so every by-name search result
 * is re-checked for the exact name (folders.ts `named`).
 *
 * Duplicates: Drive allows several files with one name in a folder (racing creates, a create
 * retried after a lost response), and racing writers may each create a top-level folder of the
 * same name, and a top-level folder that holds Drive's 500,000 items gets a same-named sibling
 * (put.ts). All same-named folders are read as one; all same-named files are one logical object
 * when their bytes agree (the oldest file, by createdTime then id, stands for them).
 */
import { StorageError } from '@syncacross/sync-core';
import type { DriveFile } from './drive-api.js';

export interface KeyPlace {
  /** The top-level segment (a subfolder), or undefined for a key without `/`. */
  folder?: string;
  /** The file name inside that folder. */
  name: string;
}

export function placeOf(key: string): KeyPlace {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { folder: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function keyOf(folder: string | undefined, name: string): string {
  return folder === undefined ? name : `${folder}/${name}`;
}

/** Which top-level folders can hold keys starting with `prefix`. */
export function folderMayHold(prefix: string, folderName: string): boolean {
  const slash = prefix.indexOf('/');
  return slash >= 0 ? folderName === prefix.slice(0, slash) : folderName.startsWith(prefix);
}

/** Oldest first: createdTime, then id, so every reader picks the same file. */
function oldestFirst(a: DriveFile, b: DriveFile): number {
  if (a.createdTime !== b.createdTime) return a.createdTime < b.createdTime ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Union by id, oldest first. */
export function mergeFiles(...lists: DriveFile[][]): DriveFile[] {
  const byId = new Map<string, DriveFile>();
  for (const list of lists) for (const f of list) byId.set(f.id, f);
  return [...byId.values()].sort(oldestFirst);
}

/** Same bytes as far as Drive tells: equal size and, when both are known, equal md5Checksum. */
export function sameContent(a: DriveFile, b: DriveFile): boolean {
  return a.size === b.size && (a.md5Checksum === undefined || b.md5Checksum === undefined || a.md5Checksum === b.md5Checksum);
}

/**
 * The file that stands for a key. Same bytes (md5 and size) → the oldest; different bytes under
 * one key cannot come from the engine's write-once, content-named keys, so it is `Corrupt`.
 */
export function logicalFile(key: string, files: DriveFile[]): DriveFile {
  const sorted = [...files].sort(oldestFirst);
  const first = sorted[0];
  if (!first) throw new StorageError('NotFound', `gdrive: ${key} not found`);
  for (const other of sorted.slice(1)) {
    if (!sameContent(first, other)) {
      throw new StorageError(
        'Corrupt',
        `gdrive: ${key} exists ${sorted.length} times with different content (files ${first.id} and ${other.id}): Drive allowed a duplicate name; remove the wrong copy in Drive`,
      );
    }
  }
  return first;
}
