/**
 * The naming rules the emulator enforces, so an adapter that sends a name real OneDrive refuses
 * fails here too. Sources: "Restrictions and limitations in OneDrive and SharePoint"
 * (https://support.microsoft.com/office/64883a5d-228e-48f5-b3d2-eb39e07630fa) and the Windows
 * naming rules it inherits (https://learn.microsoft.com/windows/win32/fileio/naming-a-file):
 * `" * : < > ? / \ |` everywhere, `# %` were refused on older OneDrive for Business / SharePoint,
 * no leading/trailing spaces, no trailing dot, reserved device names, `.lock`, `desktop.ini`,
 * `_vti_` anywhere, and `~$` at the start.
 */
// eslint-disable-next-line no-control-regex -- control characters are among the names OneDrive refuses
const ALWAYS_FORBIDDEN = /["*:<>?/\\|\u0000-\u001f]/;
const BUSINESS_FORBIDDEN = /[#%]/;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function nameProblem(name: string, business: boolean): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.length > 255) return 'name longer than 255 characters';
  if (ALWAYS_FORBIDDEN.test(name)) return 'name contains a forbidden character';
  if (business && BUSINESS_FORBIDDEN.test(name)) return 'name contains # or % (refused on this drive)';
  if (name !== name.trim()) return 'name starts or ends with a space';
  if (name.endsWith('.')) return 'name ends with a dot';
  if (RESERVED.test(name) || /^(\.lock|desktop\.ini)$/i.test(name)) return 'reserved name';
  if (/_vti_/i.test(name) || name.startsWith('~$')) return 'name contains a reserved sequence';
  return undefined;
}

/** OneDrive compares names without regard to case. */
export const foldName = (name: string) => name.toLowerCase();

/**
 * Real-world mode `sharePointLimits` (graph-handler.ts): SharePoint refuses folder names that
 * start with `~` (rclone's onedrive backend encodes a leading tilde: `encoder.EncodeLeftTilde` in
 * backend/onedrive/onedrive.go), and "the entire decoded file path, including the file name,
 * can't contain more than 400 characters"
 * (https://support.microsoft.com/office/64883a5d-228e-48f5-b3d2-eb39e07630fa).
 */
const SHAREPOINT_MAX_PATH = 400;

export function sharePointProblem(name: string, isFolder: boolean, fullPath: string): { detail?: string; message: string } | undefined {
  if (isFolder && name.startsWith('~')) return { message: `Invalid folder name ${JSON.stringify(name)}: folder names cannot begin with ~` };
  if (fullPath.length > SHAREPOINT_MAX_PATH) return { detail: 'pathIsTooLong', message: `The path is ${fullPath.length} characters; the limit is ${SHAREPOINT_MAX_PATH}` };
  return undefined;
}
