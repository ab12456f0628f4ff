/**
 * The conformance suite against a real Dropbox, when credentials are in the environment:
 *   SYNCACROSS_DROPBOX_TEST_APP_KEY + SYNCACROSS_DROPBOX_TEST_REFRESH_TOKEN (or
 *   SYNCACROSS_DROPBOX_TEST_ACCESS_TOKEN), optionally SYNCACROSS_DROPBOX_TEST_ROOT (default
 *   /syncacross-test) and SYNCACROSS_DROPBOX_TEST_PATH_ROOT. Each check writes under a fresh folder
 *   and deletes it afterwards.
 */
import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { createDropboxStorage } from '@syncacross/adapter-dropbox';
import { closedPort, runStorageConformance } from '@syncacross/sync-core/testing';
import { Dropbox } from 'dropbox';

const env = process.env;
const appKey = env.SYNCACROSS_DROPBOX_TEST_APP_KEY;
const refreshToken = env.SYNCACROSS_DROPBOX_TEST_REFRESH_TOKEN;
const accessToken = env.SYNCACROSS_DROPBOX_TEST_ACCESS_TOKEN;
const haveCreds = Boolean(accessToken || (appKey && refreshToken));
const base = env.SYNCACROSS_DROPBOX_TEST_ROOT ?? '/syncacross-test';
const pathRoot = env.SYNCACROSS_DROPBOX_TEST_PATH_ROOT;

describe.skipIf(!haveCreds)('live dropbox (set SYNCACROSS_DROPBOX_TEST_* to run)', () => {
  runStorageConformance(
    'dropbox (live)',
    async () => {
      const root = `${base}/${randomUUID()}`;
      const storage = await createDropboxStorage({ appKey, refreshToken, accessToken, root, ...(pathRoot ? { pathRoot } : {}) });
      return {
        storage,
        unreachable: async () => createDropboxStorage({ baseUrl: `http://127.0.0.1:${await closedPort()}`, accessToken: 'x', root }),
        teardown: async () => {
          const dbx = new Dropbox({
            clientId: appKey,
            refreshToken,
            accessToken,
            ...(pathRoot ? { pathRoot: JSON.stringify({ '.tag': pathRoot.split(':')[0], [pathRoot.split(':')[0]!]: pathRoot.split(':')[1] }) } : {}),
          });
          await dbx.filesDeleteV2({ path: root }).catch(() => undefined);
        },
      };
    },
    { largeObjectBytes: 8 * 1024 * 1024, racers: 8 },
  );
});
