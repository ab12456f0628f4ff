/** Libraries sharing one memory storage and one clock (the storage stamps `modified` with it): the collection and upgrade tests' setting. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Library, Storage } from '@syncacross/sync-core';
import { createMemoryStorage, type MemoryStorage } from '@syncacross/sync-core/testing';
import { makeNode, type TestNode } from './helpers.js';

/** `node(name, format)`: a library on the shared storage, creating a repository of `format` if none is there yet. */
export function clockedWorld(defaultFormat: 1 | 2 | 3 | 4 | 5 | 6 | 7) {
  const clock = { t: Date.UTC(2026, 0, 1) };
  const remote = createMemoryStorage({ now: () => clock.t });
  const node = (name: string, format: 1 | 2 | 3 | 4 | 5 | 6 | 7 = defaultFormat, storage: Storage = remote) =>
    makeNode(storage, name, { now: () => clock.t, newRepository: { format }, checkpoints: { every: 1000 } });
  return { clock, remote, node };
}

/** `rounds` syncs, each after an edit of one of seven notes: a segment each. */
export async function edits(n: TestNode, rounds: number, tag: string): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    await writeFile(join(n.dir, `notes-${r % 7}.md`), `${tag} ${r}\n`);
    await n.sync();
  }
}

export const keys = (remote: MemoryStorage, prefix: string) => remote.debug.keys().filter((k) => k.startsWith(prefix));

export const historyOf = (lib: Library) =>
  lib
    .history()
    .map((h) => `${h.path} ${h.hash}`)
    .sort();
