/**
 * Real-world mode: SharePoint refuses folder names that start with `~` (which the v1 name scheme
 * writes for segments starting with an escaped byte, `CaseA` → `~43ase~41~`) and paths over 400
 * characters. New repositories use the v2 folder names (a leading `~` written `_`); existing
 * repositories keep their v1 names and keep working; over-long paths are a clear InvalidKey.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError } from '@syncacross/sync-core';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createOneDriveStorage } from '../src/index.js';
import { FOLDER_NAMING_MARKER } from '../src/folder-naming.js';
import { GRAPH_BASE, mswEmulator, stopMsw, TOKEN, unreachable } from './support/emulator.js';
import { twoNodesConverge } from './support/two-nodes.js';

afterAll(() => stopMsw());

const SITE = 'contoso.sharepoint.com,site-guid,web-guid';
function sharePoint(sharePointLimits = true) {
  const emu = mswEmulator({ sharePointLimits });
  const drive = emu.graph.addDrive('b!site-library', 'documentLibrary', SITE);
  return { emu, drive };
}
const open = (extra: Record<string, unknown> = {}) => createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, siteId: SITE, folder: 'Shared/library', ...extra });

runStorageConformance('a SharePoint library refusing folder names that start with ~ and paths over 400 characters', async () => {
  sharePoint();
  return { storage: await open(), unreachable };
});

describe('SharePoint folder names and path lengths', () => {
  it('a new repository writes no folder name starting with ~, and the marker stays out of listings', async () => {
    const { drive } = sharePoint();
    const s = await open();
    expect(await s.putIfAbsent('CaseA/_under/x', Buffer.from('1'))).toBe('created');
    const lib = drive.childByName(drive.childByName(drive.rootId, 'Shared')!.id, 'library')!;
    expect(drive.childrenOf(lib.id).map((i) => i.name)).toContain(FOLDER_NAMING_MARKER);
    const folders = [...drive.items.values()].filter((i) => i.isFolder && !i.deleted).map((i) => i.name);
    expect(folders).toContain('_43ase~41~');
    expect(folders.filter((n) => n.startsWith('~'))).toEqual([]);
    expect((await s.list('')).objects.map((o) => o.key)).toEqual(['CaseA/_under/x']);
  });

  it('an existing repository keeps its v1 names: old objects are read, new ones written the old way', async () => {
    const { drive } = sharePoint(false); // made before the scheme, on a drive that allowed it
    const shared = drive.ensureFolder(drive.rootId, 'Shared');
    const lib = drive.ensureFolder(shared.id, 'library');
    drive.createFile(drive.ensureFolder(lib.id, '~43ase~41~').id, 'old', Buffer.from('old'));
    const s = await open();
    expect(Buffer.from(await s.get('CaseA/old')).toString()).toBe('old');
    expect(await s.putIfAbsent('CaseB/new', Buffer.from('new'))).toBe('created');
    expect(
      drive
        .childrenOf(lib.id)
        .map((i) => i.name)
        .sort(),
    ).toEqual(['~43ase~41~', '~43ase~42~']);
    expect((await s.list('')).objects.map((o) => o.key)).toEqual(['CaseA/old', 'CaseB/new']);
    // A second node opening it later agrees.
    expect((await (await open()).list('')).objects.length).toBe(2);
  });

  it('a node that looks while another creates the repository settles on v2 too', async () => {
    const { emu } = sharePoint();
    const a = await open();
    await a.putIfAbsent('CaseA/x', Buffer.from('a'));
    await a.putIfAbsent('log/x', Buffer.from('l')); // `log~`: a name both schemes share
    // Node B's first look for the marker happened just before A wrote it: it answered 404.
    const real = emu.handle;
    let missed = false;
    (emu as { handle: typeof real }).handle = async (r: Request) => {
      if (!missed && r.method === 'GET' && r.url.includes(encodeURIComponent(FOLDER_NAMING_MARKER))) {
        missed = true;
        return new Response('{"error":{"code":"itemNotFound","message":"not yet"}}', { status: 404 });
      }
      return real(r);
    };
    const b = await open();
    expect(await b.putIfAbsent('CaseB/y', Buffer.from('b'))).toBe('created');
    expect(missed).toBe(true);
    expect((await b.list('')).objects.map((o) => o.key)).toEqual(['CaseA/x', 'CaseB/y', 'log/x']);
  });

  it('a key whose path would pass 400 characters is InvalidKey and says why', async () => {
    sharePoint();
    const s = await open();
    const key = Array.from({ length: 8 }, () => 'x'.repeat(50)).join('/');
    const e = await s.putIfAbsent(key, Buffer.from('x')).catch((x: unknown) => x);
    expect(isStorageError(e, 'InvalidKey')).toBe(true);
    expect(String((e as Error).message)).toMatch(/path of 4\d\d characters .*allow 400/);
    expect(await s.putIfAbsent(Array.from({ length: 7 }, () => 'x'.repeat(50)).join('/'), Buffer.from('x'))).toBe('created');
  });

  it('the emulator refuses what SharePoint refuses', async () => {
    const { emu } = sharePoint();
    const put = (path: string) => emu.handle(new Request(`${GRAPH_BASE}/drives/b!site-library/root:/${path}:/content`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` }, body: 'x' }));
    expect((await put('~41~/file')).status).toBe(400);
    expect((await put('ok/~file')).status).toBe(201); // files may start with ~
    const long = await put(Array.from({ length: 9 }, () => 'y'.repeat(50)).join('/'));
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { innerError: { code: string } } }).error.innerError.code).toBe('pathIsTooLong');
  });

  it('a path the server finds too long (its count includes the site URL) is InvalidKey, not InvalidConfig', async () => {
    const { emu } = sharePoint();
    const s = await open();
    await s.list('');
    const real = emu.handle;
    (emu as { handle: typeof real }).handle = async (r: Request) =>
      r.method === 'PUT'
        ? new Response('{"error":{"code":"invalidRequest","message":"The path is too long","innerError":{"code":"pathIsTooLong"}}}', { status: 400, headers: { 'content-type': 'application/json' } })
        : real(r);
    const e = await s.putIfAbsent('a/b', Buffer.from('x')).catch((x: unknown) => x);
    expect(isStorageError(e, 'InvalidKey')).toBe(true);
    expect(String((e as Error).message)).toMatch(/pathIsTooLong/);
  });

  it('two engine nodes converge on such a library', async () => {
    sharePoint();
    const r = await twoNodesConverge(() => open(), { 'Upper Case Folder/Ünïcode.txt': 'u' });
    expect(r.b).toEqual(r.a);
    expect(r.b['Upper Case Folder/Ünïcode.txt']).toBe('u');
    for (const text of r.lastEdits) expect(Object.values(r.a)).toContain(text);
  }, 30_000);
});
