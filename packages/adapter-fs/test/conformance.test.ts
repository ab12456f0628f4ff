import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStorage } from '@syncacross/adapter-fs';
import { runStorageConformance } from '@syncacross/sync-core/testing';

async function fixture(publish: 'link' | 'rename') {
  const dir = await mkdtemp(join(tmpdir(), 'syncacross-fs-'));
  return {
    storage: await createFsStorage({ root: dir, publish }),
    unreachable: () => createFsStorage({ root: join(dir, 'not-mounted') }),
    teardown: () => rm(dir, { recursive: true, force: true }),
  };
}

runStorageConformance('adapter-fs (hard links: atomic create)', () => fixture('link'));
runStorageConformance('adapter-fs (rename: file systems without hard links)', () => fixture('rename'));
