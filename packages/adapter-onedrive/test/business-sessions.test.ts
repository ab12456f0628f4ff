/**
 * Real-world mode: OneDrive for Business ignores conflictBehavior=fail in upload sessions while
 * honoring it on simple PUTs (https://github.com/microsoftgraph/microsoft-graph-docs/issues/3276).
 * The creation probe checks both paths; large creates are then staged and renamed, so atomic
 * create stays true and stays true for large objects too. With `simpleUploadLimit: 0` every
 * object goes through the large-object path, so the conformance suite's racing creates check it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { probeCapabilities } from '@syncacross/sync-core';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createOneDriveStorage } from '../src/index.js';
import { GRAPH_BASE, mswEmulator, stopMsw, TOKEN, unreachable } from './support/emulator.js';
import { twoNodesConverge } from './support/two-nodes.js';

afterAll(() => stopMsw());

const MODE = { sessionIgnoresConflictBehavior: true } as const;
const business = () => {
  const emu = mswEmulator(MODE);
  emu.graph.addDrive('b!business', 'business');
  return emu;
};
const open = (extra: Record<string, unknown> = {}) => createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, driveId: 'b!business', folder: 'lib', ...extra });

runStorageConformance(
  'Business drive whose upload sessions ignore conflictBehavior=fail, every object through the large-object path',
  async () => {
    business();
    const storage = await open({ simpleUploadLimit: 0 });
    expect(storage.capabilities.atomicCreate).toBe(true);
    return { storage, unreachable };
  },
  { largeObjectBytes: 2 * 1024 * 1024 },
);

describe('upload sessions that ignore conflictBehavior=fail', () => {
  it('the probe tests simple PUTs and upload sessions, and says large objects are staged', async () => {
    business();
    const s = await open();
    expect(s.capabilities.atomicCreate).toBe(true);
    expect(s.probeNote).toMatch(/ignored in upload sessions.*staging name/);
  });

  it('a large create never overwrites an existing object', async () => {
    const emu = business();
    const s = await open();
    const first = randomBytes(5 * 1024 * 1024);
    expect(await s.putIfAbsent('big/one', first)).toBe('created');
    expect(await s.putIfAbsent('big/one', randomBytes(5 * 1024 * 1024))).toBe('exists');
    expect(Buffer.from(await s.get('big/one')).equals(first)).toBe(true);
    // The losing staged copy is gone: only the object remains in its folder.
    const drive = emu.graph.drives.get('b!business')!;
    const lib = drive.childByName(drive.rootId, 'lib')!;
    expect(drive.childrenOf(drive.childByName(lib.id, 'big~')!.id).map((i) => i.name)).toEqual(['one']);
  });

  it('probeCapabilities measures atomic create true, with every object through the large-object path', async () => {
    business();
    const report = await probeCapabilities(await open({ simpleUploadLimit: 0 }));
    expect(report.measured.preconditionsHonored).toBe(true);
    expect(report.measured.racingCreateSafe).toBe(true);
    expect(report.effective.atomicCreate).toBe(true);
  });

  it('two engine nodes converge with every object through the large-object path', async () => {
    business();
    const r = await twoNodesConverge(() => open({ simpleUploadLimit: 0 }));
    expect(r.b).toEqual(r.a);
    for (const text of r.lastEdits) expect(Object.values(r.a)).toContain(text);
    expect(r.a['only-a.txt']).toBe('a');
    expect(r.a['only-b.txt']).toBe('b');
  });
});
