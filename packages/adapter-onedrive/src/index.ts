/**
 * `@syncacross/adapter-onedrive`: OneDrive (personal and Business) and SharePoint document
 * libraries through Microsoft Graph, on @microsoft/microsoft-graph-client and @azure/msal-node.
 *
 * @module @syncacross/adapter-onedrive
 */
import { defineAdapter, registerSecret, StorageError, type AdapterContext, type AuthContext } from '@syncacross/sync-core';
import { parseOptions } from '@syncacross/sync-core/adapter-kit';
import { authorizeOneDrive } from './auth/flows.js';
import { createMsalApp, MsalTokenSource } from './auth/msal-app.js';
import { createGraphTransport, type TokenSource } from './client.js';
import { optionsSchema, parseLocation, secretOptions, type OneDriveOptions, type OneDriveOptionsInput } from './options.js';
import { createOneDriveStorageFromConfig, type DriveSelector, type OneDriveStorage } from './storage.js';
import { gateFor } from './throttle-gate.js';

export { optionsSchema, parseLocation } from './options.js';
export type { OneDriveOptions, OneDriveOptionsInput } from './options.js';
export type { OneDriveStorage } from './storage.js';
export type { TokenSource } from './client.js';
export { encodeName, decodeName, keyToPath } from './names.js';
export { tokenFilePath } from './auth/token-file.js';

/** What `createOneDriveStorage` takes besides the options. */
export interface CreateOneDriveStorageExtras {
  /** Where a saved sign-in lives (the CLI's credentials directory). */
  context?: Partial<AdapterContext>;
  /** Supply tokens yourself (tests, embedding apps). */
  tokens?: TokenSource;
}

const parseOneDriveOptions = (input: unknown): OneDriveOptions => parseOptions('onedrive', optionsSchema, input);

/**
 * Creates the storage. With atomicCreate 'auto' (the default) it contacts Graph at once to check
 * that conflictBehavior=fail is honored; 'trust' and 'off' defer all I/O to the first operation.
 */
export async function createOneDriveStorage(input: OneDriveOptionsInput, extras: CreateOneDriveStorageExtras = {}): Promise<OneDriveStorage> {
  const o = parseOneDriveOptions(input);
  registerSecret(o.accessToken);
  let tokens = extras.tokens;
  if (!tokens && o.accessToken) {
    const token = o.accessToken;
    tokens = { token: async () => token };
  }
  if (!tokens) {
    const dir = extras.context?.credentialsDir;
    if (!dir) throw new StorageError('InvalidConfig', 'onedrive: no credentials directory to read the saved sign-in from');
    tokens = new MsalTokenSource(createMsalApp(o, dir), o.account);
  }
  const drive: DriveSelector = o.driveId ? { kind: 'id', id: o.driveId } : o.siteId ? { kind: 'site', siteId: o.siteId } : { kind: 'me' };
  const graphBase = o.baseUrl.replace(/\/+$/, '');
  const gate = gateFor(`${graphBase}|${JSON.stringify(drive)}`);
  const where = drive.kind === 'me' ? 'me' : drive.kind === 'id' ? drive.id : `site ${drive.siteId}`;
  const storage = createOneDriveStorageFromConfig({
    name: `onedrive:${where}:${o.folder}`,
    transport: createGraphTransport({ graphBase, tokens, gate }),
    drive,
    folder: o.folder,
    pageSize: o.pageSize,
    listing: o.listing,
    atomicCreate: o.atomicCreate,
    simpleUploadLimit: o.simpleUploadLimit,
    uploadFragmentSize: o.uploadFragmentSize,
    log: extras.context?.log,
  });
  if (o.atomicCreate === 'auto') await storage.ready();
  return storage;
}

/** The adapter module the CLI loads for `--remote onedrive:…`: storage on OneDrive or SharePoint. */
export default defineAdapter<OneDriveOptions>({
  name: 'onedrive',
  description: 'OneDrive (personal, Business) and SharePoint document libraries via Microsoft Graph',
  optionsSchema,
  secretOptions,
  parseLocation,
  create: (options, context) => createOneDriveStorage(options, { context }),
  auth: (options: OneDriveOptions, context: AuthContext) => authorizeOneDrive(options, context),
});
