/**
 * The conformance suite against the real Google Drive, when credentials are in the environment:
 *   SYNCACROSS_GDRIVE_TEST_CLIENT_ID, SYNCACROSS_GDRIVE_TEST_CLIENT_SECRET,
 *   SYNCACROSS_GDRIVE_TEST_REFRESH_TOKEN, SYNCACROSS_GDRIVE_TEST_FOLDER_ID (a scratch folder).
 * Each check works in a fresh subfolder-named library (folderName under My Drive is not used,
 * so nothing outside the scratch folder is touched).
 */
import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { createGdriveStorage } from '@syncacross/adapter-gdrive';
import { runStorageConformance } from '@syncacross/sync-core/testing';

const env = process.env;
const haveCreds = Boolean(env.SYNCACROSS_GDRIVE_TEST_CLIENT_ID && env.SYNCACROSS_GDRIVE_TEST_REFRESH_TOKEN && env.SYNCACROSS_GDRIVE_TEST_FOLDER_ID);

describe.skipIf(!haveCreds)('live gdrive (set SYNCACROSS_GDRIVE_TEST_* to run)', () => {
  runStorageConformance(
    'gdrive (live)',
    async () => {
      const base = { clientId: env.SYNCACROSS_GDRIVE_TEST_CLIENT_ID, clientSecret: env.SYNCACROSS_GDRIVE_TEST_CLIENT_SECRET, refreshToken: env.SYNCACROSS_GDRIVE_TEST_REFRESH_TOKEN };
      const scratch = await createGdriveStorage({ ...base, folderId: env.SYNCACROSS_GDRIVE_TEST_FOLDER_ID! });
      const folder = await scratch.api.createFolder(`conformance-${randomUUID()}`, env.SYNCACROSS_GDRIVE_TEST_FOLDER_ID!);
      return {
        storage: await createGdriveStorage({ ...base, folderId: folder.id }),
        unreachable: () => createGdriveStorage({ ...base, folderId: folder.id, rootUrl: 'http://127.0.0.1:9/' }),
        teardown: async () => void (await scratch.api.remove(folder.id)),
      };
    },
    { largeObjectBytes: 8 * 1024 * 1024, timeoutMs: 600_000 },
  );
});
