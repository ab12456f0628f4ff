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
const PLAIN = /^[a-z0-9.-]$/;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$|^\.lock$|^desktop\.ini$/;
export const FOLDER_MARK = '~';
/** OneDrive's per-name limit. */
export const MAX_NAME_LENGTH = 255;

const hex = (bytes: Uint8Array) => [...bytes].map((b) => `~${b.toString(16).padStart(2, '0')}`).join('');

export function encodeSegment(segment: string): string {
  let out = '';
  for (const ch of segment) out += PLAIN.test(ch) ? ch : hex(Buffer.from(ch, 'utf8'));
  if (out.endsWith('.')) out = `${out.slice(0, -1)}~2e`;
  if (RESERVED.test(out)) out = hex(Buffer.from(out[0]!, 'utf8')) + out.slice(1);
  return out;
}

/** The segment a name encodes, or undefined when the name is not one this adapter writes. */
export function decodeSegment(name: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '~') {
      const h = name.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(h)) return undefined;
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (PLAIN.test(ch)) bytes.push(ch.charCodeAt(0));
    else return undefined;
  }
  const segment = Buffer.from(bytes).toString('utf8');
  return segment !== '' && encodeSegment(segment) === name ? segment : undefined;
}

export const folderName = (segment: string) => encodeSegment(segment) + FOLDER_MARK;
export const fileName = (segment: string) => encodeSegment(segment);

/** Classifies a child name: a folder or file this adapter wrote, with its key segment. */
export function parseChildName(name: string, isFolder: boolean): string | undefined {
  if (isFolder) return name.endsWith(FOLDER_MARK) ? decodeSegment(name.slice(0, -1)) : undefined;
  return decodeSegment(name);
}

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
export const dirToPath = (dir: string) => (dir === '' ? '' : dir.split('/').map((s) => encodeURIComponent(folderName(s))).join('/'));
