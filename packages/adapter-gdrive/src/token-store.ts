/**
 * The refresh token lives in `<credentialsDir>/gdrive-<credentialsName>.json`, outside any
 * library, readable only by its owner (0600, in a 0700 directory). It is written to a temporary
 * file first and renamed, so a crash never leaves half a token file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface StoredToken {
  type: 'authorized_user';
  client_id?: string;
  refresh_token: string;
  scope?: string;
  created: string;
}

export function tokenFilePath(o: { tokenFile?: string; credentialsName: string }, credentialsDir: string | undefined): string | undefined {
  if (o.tokenFile) return o.tokenFile;
  return credentialsDir ? join(credentialsDir, `gdrive-${o.credentialsName}.json`) : undefined;
}

export async function readToken(path: string): Promise<StoredToken | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const parsed = JSON.parse(text) as Partial<StoredToken>;
  if (typeof parsed.refresh_token !== 'string') throw new Error(`${path} holds no refresh_token`);
  return parsed as StoredToken;
}

export async function writeToken(path: string, token: StoredToken): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(token, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(tmp, 0o600); // the umask cannot widen it, but be explicit
  await rename(tmp, path);
}
