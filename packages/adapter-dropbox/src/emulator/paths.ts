/**
 * Dropbox path rules as the emulator applies them. Paths are '' (the root, for listings) or
 * start with '/'; comparison is case-insensitive (`path_lower`), display keeps the caller's case.
 * The emulator is deliberately strict about names the desktop clients cannot sync (`<>:"|?*\`,
 * a trailing dot or space): an adapter that passes here passes anywhere.
 */
import { tag, type Tagged } from './errors.js';

export const lower = (path: string) => path.toLowerCase();

export function segments(path: string): string[] {
  return path === '' ? [] : path.slice(1).split('/');
}

export const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));
export const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * Why a path cannot be used, as a WriteError/LookupError tag, or undefined when fine. With
 * `maxNameLength` (real-world mode; Dropbox: 255), a longer name is `malformed_path`: "The
 * Dropbox API allows path components to be up to 255 characters long … the call will fail with
 * a path/malformed_path error" (dropbox/dropbox-sdk-java#229; rclone#4805 meets it through crypt).
 */
export function pathProblem(path: string, forWrite: boolean, maxNameLength = Infinity): Tagged | undefined {
  if (path === '') return forWrite ? tag('malformed_path') : undefined;
  if (!path.startsWith('/') || path.endsWith('/')) return tag('malformed_path');
  for (const name of segments(path)) {
    // eslint-disable-next-line no-control-regex
    if (name === '' || name === '.' || name === '..' || /[\u0000-\u001f\\]/.test(name) || name.length > maxNameLength) return tag('malformed_path');
    if (forWrite && (/[<>:"|?*]/.test(name) || /[. ]$/.test(name))) return tag('disallowed_name');
  }
  return undefined;
}

/** True when `path` is `folder` itself or inside it (both lower-cased; '' is the root). */
export function isWithin(path: string, folder: string, recursive: boolean): boolean {
  if (folder === '') return recursive || path.indexOf('/', 1) === -1;
  if (path === folder) return true;
  if (!path.startsWith(`${folder}/`)) return false;
  return recursive || path.indexOf('/', folder.length + 1) === -1;
}
