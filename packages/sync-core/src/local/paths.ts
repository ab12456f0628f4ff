/** Library paths: NFC, `/`-separated, relative, and nothing a hostile remote could use to escape. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

export function libraryPathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path === '') return 'empty';
  if (path.includes('\u0000')) return 'contains NUL';
  // eslint-disable-next-line no-control-regex
  if (/[\u0001-\u001f]/.test(path)) return 'contains a control character';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'absolute';
  if (/^[A-Za-z]:/.test(path)) return 'has a drive letter';
  if (path.normalize('NFC') !== path) return 'not NFC';
  const segments = path.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') return `has a "${s}" segment`;
    if (process.platform === 'win32' && (WINDOWS_RESERVED.test(s) || /[<>:"|?*]|[. ]$/.test(s))) return `"${s}" is not a valid Windows name`;
  }
  if (segments[0] === '.syncacross') return 'inside the state folder';
  return undefined;
}
