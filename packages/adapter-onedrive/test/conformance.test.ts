/**
 * The shared conformance suite, through the official Graph SDK, against the emulator in every
 * mode: behind msw and behind a real loopback server; the app folder, a Business drive by id, a
 * SharePoint site library, a folder from the drive root (where, as on Business, delta works only on
 * the drive root, so the change feed falls back to it); tiny pages; and a server that ignores
 * conflictBehavior=fail (where the creation probe must turn atomic create off).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createOneDriveStorage } from '../src/index.js';
import { GRAPH_BASE, localEmulator, mswEmulator, stopMsw, TOKEN } from './support/emulator.js';

afterAll(() => stopMsw());

// A port nothing listens on: every request fails at the network level.
const unreachable = () => createOneDriveStorage({ baseUrl: 'http://127.0.0.1:9/v1.0', accessToken: TOKEN, atomicCreate: 'trust' });

runStorageConformance('onedrive via msw: app folder, atomic create probed', async () => {
  mswEmulator();
  return { storage: await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN }), unreachable };
});

runStorageConformance('onedrive via a loopback HTTP server', async () => {
  const { server, graphBase } = await localEmulator();
  return { storage: await createOneDriveStorage({ baseUrl: graphBase, accessToken: TOKEN }), unreachable, teardown: () => server.close() };
});

runStorageConformance('onedrive for Business drive by id, folder from the root, 2-item pages, delta only at the root', async () => {
  const emu = mswEmulator({ maxPageSize: 2, deltaOnlyAtRoot: true });
  emu.graph.addDrive('b!business-drive', 'business');
  return { storage: await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, driveId: 'b!business-drive', folder: 'Sync/library', pageSize: 2 }), unreachable };
});

runStorageConformance('SharePoint document library by site id', async () => {
  const emu = mswEmulator();
  emu.graph.addDrive('b!site-library', 'documentLibrary', 'contoso.sharepoint.com,site-guid,web-guid');
  return { storage: await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, siteId: 'contoso.sharepoint.com,site-guid,web-guid', folder: '' }), unreachable };
});

runStorageConformance('a server that ignores conflictBehavior=fail (probe turns atomic create off)', async () => {
  mswEmulator({ ignoreConflictBehavior: true });
  const storage = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN });
  expect(storage.capabilities.atomicCreate).toBe(false);
  return { storage, unreachable };
});

describe('conformance helpers', () => {
  it('the Business drive mode really pages (more than one /children request per folder)', async () => {
    const emu = mswEmulator({ maxPageSize: 2 });
    emu.graph.addDrive('b!business-drive', 'business');
    const s = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, driveId: 'b!business-drive', atomicCreate: 'trust', pageSize: 2 });
    for (const k of ['pg/a', 'pg/b', 'pg/c', 'pg/d', 'pg/e']) await s.putIfAbsent(k, new Uint8Array([1]));
    const before = emu.requests.length;
    expect((await s.list('pg/')).objects.map((o) => o.key)).toEqual(['pg/a', 'pg/b', 'pg/c', 'pg/d', 'pg/e']);
    expect(emu.requests.slice(before).filter((r) => r.path.endsWith('/children')).length).toBe(3);
  });
});
