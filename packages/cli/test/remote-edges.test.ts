/**
 * What the remote holds cannot stop a sync for good, seen through the built binary: a hostile
 * segment is skipped (exit 8, the node's own edits still go out), and a segment whose name is
 * visible before its content is complete (a mounted share) exits 3, then converges.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsStorage } from '@syncacross/adapter-fs';
import { encodeSegment } from '../../sync-core/src/engine/segment.js';
import { format2Codec } from '../../sync-core/src/codec/repository-codec.js';
import { syncOutput } from '../src/json-output.js';
import { cleanup, FAST, run, runJson, snapshot, tempDir, writeFiles } from './helpers.js';

let remote: string;
let alice: string;
let bob: string;
let repository: string;

beforeAll(async () => {
  const base = await tempDir();
  remote = join(base, 'remote');
  alice = join(base, 'alice');
  bob = join(base, 'bob');
  await writeFiles(alice, { 'a.md': 'from alice\n' });
  const a = await runJson(['init', alice, '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--name', 'alice']);
  expect(a.code, a.stderr).toBe(0);
  repository = a.json.repository;
  expect((await run(['init', bob, '--remote', `fs:${remote}`, '--name', 'bob'])).code).toBe(0);
  expect((await run(['sync', alice, ...FAST])).code).toBe(0);
});
afterAll(cleanup);

describe('the remote cannot stop a sync for good', () => {
  it('a hostile segment is skipped and reported (exit 8); own edits still go out; then exit 0', async () => {
    // Format 2, as `init` creates (unencrypted here: a writer with access to the share).
    const evil = encodeSegment(
      {
        format: 2,
        repo: repository,
        writer: 'evil.00000001',
        seq: 1,
        prev: null,
        chunks: [],
        versions: [{ path: 'x.txt', parents: [], hlc: 1, writer: 'evil.00000001', kind: 'file', size: 0, mtime: 'yesterday' as never, chunks: [] }],
      },
      format2Codec(),
    );
    const storage = await createFsStorage({ root: remote });
    await storage.putIfAbsent(evil.key, evil.bytes);
    await writeFiles(bob, { 'b.md': 'from bob\n' });

    const first = await runJson(['sync', bob, ...FAST]);
    expect(first.code, first.stderr).toBe(8);
    const s = syncOutput.parse(first.json);
    expect(s.errors.join('\n')).toContain(`skipped a corrupt segment on the remote: segment ${evil.key} is malformed`);
    expect(s.uploaded.segments).toBe(1); // bob's own edit went out
    expect(await snapshot(bob)).toEqual({ 'a.md': 'from alice\n', 'b.md': 'from bob\n' });

    const again = await run(['sync', bob, ...FAST]);
    expect(again.code, again.stderr).toBe(0); // skipped for good, not reported every round
    expect((await run(['sync', alice, ...FAST])).code).toBe(8);
    expect(await snapshot(alice)).toEqual({ 'a.md': 'from alice\n', 'b.md': 'from bob\n' });
  });

  it('a segment visible before its content is complete exits 3, then converges', async () => {
    await writeFiles(alice, { 'c.md': 'written on a mount\n' });
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);
    const dir = join(
      remote,
      'log',
      (await readdir(join(remote, 'log'))).find((w) => w.startsWith('alice-'))!,
    );
    const newest = join(dir, (await readdir(dir)).sort().at(-1)!);
    const whole = await readFile(newest);
    await writeFile(newest, whole.subarray(0, whole.length >> 1)); // the name is there, half the content

    const torn = await runJson(['sync', bob, ...FAST]);
    expect(torn.code, torn.stderr).toBe(3);
    const t = syncOutput.parse(torn.json);
    expect(t.retryable.join('\n')).toMatch(/does not match its hash/);
    expect(t.errors).toEqual([]);
    const human = await run(['sync', bob, ...FAST]);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/not yet: segment .* will retry/);

    await writeFile(newest, whole); // the upload completes
    const done = await run(['sync', bob, ...FAST]);
    expect(done.code, done.stderr).toBe(0);
    expect(await snapshot(bob)).toEqual({ 'a.md': 'from alice\n', 'b.md': 'from bob\n', 'c.md': 'written on a mount\n' });
  });
});
