/**
 * Real-world mode `maxNameLength: 255`: Dropbox refuses a path component over 255 characters
 * (`malformed_path`). Encoded names can be three times their key segment (`~xx` per byte), so
 * the adapter checks before any request and refuses such a key with a clear InvalidKey; a key
 * that cannot be stored reads as NotFound, deletes as done, and lists as nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDropboxStorage, encodeKey } from '@syncacross/adapter-dropbox';
import { probeCapabilities } from '@syncacross/sync-core';
import { closedPort, runStorageConformance } from '@syncacross/sync-core/testing';
import { Dropbox } from 'dropbox';
import { mswEmulator } from './support/emulator.js';
import { twoNodeSync } from './support/two-nodes.js';

const env = mswEmulator();
beforeAll(() => env.server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => env.server.close());

const REAL = { maxNameLength: 255 };
const open = () => createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library' });
const bytes = (s: string) => new TextEncoder().encode(s);

describe('names Dropbox cannot hold', () => {
  it('the emulator refuses a 256-character name with malformed_path, as Dropbox does', async () => {
    env.reset(REAL);
    const dbx = new Dropbox({ accessToken: env.emulator.issueAccessToken() });
    await expect(dbx.filesUpload({ path: `/x/${'a'.repeat(256)}`, contents: Buffer.from('x') })).rejects.toMatchObject({
      status: 409,
      error: { error: { '.tag': 'path', reason: { '.tag': 'malformed_path' } } },
    });
    expect((await dbx.filesUpload({ path: `/x/${'a'.repeat(255)}`, contents: Buffer.from('x') })).status).toBe(200);
  });

  it('refuses a key whose encoded segment is too long, saying why, before sending anything', async () => {
    const emulator = env.reset(REAL);
    const storage = await open();
    const key = `uni/${'É'.repeat(60)}`; // 60 characters, 120 bytes, 360 encoded characters
    const before = emulator.requests();
    const e = await storage.putIfAbsent(key, bytes('x')).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'InvalidKey', message: expect.stringMatching(/360 characters once encoded.*at most 255/) });
    expect(emulator.requests()).toBe(before);
    await expect(storage.get(key)).rejects.toMatchObject({ code: 'NotFound' });
    await storage.delete!(key);
    expect((await storage.list(`${key}/`)).objects).toEqual([]);
  });

  it('stores the longest key segment that fits', async () => {
    env.reset(REAL);
    const storage = await open();
    const key = `uni/${'x'.repeat(252)}~`; // 252 + 3 = 255 encoded characters
    expect(encodeKey(key).split('/')[1]).toHaveLength(255);
    expect(await storage.putIfAbsent(key, bytes('fits'))).toBe('created');
    expect(new TextDecoder().decode(await storage.get(key))).toBe('fits');
  });
});

describe('with the 255-character name limit on', () => {
  runStorageConformance('dropbox (real-world mode: 255-character names)', async () => {
    env.reset(REAL);
    const unreachable = async () => createDropboxStorage({ baseUrl: `http://127.0.0.1:${await closedPort()}`, accessToken: 'x', root: '/library' });
    return { storage: await open(), unreachable };
  });

  it('the probe measures every capability as declared', async () => {
    env.reset(REAL);
    const report = await probeCapabilities(await open());
    expect(report.notes).toEqual([]);
    expect(report.effective).toEqual(report.declared);
  });

  it('two nodes converge, a file with a 200-character name included (names travel inside packs)', async () => {
    env.reset(REAL);
    const long = `${'Überlang-'.repeat(22)}.txt`;
    const { a, b } = await twoNodeSync(() => open(), { extraFiles: { [long]: 'long name' } });
    expect(b).toEqual(a);
    expect(a[long]).toBe('long name');
  }, 60_000);
});
