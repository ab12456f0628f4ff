/**
 * Atomic create is claimed only when conflictBehavior=fail is seen to work: the 'auto' creation
 * probe catches a server that ignores it (field reports), and sync-core's probeCapabilities
 * catches it when the adapter was told to 'trust'.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { probeCapabilities } from '@syncacross/sync-core';
import { serveFetchHandler } from '@syncacross/sync-core/http';
import { createOneDriveStorage } from '../src/index.js';
import { createOneDriveEmulator } from '../src/emulator/index.js';
import { FOLDER_NAMING_MARKER } from '../src/folder-naming.js';
import { GRAPH_BASE, mswEmulator, stopMsw, TOKEN } from './support/emulator.js';

afterAll(() => stopMsw());

describe('the conflictBehavior probe', () => {
  it("'auto' claims atomic create on a server that honors conflictBehavior=fail, and leaves nothing behind", async () => {
    const emu = mswEmulator();
    const s = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN });
    expect(s.capabilities.atomicCreate).toBe(true);
    expect(s.probeNote).toMatch(/honored/);
    expect((await s.list('')).objects).toEqual([]);
    const appFolder = emu.graph.me.childByName(emu.graph.me.childByName(emu.graph.me.rootId, 'Apps')!.id, 'syncacross')!;
    // Only the folder-naming marker of a new repository (folder-naming.ts) remains.
    expect(emu.graph.me.childrenOf(appFolder.id).map((i) => i.name)).toEqual([FOLDER_NAMING_MARKER]);
    const report = await probeCapabilities(s);
    expect(report.effective.atomicCreate).toBe(true);
    expect(report.measured.racingCreateSafe).toBe(true);
  });

  it('machines starting at once each probe in their own folder: none fails, and nothing is left behind', async () => {
    // Over real sockets, so the probes interleave as separate machines' do. The shared probe
    // folder was removed by whichever finished first, with the others' probe objects in it: a
    // 404, and a failed start (seen with two `watch` processes on the emulator).
    const emu = createOneDriveEmulator({ tokens: ['probe-token'] });
    const server = await serveFetchHandler(emu.handle, { port: 0, host: '127.0.0.1' });
    try {
      const open = () => createOneDriveStorage({ baseUrl: `${server.url.replace(/\/+$/, '')}/v1.0`, accessToken: 'probe-token' });
      for (let round = 0; round < 3; round++) {
        const all = await Promise.all(Array.from({ length: 8 }, open));
        for (const s of all) expect(s.capabilities.atomicCreate).toBe(true);
      }
      const appFolder = emu.graph.me.childByName(emu.graph.me.childByName(emu.graph.me.rootId, 'Apps')!.id, 'syncacross')!;
      expect(emu.graph.me.childrenOf(appFolder.id).map((i) => i.name)).toEqual([FOLDER_NAMING_MARKER]);
    } finally {
      await server.close();
    }
  });

  it("'auto' turns atomic create off when the server ignores conflictBehavior=fail, and says so", async () => {
    mswEmulator({ ignoreConflictBehavior: true });
    const logs: string[] = [];
    const s = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN }, { context: { log: (m) => logs.push(m) } });
    expect(s.capabilities.atomicCreate).toBe(false);
    expect(logs.join('\n')).toMatch(/ignored conflictBehavior=fail/);
    // Still never overwrites what it can see:
    expect(await s.putIfAbsent('k', Buffer.from('first'))).toBe('created');
    expect(await s.putIfAbsent('k', Buffer.from('second'))).toBe('exists');
    expect(Buffer.from(await s.get('k')).toString()).toBe('first');
  });

  it("'trust' on such a server is caught by probeCapabilities", async () => {
    mswEmulator({ ignoreConflictBehavior: true });
    const s = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'trust' });
    expect(s.capabilities.atomicCreate).toBe(true); // what it was told to claim
    const report = await probeCapabilities(s);
    expect(report.measured.preconditionsHonored).toBe(false);
    expect(report.effective.atomicCreate).toBe(false);
  });

  it("'off' never claims atomic create and makes no request at creation", async () => {
    const emu = mswEmulator();
    const s = await createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, atomicCreate: 'off' });
    expect(s.capabilities.atomicCreate).toBe(false);
    expect(emu.requests).toEqual([]);
  });
});
