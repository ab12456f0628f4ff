/**
 * The refresh token lives in `<credentialsDir>/gdrive-<credentialsName>.json` (or the tokenFile
 * option), outside any library, mode 0600, written atomically (the adapter kit's credentials file).
 */
import { credentialsFilePath, readJsonCredentials, writeJsonCredentials } from '@syncacross/sync-core/adapter-kit';

export interface StoredToken {
  type: 'authorized_user';
  client_id?: string;
  refresh_token: string;
  scope?: string;
  created: string;
}

/** The token file: the `tokenFile` option, else `<credentialsDir>/gdrive-<credentialsName>.json`; undefined without either. */
export function tokenFilePath(o: { tokenFile?: string; credentialsName: string }, credentialsDir: string | undefined): string | undefined {
  if (o.tokenFile) return o.tokenFile;
  return credentialsDir ? credentialsFilePath(credentialsDir, 'gdrive', o.credentialsName) : undefined;
}

/** The stored token at `path`; undefined when there is no such file; throws when the file holds no refresh token. */
export async function readToken(path: string): Promise<StoredToken | undefined> {
  const parsed = (await readJsonCredentials(path)) as Partial<StoredToken> | undefined;
  if (parsed === undefined) return undefined;
  if (typeof parsed.refresh_token !== 'string') throw new Error(`${path} holds no refresh_token`);
  return parsed as StoredToken;
}

export const writeToken = (path: string, token: StoredToken): Promise<void> => writeJsonCredentials(path, token);
