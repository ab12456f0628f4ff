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

export const { encodeName, decodeName, folderName } = oneDriveNames;
const fileName = (segment: string) => encodeName(segment);

/** Classifies a child name: a folder or file this adapter wrote, with its key segment. */
export const parseChildName = (name: string, isFolder: boolean) => oneDriveNames.parseName(name, isFolder);

/** Encoded, URL-escaped relative path of a key's file: `a~/b~/c`. */
export function keyToPath(key: string): string {
  const segments = key.split('/');
  const names = segments.map((s, i) => (i === segments.length - 1 ? fileName(s) : folderName(s)));
  for (const n of names) {
    if (n.length > MAX_NAME_LENGTH) throw new RangeError(`a segment of ${JSON.stringify(key)} encodes to ${n.length} characters; OneDrive allows ${MAX_NAME_LENGTH}`);
  }
  return names.map(encodeURIComponent).join('/');
}

/** Encoded, URL-escaped path of a folder given its key directory (`a/b` → `a~/b~`). */
export const dirToPath = (dir: string) =>
  dir === ''
    ? ''
    : dir
        .split('/')
        .map((s) => encodeURIComponent(folderName(s)))
        .join('/');
