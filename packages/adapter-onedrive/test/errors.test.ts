/** Graph answers mapped to the contract's codes; "could not ask" is never "not there". */
import { afterAll, describe, expect, it } from 'vitest';
import { checkedStorage, isStorageError, listAll } from '@syncacross/sync-core';
import { createOneDriveStorage } from '../src/index.js';
import { GRAPH_BASE, mswEmulator, stopMsw, TOKEN } from './support/emulator.js';

afterAll(() => stopMsw());

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('expected a failure'),
    (e: unknown) => e,
  );

describe('error mapping', () => {
  it('a refused token is AuthFailed and says how to sign in again', async () => {
    mswEmulator();
    const s = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: 'wrong', atomicCreate: 'trust' });
    const e = await failure(s.list(''));
    expect(isStorageError(e, 'AuthFailed')).toBe(true);
    expect(String((e as Error).message)).toMatch(/syncacross auth onedrive/);
  });

  it('an unknown drive is NotFound at resolution, and options are validated', async () => {
    mswEmulator();
    const s = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, driveId: 'nope', atomicCreate: 'trust' });
    expect(isStorageError(await failure(s.list('')), 'NotFound')).toBe(true);
    for (const bad of [{ driveId: 'a', siteId: 'b' }, { pageSize: 0 }, { uploadFragmentSize: 1000 }, { unknownOption: 1 }]) {
      expect(isStorageError(await failure(createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, ...bad } as never)), 'InvalidConfig')).toBe(true);
    }
  });

  it('a listing whose second page fails throws Unavailable instead of returning the first page', async () => {
    const emu = mswEmulator({ maxPageSize: 2 });
    const s = checkedStorage(await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust', pageSize: 2 }));
    for (const k of ['l/a', 'l/b', 'l/c']) await s.putIfAbsent(k, Buffer.from(k));
    const real = emu.handle;
    let pages = 0;
    (emu as { handle: typeof real }).handle = async (r: Request) =>
      r.url.includes('skiptoken') && ++pages === 1 ? new Response('{"error":{"code":"generalException","message":"boom"}}', { status: 500 }) : real(r);
    expect(isStorageError(await failure(listAll(s, 'l/')), 'Unavailable')).toBe(true);
    expect((await listAll(s, 'l/')).length).toBe(3);
  });

  it('a full drive is NoSpace', async () => {
    const emu = mswEmulator();
    const s = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust' });
    await s.list('');
    const real = emu.handle;
    (emu as { handle: typeof real }).handle = async (r: Request) =>
      r.method === 'PUT' ? new Response('{"error":{"code":"quotaLimitReached","message":"Insufficient Space Available"}}', { status: 507 }) : real(r);
    expect(isStorageError(await failure(s.putIfAbsent('k', Buffer.from('x'))), 'NoSpace')).toBe(true);
  });

  it('keys too long for OneDrive names are InvalidKey, not a server error', async () => {
    mswEmulator();
    const s = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust' });
    expect(isStorageError(await failure(s.putIfAbsent(`x/${'É'.repeat(60)}`, Buffer.from('x'))), 'InvalidKey')).toBe(true);
  });
});
