// Compiled by package-install.test.ts in a fresh project that installed the packed tarballs, with
// the settings `tsc --init` gives a new user plus `skipLibCheck: false`: every public declaration
// (and what it imports) must type-check where a user's project sees it.
import { openLibrary, SyncError, StorageError, isStorageError, defineAdapter } from '@syncacross/sync-core';
import type { Library, LibraryOptions, Storage, StorageCapabilities, SyncSummary, AdapterModule } from '@syncacross/sync-core';
import { nameCodec, parseOptions } from '@syncacross/sync-core/adapter-kit';
import { FaultRules } from '@syncacross/sync-core/emulator-kit';
import { serveFetchHandler } from '@syncacross/sync-core/http';
import { main, EXIT, CliError, loadAdapter } from '@syncacross/cli';
import type { ExitCode, LibraryConfig } from '@syncacross/cli';
import fsAdapter, { createFsStorage, type FsStorageOptions } from '@syncacross/adapter-fs';
import s3Adapter, { createS3Storage, type S3AdapterOptions } from '@syncacross/adapter-s3';
import webdavAdapter, { createWebDavStorage, type WebDavOptions } from '@syncacross/adapter-webdav';
import gdriveAdapter, { createGdriveStorage, type GdriveOptionsInput } from '@syncacross/adapter-gdrive';
import onedriveAdapter, { createOneDriveStorage, type OneDriveOptionsInput } from '@syncacross/adapter-onedrive';
import dropboxAdapter, { createDropboxStorage, type DropboxOptionsInput } from '@syncacross/adapter-dropbox';

const adapters: AdapterModule[] = [fsAdapter, s3Adapter, webdavAdapter, gdriveAdapter, onedriveAdapter, dropboxAdapter];
const factories = [createFsStorage, createS3Storage, createWebDavStorage, createGdriveStorage, createOneDriveStorage, createDropboxStorage];
const optionTypes: [FsStorageOptions?, S3AdapterOptions?, WebDavOptions?, GdriveOptionsInput?, OneDriveOptionsInput?, DropboxOptionsInput?] = [];

async function syncOnce(options: LibraryOptions): Promise<SyncSummary> {
  const lib: Library = await openLibrary(options);
  try {
    return await lib.sync();
  } finally {
    await lib.close();
  }
}

function describeError(err: unknown): string {
  if (isStorageError(err)) return `storage: ${err.code}`;
  if (err instanceof SyncError) return `sync: ${err.code}`;
  if (err instanceof CliError) return `cli: ${err.message}`;
  return String(err);
}

const capabilities = (storage: Storage): StorageCapabilities => storage.capabilities;
const exitOk: ExitCode = EXIT.ok;
const config: Partial<LibraryConfig> = {};

export { adapters, factories, optionTypes, syncOnce, describeError, capabilities, exitOk, config };
export { StorageError, defineAdapter, nameCodec, parseOptions, FaultRules, serveFetchHandler, main, loadAdapter };
