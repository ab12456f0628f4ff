/**
 * Two machines syncing through the Drive emulator with each real-world mode on (see
 * src/emulator/real-world.ts): both folders converge, and the probe reports what is true.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, probeCapabilities, type StorageError } from '@syncacross/sync-core';
import type { DriveEmulatorOptions } from '../src/emulator/index.js';
import { manualClock, mswServer, newEmulator, storageOn } from './support/emulator.js';
import { closeNodes, EXPECTED_AFTER_TWO_NODES, folderContent, openNode, twoNodesSync, type TestNode } from './support/two-nodes.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

const MODES: [string, DriveEmulatorOptions][] = [
  ["OR-of-parents searches answer only the first parent's children", { orOfParentsDrops: 'some' }],
  ['OR-of-parents searches answer nothing', { orOfParentsDrops: 'all' }],
  ["name = '…' ignores case", { caseInsensitiveNameQueries: true }],
  ['a shared-drive content manager (no permanent delete)', { contentManager: true }],
  ['a folder holds at most 3 items (Drive: 500,000)', { maxChildrenPerFolder: 3 }],
  ['every real-world mode at once', { orOfParentsDrops: 'some', caseInsensitiveNameQueries: true, contentManager: true, maxChildrenPerFolder: 500_000 }],
];

describe('gdrive: two nodes converge with real-world modes on', () => {
  for (const [label, options] of MODES) {
    it(`two libraries converge: ${label}`, async () => {
      const { emulator, rootUrl } = newEmulator(options);
      const { a, b } = await twoNodesSync(() => storageOn(emulator, rootUrl));
      expect(a).toEqual(EXPECTED_AFTER_TWO_NODES);
      expect(b).toEqual(a);
    });

    it(`the probe reports the truth: ${label}`, async () => {
      const { emulator, rootUrl } = newEmulator(options);
      const report = await probeCapabilities(await storageOn(emulator, rootUrl), { racers: 4, rounds: 2 });
      // A single create is refused and a new key is listed at once (no search lag here): both
      // true on Drive whatever the mode, since listings query each folder on its own.
      expect(report.measured.preconditionsHonored, report.notes.join('; ')).toBe(true);
      expect(report.measured.listedAtOnce, report.notes.join('; ')).toBe(true);
      // Declared, and never upgraded by the probe: racing creates may both win on Drive.
      expect(report.effective.atomicCreate).toBe(false);
      expect(report.effective.caseInsensitiveNames).toBe(false);
    });
  }
});

describe('gdrive: two nodes through Drive quotas', () => {
  it('a sync that meets the daily upload cap stops at once with NoSpace (no hours of retries), and resumes the next day', async () => {
    const clock = manualClock();
    const { emulator, rootUrl } = newEmulator({ dailyUploadBytes: 12_000, now: clock.now });
    // Today's uploads so far (other files of this account): 6 KB of the 12 KB cap.
    await (await storageOn(emulator, rootUrl, { folderName: 'elsewhere' })).putIfAbsent('earlier', new Uint8Array(6_000));
    const dirs: string[] = [];
    const nodes: TestNode[] = [];
    try {
      const a = await openNode(await storageOn(emulator, rootUrl), 'a', dirs);
      nodes.push(a);
      await writeFile(join(a.dir, 'from-a.txt'), 'written on A');
      await writeFile(join(a.dir, 'big.bin'), randomBytes(8_000)); // past what is left today (incompressible)
      const started = Date.now();
      const failed = await a.lib.sync().then(
        (report) => report,
        (e: unknown) => e,
      );
      expect(isStorageError(failed, 'NoSpace'), String(failed)).toBe(true);
      expect((failed as StorageError).message).toMatch(/upload limit/);
      expect(Date.now() - started).toBeLessThan(20_000);
      clock.advance(24 * 3600 * 1000); // a new day: the whole cap again
      await a.lib.sync();
      const b = await openNode(await storageOn(emulator, rootUrl), 'b', dirs);
      nodes.push(b);
      await b.lib.sync();
      await writeFile(join(b.dir, 'from-b.txt'), 'written on B');
      await b.lib.sync();
      await a.lib.sync();
      const [ca, cb] = [await folderContent(a.dir), await folderContent(b.dir)];
      expect(Object.keys(ca).sort()).toEqual(['big.bin', 'from-a.txt', 'from-b.txt']);
      expect(cb).toEqual(ca);
    } finally {
      await closeNodes(nodes, dirs);
    }
  });
});

describe('gdrive: two nodes past the per-folder item cap', () => {
  it('log/ and packs/ outgrow a 5-item folder cap (Drive: 500,000) and both libraries still converge', async () => {
    const { emulator, rootUrl } = newEmulator({ maxChildrenPerFolder: 5 });
    const dirs: string[] = [];
    const nodes: TestNode[] = [];
    try {
      const a = await openNode(await storageOn(emulator, rootUrl), 'a', dirs);
      nodes.push(a);
      const b = await openNode(await storageOn(emulator, rootUrl), 'b', dirs);
      nodes.push(b);
      for (let round = 0; round < 4; round++) {
        for (const [name, n] of [
          ['a', a],
          ['b', b],
        ] as const) {
          await writeFile(join(n.dir, `${name}-${round}.txt`), `round ${round} on ${name}`);
          await n.lib.sync();
        }
      }
      await a.lib.sync();
      const logFolders = emulator.files().filter((f) => f.mimeType === 'application/vnd.google-apps.folder' && f.name === 'log');
      expect(logFolders.length).toBeGreaterThan(1); // the cap was really met
      const [ca, cb] = [await folderContent(a.dir), await folderContent(b.dir)];
      expect(Object.keys(ca)).toHaveLength(8);
      expect(cb).toEqual(ca);
    } finally {
      await closeNodes(nodes, dirs);
    }
  });
});
