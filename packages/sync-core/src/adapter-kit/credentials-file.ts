/**
 * A file holding credentials (a refresh token, an OAuth token cache), kept outside any library:
 * `<credentialsDir>/<adapter>-<name>.json`, readable only by its owner (0600, in a 0700 folder).
 * It is written to a temporary file in the same folder and renamed over the old one, so a crash
 * or a full disk never leaves half a token behind, and readers see the old or the new file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** `<credentialsDir>/<adapter>-<name>.json`, the layout `syncacross auth` uses for every adapter. */
export const credentialsFilePath = (credentialsDir: string, adapter: string, name: string) => join(credentialsDir, `${adapter}-${name}.json`);

/** The file's text, or undefined when there is no such file (any other failure is thrown). */
export async function readCredentialsFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The file's JSON, or undefined when there is no such file; the caller checks the shape. */
export async function readJsonCredentials(path: string): Promise<unknown> {
  const text = await readCredentialsFile(path);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

/** Replaces the file with `text` atomically, mode 0600, creating its folder (0700) if needed. */
export async function writeCredentialsFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600); // the mode applies only at creation and the umask may have changed it
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}

/** Writes `value` as indented JSON with a final newline (the format every token file uses). */
export const writeJsonCredentials = (path: string, value: unknown) => writeCredentialsFile(path, `${JSON.stringify(value, null, 2)}\n`);
