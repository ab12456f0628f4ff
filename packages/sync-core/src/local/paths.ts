/** Library paths: NFC, `/`-separated, relative, and nothing a hostile remote could use to escape. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Whether `name` is printable ASCII: valid UTF-8, its own NFC form, no control character (nearly every name a scan meets). */
export const printableAscii = (name: string): boolean => PRINTABLE_ASCII.test(name);

/** `path` in NFC, as library paths are; printable ASCII is already (no normalization per file of a scan). */
export const nfc = (path: string): string => (PRINTABLE_ASCII.test(path) ? path : path.normalize('NFC'));

export function libraryPathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path === '') return 'empty';
  // Printable ASCII (nearly every path a scan meets) has no control character and is its own NFC
  // form: one test instead of a normalization per path (a no-op over 100,000 files spent a tenth
  // of its time here).
  const plain = PRINTABLE_ASCII.test(path);
  if (!plain && path.includes('\u0000')) return 'contains NUL';
  // eslint-disable-next-line no-control-regex
  if (!plain && /[\u0001-\u001f]/.test(path)) return 'contains a control character';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'absolute';
  if (/^[A-Za-z]:/.test(path)) return 'has a drive letter';
  if (!plain && path.normalize('NFC') !== path) return 'not NFC';
  const segments = path.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') return `has a "${s}" segment`;
    if (process.platform === 'win32' && (WINDOWS_RESERVED.test(s) || /[<>:"|?*]|[. ]$/.test(s))) return `"${s}" is not a valid Windows name`;
  }
  if (segments[0] === '.syncacross') return 'inside the state folder';
  return undefined;
}
