/**
 * The everyday scenarios, on every kind of storage the engine must survive: atomic, racy
 * (preconditions ignored, check-then-write), Drive-like duplicates, lagging listings, faulty
 * with retries, and a real folder.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFsStorage } from '@syncacross/adapter-fs';
import type { Storage } from '@syncacross/sync-core';
import { createDuplicateNameStorage, createMemoryStorage, withCheckThenWrite, withEventualConsistency, withFaults, withIgnoredPreconditions } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, snapshot, tempDir, type TestNode } from './helpers.js';

afterEach(cleanup);

interface Remote {
  storage: Storage;
  /** Let time pass for lagging listings. */
  settle(): void;
}
let clock = 0;
const remotes: Record<string, () => Promise<Remote>> = {
  memory: async () => ({ storage: createMemoryStorage(), settle: () => {} }),
  'preconditions ignored': async () => ({ storage: withIgnoredPreconditions(createMemoryStorage()), settle: () => {} }),
  'check-then-write': async () => ({ storage: withCheckThenWrite(createMemoryStorage()), settle: () => {} }),
  'duplicate names': async () => ({ storage: createDuplicateNameStorage(), settle: () => {} }),
  'delayed listing': async () => {
    clock = 0;
    return { storage: withEventualConsistency(createMemoryStorage(), { listDelayMs: 1000, now: () => clock }), settle: () => void (clock += 2000) };
  },
  'faults + retry': async () => ({ storage: withFaults(createMemoryStorage(), { failBefore: 0.1, failAfter: 0.1, rateLimit: 0.05, retryAfterMs: 1 }), settle: () => {} }),
  'adapter-fs': async () => ({ storage: await createFsStorage({ root: await tempDir('syncacross-remote-') }), settle: () => {} }),
};

async function converge(remote: Remote, nodes: TestNode[]) {
  for (let i = 0; i < 3; i++) {
    for (const n of nodes) await n.sync();
    remote.settle();
  }
}

for (const [name, make] of Object.entries(remotes)) {
  describe(`scenarios over ${name}`, () => {
    it('three nodes with concurrent edits converge and keep every version', async () => {
      const remote = await make();
      const nodes = [await makeNode(remote.storage, 'a'), await makeNode(remote.storage, 'b'), await makeNode(remote.storage, 'c')];
      const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
      await writeFile(join(a.dir, 'shared.txt'), 'base');
      await converge(remote, nodes);
      await writeFile(join(a.dir, 'shared.txt'), 'from a');
      await writeFile(join(b.dir, 'shared.txt'), 'from b!');
      await writeFile(join(c.dir, 'own-c.txt'), 'c only');
      await converge(remote, nodes);
      const s = await snapshot(a.dir);
      expect(await snapshot(b.dir)).toEqual(s);
      expect(await snapshot(c.dir)).toEqual(s);
      expect(Object.values(s).sort()).toEqual(['c only', 'from a', 'from b!']);
      for (const n of nodes) await n.lib.close();
    });

    it('delete against an edit keeps the edit; delete against nothing sticks; renames and moves arrive', async () => {
      const remote = await make();
      const nodes = [await makeNode(remote.storage, 'a'), await makeNode(remote.storage, 'b')];
      const [a, b] = nodes as [TestNode, TestNode];
      await mkdir(join(a.dir, 'dir'));
      await writeFile(join(a.dir, 'edited.txt'), 'v1');
      await writeFile(join(a.dir, 'deleted.txt'), 'v1');
      await writeFile(join(a.dir, 'renamed.txt'), 'r');
      await writeFile(join(a.dir, 'dir/moved.txt'), 'm');
      await converge(remote, nodes);
      await rm(join(a.dir, 'edited.txt'));
      await rm(join(a.dir, 'deleted.txt'));
      await writeFile(join(b.dir, 'edited.txt'), 'v2');
      await rename(join(b.dir, 'renamed.txt'), join(b.dir, 'renamed-now.txt'));
      await mkdir(join(b.dir, 'other'));
      await rename(join(b.dir, 'dir/moved.txt'), join(b.dir, 'other/moved.txt'));
      await converge(remote, nodes);
      // b's move left `dir` empty there: an empty folder is an entry of its own, so it stays.
      const want = { 'dir/': '<dir>', 'edited.txt': 'v2', 'renamed-now.txt': 'r', 'other/moved.txt': 'm' };
      expect(await snapshot(a.dir)).toEqual(want);
      expect(await snapshot(b.dir)).toEqual(want);
      for (const n of nodes) await n.lib.close();
    });
  });
}
