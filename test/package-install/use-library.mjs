// Run by package-install.test.ts in a fresh project that installed the packed tarballs: the
// README's embedding example, on two libraries that share a folder remote.
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLibrary } from '@syncacross/sync-core';
import { createFsStorage } from '@syncacross/adapter-fs';

const base = await mkdtemp(join(tmpdir(), 'syncacross-consumer-'));
const remote = join(base, 'remote');
const open = async (name) => {
  const dir = join(base, name);
  await mkdir(dir, { recursive: true });
  return openLibrary({ dir, storage: await createFsStorage({ root: remote, createRoot: true }) });
};

const alice = await open('alice');
await writeFile(join(base, 'alice', 'hello.txt'), 'written by alice\n');
const sent = await alice.sync();
const bob = await open('bob');
const received = await bob.sync();
await Promise.all([alice.close(), bob.close()]);
const text = await readFile(join(base, 'bob', 'hello.txt'), 'utf8');
console.log(JSON.stringify({ text, sentBytes: sent.bytesUp, receivedRequests: received.requests }));
