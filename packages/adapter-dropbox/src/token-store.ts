/**
 * The stored Dropbox authorization: `<credentialsDir>/dropbox-<profile>.json`, outside any
 * library, mode 0600, written atomically (the adapter kit's credentials file).
 */
import { credentialsFilePath, readJsonCredentials, writeJsonCredentials } from '@syncacross/sync-core/adapter-kit';

export interface StoredAuthorization {
  appKey: string;
  refreshToken: string;
  accountId?: string;
  /** Where it was obtained ('https://www.dropbox.com' or an emulator's base URL). */
  issuer?: string;
  createdAt: string;
}

/** Where `syncacross auth dropbox` keeps the authorization of `profile`: `<credentialsDir>/dropbox-<profile>.json` (mode 0600). */
export const tokenFilePath = (credentialsDir: string, profile: string) => credentialsFilePath(credentialsDir, 'dropbox', profile);

export async function readAuthorization(credentialsDir: string, profile: string): Promise<StoredAuthorization | undefined> {
  const data = (await readJsonCredentials(tokenFilePath(credentialsDir, profile))) as Partial<StoredAuthorization> | undefined;
  if (data === undefined) return undefined;
  if (typeof data.appKey !== 'string' || typeof data.refreshToken !== 'string') {
    throw new Error(`${tokenFilePath(credentialsDir, profile)} is not a Dropbox authorization file`);
  }
  return data as StoredAuthorization;
}

export async function writeAuthorization(credentialsDir: string, profile: string, auth: StoredAuthorization): Promise<string> {
  const file = tokenFilePath(credentialsDir, profile);
  await writeJsonCredentials(file, auth);
  return file;
}
