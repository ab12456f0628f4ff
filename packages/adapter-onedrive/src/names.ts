/**
 * Storage keys ↔ OneDrive names. Each `/`-separated key segment becomes one folder or file name.
 *
 * OneDrive refuses `" * : < > ? / \ |` (and `# %` on older Business/SharePoint tenants), trailing
 * dots, leading/trailing spaces, device names (CON, NUL, COM1…), `.lock`, `desktop.ini`, `_vti_`,
 * a leading `~$`; and it compares names case-insensitively, so `CaseA` and `casea` would collide
 * (https://support.microsoft.com/office/64883a5d-228e-48f5-b3d2-eb39e07630fa, and the Windows
 * rules it inherits: https://learn.microsoft.com/windows/win32/fileio/naming-a-file).
 *
 * So names use a small alphabet that no rule and no case folding can touch: lowercase ASCII
 * letters, digits, `-` and `.` pass through; every other byte of the UTF-8 encoding (upper case,
 * `_`, `~`, spaces, punctuation, non-ASCII) becomes `~xx` (lowercase hex). A trailing dot and the
 * first letter of a reserved name are escaped too. Engine keys (`log/<writer>/<seq>-<hash>`) stay
 * readable. Decoding is strict: a name that does not re-encode to itself is not ours and is
 * ignored by listings.
 *
 * A key may be both an object and a "directory" (`p/a` and `p/a/b`), but a OneDrive folder and
 * file cannot share a name: folders get a trailing `~`, which no encoded file name can end with.
 */
import { nameCodec } from '@syncacross/sync-core/adapter-kit';

const FOLDER_MARK = '~';
/** OneDrive's per-name limit. */
const MAX_NAME_LENGTH = 255;

/** These parameters are the on-remote format: changing one would hide every object already written. */
const oneDriveNames = nameCodec({
  literal: /^[a-z0-9-]$/,
  dots: 'not-last',
  escape: '~',
  hexCase: 'lower',
  reserved: /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$|^\.lock$|^desktop\.ini$/,
  folderSuffix: FOLDER_MARK,
});

export const {
  /** The OneDrive item name of one key segment, as an object (file). */
  encodeName,
  /** The key segment a OneDrive name stands for; undefined for a name this adapter would not have written. */
  decodeName,
  folderName,
} = oneDriveNames;
const fileName = (segment: string) => encodeName(segment);

/** Classifies a child name: a folder or file this adapter wrote, with its key segment. */
export const parseChildName = (name: string, isFolder: boolean) => oneDriveNames.parseName(name, isFolder);

/**
 * How folders are named in one repository:
 * - 'v1' (repositories made before this scheme existed): exactly the codec above, so a folder
 *   whose segment starts with an escaped byte starts with `~` (`CaseA` → `~43ase~41~`);
 * - 'v2' (new repositories): the same, except that a leading `~` of a folder name is written `_`
 *   (`_43ase~41~`). SharePoint refuses folder names that start with `~` (rclone's onedrive
 *   backend encodes a leading tilde for the same reason: `encoder.EncodeLeftTilde`). The codec
 *   never writes a bare `_` (it is `~5f`), so the mapping is one-to-one and case-proof.
 * A repository keeps its scheme for life (folder-naming.ts decides which one it has): mixing
 * them would give one key two paths.
 */
export type FolderNaming = 'v1' | 'v2';

export interface OneDriveNames {
  readonly scheme: FolderNaming;
  folderName(segment: string): string;
  parseChildName(name: string, isFolder: boolean): string | undefined;
  /** Encoded, URL-escaped relative path of a key's file: `a~/b~/c`. */
  keyToPath(key: string): string;
  /** Encoded, URL-escaped path of a folder given its key directory (`a/b` → `a~/b~`). */
  dirToPath(dir: string): string;
  /** The decoded names of a key's path, folders then file (for length checks). */
  keyNames(key: string): string[];
}

const v2Folder = (segment: string) => folderName(segment).replace(/^~/, '_');
const v2Parse = (name: string, isFolder: boolean) => {
  if (!isFolder) return parseChildName(name, false);
  if (name.startsWith('~')) return undefined; // v2 never writes it
  return parseChildName(name.replace(/^_/, '~'), true);
};

export function namesFor(scheme: FolderNaming): OneDriveNames {
  const folder = scheme === 'v2' ? v2Folder : folderName;
  const keyNames = (key: string) => {
    const segments = key.split('/');
    const names = segments.map((s, i) => (i === segments.length - 1 ? fileName(s) : folder(s)));
    for (const n of names) {
      if (n.length > MAX_NAME_LENGTH) throw new RangeError(`a segment of ${JSON.stringify(key)} encodes to ${n.length} characters; OneDrive allows ${MAX_NAME_LENGTH}`);
    }
    return names;
  };
  return {
    scheme,
    folderName: folder,
    parseChildName: scheme === 'v2' ? v2Parse : parseChildName,
    keyNames,
    keyToPath: (key) => keyNames(key).map(encodeURIComponent).join('/'),
    dirToPath: (dir) =>
      dir === ''
        ? ''
        : dir
            .split('/')
            .map((s) => encodeURIComponent(folder(s)))
            .join('/'),
  };
}

const v1 = namesFor('v1');
/** The v1 scheme's paths (kept for callers that predate per-repository naming). */
export const keyToPath = v1.keyToPath;
