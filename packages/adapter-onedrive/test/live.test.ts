/**
 * The conformance suite against the real Microsoft Graph, when credentials are present:
 *   SYNCACROSS_ONEDRIVE_TEST_ACCESS_TOKEN   a Graph access token (Files.ReadWrite.AppFolder, or
 *                                           Files.ReadWrite.All with a drive/site), or
 *   SYNCACROSS_ONEDRIVE_TEST_CLIENT_ID +    your app registration and a directory holding a
 *   SYNCACROSS_ONEDRIVE_TEST_CREDENTIALS_DIR sign-in saved by `syncacross auth onedrive`;
 * optional: SYNCACROSS_ONEDRIVE_TEST_TENANT, _DRIVE_ID, _SITE_ID, _FOLDER (default approot),
 * _BASE_URL. Each check runs in a fresh sub-folder; its keys are deleted afterwards.
 * The second suite sends every object through the large-object path (`simpleUploadLimit: 0`), so
 * its racing creates measure what upload sessions (or stage-and-rename) really do on that drive.
 */
import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { listAll } from '@syncacross/sync-core';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createOneDriveStorage, type OneDriveOptionsInput } from '../src/index.js';

const env = (name: string) => process.env[`SYNCACROSS_ONEDRIVE_TEST_${name}`] || undefined;
const haveCreds = Boolean(env('ACCESS_TOKEN') || (env('CLIENT_ID') && env('CREDENTIALS_DIR')));

describe.skipIf(!haveCreds)('live onedrive (set SYNCACROSS_ONEDRIVE_TEST_* to run)', () => {
  const base = (): OneDriveOptionsInput => ({
    ...(env('ACCESS_TOKEN') ? { accessToken: env('ACCESS_TOKEN') } : { clientId: env('CLIENT_ID') }),
    ...(env('TENANT') ? { tenant: env('TENANT') } : {}),
    ...(env('DRIVE_ID') ? { driveId: env('DRIVE_ID') } : {}),
    ...(env('SITE_ID') ? { siteId: env('SITE_ID') } : {}),
    ...(env('BASE_URL') ? { baseUrl: env('BASE_URL') } : {}),
  });
  const context = { context: { credentialsDir: env('CREDENTIALS_DIR') ?? '', log: (m: string) => console.log(m) } };
  runStorageConformance(
    'onedrive (live Microsoft Graph)',
    async () => {
      const folder = `${env('FOLDER') ?? 'approot'}/syncacross-test-${randomUUID()}`;
      const storage = await createOneDriveStorage({ ...base(), folder }, context);
      return {
        storage,
        unreachable: () => createOneDriveStorage({ ...base(), baseUrl: 'http://127.0.0.1:9/v1.0', atomicCreate: 'trust', folder }, context),
        teardown: async () => {
          for (const o of await listAll(storage, '')) await storage.delete!(o.key);
        },
      };
    },
    { largeObjectBytes: 12 * 1024 * 1024, racers: 8, timeoutMs: 300_000 },
  );
  runStorageConformance(
    'onedrive (live Microsoft Graph), every object through the large-object path',
    async () => {
      const folder = `${env('FOLDER') ?? 'approot'}/syncacross-test-${randomUUID()}`;
      const storage = await createOneDriveStorage({ ...base(), folder, simpleUploadLimit: 0 }, context);
      return {
        storage,
        unreachable: () => createOneDriveStorage({ ...base(), baseUrl: 'http://127.0.0.1:9/v1.0', atomicCreate: 'trust', folder }, context),
        teardown: async () => {
          for (const o of await listAll(storage, '')) await storage.delete!(o.key);
        },
      };
    },
    { largeObjectBytes: 12 * 1024 * 1024, racers: 8, timeoutMs: 300_000 },
  );
});
