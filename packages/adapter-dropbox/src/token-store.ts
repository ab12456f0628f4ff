/**
 * The stored Dropbox authorization: `<credentialsDir>/dropbox-<profile>.json`, outside any
 * library, created with mode 0600 (and its folder 0700), written atomically.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredAuthorization {
  appKey: string;
  refreshToken: string;
  accountId?: string;
  /** Where it was obtained ('https://www.dropbox.com' or an emulator's base URL). */
  issuer?: string;
  createdAt: string;
}

export const tokenFilePath = (credentialsDir: string, profile: string) => join(credentialsDir, `dropbox-${profile}.json`);

export async function readAuthorization(credentialsDir: string, profile: string): Promise<StoredAuthorization | undefined> {
  let text: string;
  try {
    text = await readFile(tokenFilePath(credentialsDir, profile), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const data = JSON.parse(text) as Partial<StoredAuthorization>;
  if (typeof data.appKey !== 'string' || typeof data.refreshToken !== 'string') {
    throw new Error(`${tokenFilePath(credentialsDir, profile)} is not a Dropbox authorization file`);
  }
  return data as StoredAuthorization;
}

export async function writeAuthorization(credentialsDir: string, profile: string, auth: StoredAuthorization): Promise<string> {
  await mkdir(credentialsDir, { recursive: true, mode: 0o700 });
  const file = tokenFilePath(credentialsDir, profile);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(auth, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600); // in case the umask or an existing file kept wider bits
  await rename(temp, file);
  return file;
}
