/**
 * Real-world mode: Graph refuses upload-session fragments of 60 MiB or more ("The maximum bytes in
 * any given request is less than 60 MiB", driveitem-createuploadsession). The option is bounded
 * with a readable error, the largest allowed fragment is accepted, and the emulator enforces it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError } from '@syncacross/sync-core';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import { createOneDriveStorage } from '../src/index.js';
import { FRAGMENT_UNIT } from '../src/emulator/index.js';
import { GRAPH_BASE, mswEmulator, stopMsw, TOKEN, unreachable } from './support/emulator.js';
import { twoNodesConverge } from './support/two-nodes.js';

afterAll(() => stopMsw());

const open = (extra: Record<string, unknown> = {}) => createOneDriveStorage({ baseUrl: GRAPH_BASE, accessToken: TOKEN, ...extra });

runStorageConformance(
  'a Graph drive enforcing the 60 MiB fragment limit',
  async () => {
    mswEmulator({ fragmentLimit: true });
    return { storage: await open(), unreachable };
  },
  { largeObjectBytes: 12 * 1024 * 1024 },
);

describe('upload fragments under 60 MiB', () => {
  it('the option refuses 60 MiB fragments with a readable error and accepts 191 × 320 KiB', async () => {
    mswEmulator();
    const e = await open({ uploadFragmentSize: 192 * FRAGMENT_UNIT, atomicCreate: 'trust' }).catch((x: unknown) => x);
    expect(isStorageError(e, 'InvalidConfig')).toBe(true);
    expect(String((e as Error).message)).toMatch(/under 60 MiB, at most 62,586,880 bytes/);
    await expect(open({ uploadFragmentSize: 191 * FRAGMENT_UNIT, atomicCreate: 'trust' })).resolves.toBeDefined();
  });

  it('the largest allowed fragment is accepted by a server enforcing the limit', async () => {
    const emu = mswEmulator({ fragmentLimit: true });
    const s = await open({ uploadFragmentSize: 191 * FRAGMENT_UNIT, atomicCreate: 'trust' });
    const bytes = randomBytes(191 * FRAGMENT_UNIT + 1);
    expect(await s.putIfAbsent('big', bytes)).toBe('created');
    expect(emu.graph.uploads.fragmentLog.map((f) => [f.end - f.start + 1, f.status])).toEqual([
      [191 * FRAGMENT_UNIT, 202],
      [1, 201],
    ]);
  });

  it('the emulator refuses a fragment above its limit with 413 (TooLarge), and nothing appears', async () => {
    mswEmulator({ fragmentLimit: 1024 * 1024 });
    const s = await open({ uploadFragmentSize: 4 * FRAGMENT_UNIT, atomicCreate: 'trust' });
    const e = await s.putIfAbsent('big', randomBytes(5 * 1024 * 1024)).catch((x: unknown) => x);
    expect(isStorageError(e, 'TooLarge')).toBe(true);
    expect((await s.list('')).objects).toEqual([]);
  });

  it('two engine nodes converge with a file large enough for upload sessions', async () => {
    const emu = mswEmulator({ fragmentLimit: true });
    const r = await twoNodesConverge(() => open(), { 'large.bin': 'x'.repeat(6 * 1024 * 1024) });
    expect(r.b).toEqual(r.a);
    expect(r.b['large.bin']?.length).toBe(6 * 1024 * 1024);
    for (const text of r.lastEdits) expect(Object.values(r.a)).toContain(text);
    expect(emu.graph.uploads.fragmentLog.length).toBeGreaterThan(0);
  }, 30_000);
});
