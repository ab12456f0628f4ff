/** The README's custom adapter passes the same conformance suite as the built-in ones. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStorageConformance } from '@syncacross/sync-core/testing';
import flatdir from './custom-adapter/index.mjs';

const context = { credentialsDir: tmpdir(), log: () => undefined };

runStorageConformance('flatdir (custom adapter written from the README)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'syncacross-flatdir-'));
  return {
    storage: await flatdir.create({ dir, createDir: true, delayMs: 0 }, context),
    unreachable: () => flatdir.create({ dir: join(dir, 'unplugged'), createDir: false, delayMs: 0 }, context),
    teardown: () => rm(dir, { recursive: true, force: true }),
  };
});
