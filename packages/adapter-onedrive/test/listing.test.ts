/**
 * The /delta listing mode: a no-op listing costs one request; other writers' creates and deletes
 * show up; an expired token (410 resyncRequired) triggers a full, correct re-enumeration.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createOneDriveStorage } from '../src/index.js';
import { GRAPH_BASE, mswEmulator, stopMsw, TOKEN } from './support/emulator.js';

afterAll(() => stopMsw());

const unreachable = () => createOneDriveStorage({ baseUrl: 'http://127.0.0.1:9/v1.0', accessToken: TOKEN, atomicCreate: 'trust', listing: 'delta' });

runStorageConformance('onedrive, listing through /delta', async () => {
  mswEmulator({ maxPageSize: 5 });
  return { storage: await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, listing: 'delta', pageSize: 5 }), unreachable };
});

describe('listing through /delta', () => {
  it('costs one request when nothing changed, however many writers there are', async () => {
    const emu = mswEmulator();
    const writer = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust' });
    const reader = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust', listing: 'delta' });
    for (let w = 0; w < 20; w++) for (let n = 0; n < 3; n++) await writer.putIfAbsent(`log/writer-${w}/${n}`, Buffer.from('x'));
    expect((await reader.list('log/')).objects.length).toBe(60);
    const before = emu.requests.length;
    expect((await reader.list('log/')).objects.length).toBe(60);
    expect(emu.requests.length - before).toBe(1);
    await writer.putIfAbsent('log/writer-7/3', Buffer.from('y'));
    await writer.delete!('log/writer-0/0');
    const keys = (await reader.list('log/writer-')).objects.map((o) => o.key);
    expect(keys).toContain('log/writer-7/3');
    expect(keys).not.toContain('log/writer-0/0');
    expect(keys.length).toBe(60);
  });

  it('starts over on 410 resyncRequired and ends with the right listing', async () => {
    const emu = mswEmulator();
    const s = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust', listing: 'delta' });
    await s.putIfAbsent('a/1', Buffer.from('1'));
    expect((await s.list('')).objects.map((o) => o.key)).toEqual(['a/1']);
    await s.putIfAbsent('a/2', Buffer.from('2'));
    await s.delete!('a/1');
    emu.graph.me.expireDeltaTokens();
    const before = emu.requests.length;
    expect((await s.list('')).objects.map((o) => o.key)).toEqual(['a/2']);
    const asked = emu.requests.slice(before).map((r) => r.path);
    expect(asked.filter((p) => p.endsWith('/delta')).length).toBe(2); // the refused token, then a fresh enumeration
  });
});
