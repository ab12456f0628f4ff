/**
 * The conformance suite against a real Dropbox, when credentials are in the environment:
 *   SYNCACROSS_DROPBOX_TEST_APP_KEY + SYNCACROSS_DROPBOX_TEST_REFRESH_TOKEN (or
 *   SYNCACROSS_DROPBOX_TEST_ACCESS_TOKEN), optionally SYNCACROSS_DROPBOX_TEST_ROOT (default
 *   /syncacross-test) and SYNCACROSS_DROPBOX_TEST_PATH_ROOT. Each check writes under a fresh folder
 *   and deletes it afterwards.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDropboxStorage } from '@syncacross/adapter-dropbox';
import { probeCapabilities } from '@syncacross/sync-core';
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

/**
 * What the emulator's real-world modes assume, checked against the real service (the runbook in
 * the README says how to run this and what to do when one of them fails).
 */
describe.skipIf(!haveCreds)('live dropbox: the real-world modes still describe Dropbox', () => {
  const roots: string[] = [];
  const open = async () => {
    const root = `${base}/${randomUUID()}`;
    roots.push(root);
    return createDropboxStorage({ appKey, refreshToken, accessToken, root, ...(pathRoot ? { pathRoot } : {}) });
  };
  afterAll(async () => {
    const dbx = new Dropbox({ clientId: appKey, refreshToken, accessToken });
    for (const root of roots) await dbx.filesDeleteV2({ path: root }).catch(() => undefined);
  });

  it('refuses a 256-character name (maxNameLength: 255) and keeps a 255-character one', async () => {
    const dbx = new Dropbox({ clientId: appKey, refreshToken, accessToken });
    const folder = `${base}/${randomUUID()}`;
    try {
      await expect(dbx.filesUpload({ path: `${folder}/${'a'.repeat(256)}`, contents: Buffer.from('x') })).rejects.toMatchObject({ status: 409 });
      expect((await dbx.filesUpload({ path: `${folder}/${'a'.repeat(255)}`, contents: Buffer.from('x') })).status).toBe(200);
    } finally {
      await dbx.filesDeleteV2({ path: folder }).catch(() => undefined);
    }
  }, 60_000);

  it('a burst of 30 parallel creates from one client completes with paced commits (writeContention)', async () => {
    const storage = await open();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => storage.putIfAbsent(`burst/${i}`, new TextEncoder().encode(String(i)))));
    expect(answers.every((a) => a === 'created')).toBe(true);
  }, 300_000);

  it('the probe measures atomic create and compare-and-swap as declared', async () => {
    const report = await probeCapabilities(await open(), { racers: 4, rounds: 2 });
    expect(report.notes).toEqual([]);
    expect(report.effective).toEqual(report.declared);
  }, 300_000);
});
