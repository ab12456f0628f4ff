/**
 * The conformance suite against the emulator served on a real loopback HTTP port (how the CLI is
 * pointed at it, via `baseUrl`), with a 4 MiB request limit so the 20 MiB objects must travel in
 * upload sessions of 4 MiB chunks.
 */
import { createDropboxStorage } from '@syncacross/adapter-dropbox';
import { closedPort, runStorageConformance } from '@syncacross/sync-core/testing';
import { httpEmulator } from './support/emulator.js';

const MiB = 1024 * 1024;

runStorageConformance('dropbox (local HTTP emulator, upload sessions)', async () => {
  const { emulator, server } = await httpEmulator({ maxRequestBytes: 4 * MiB });
  const storage = await createDropboxStorage({
    baseUrl: server.url,
    accessToken: emulator.issueAccessToken(),
    root: '/library',
    singleUploadLimitBytes: 4 * MiB,
    chunkBytes: 4 * MiB,
  });
  const unreachable = async () => createDropboxStorage({ baseUrl: `http://127.0.0.1:${await closedPort()}`, accessToken: 'x', root: '/library' });
  return {
    storage,
    unreachable,
    teardown: () => server.close(),
  };
});
