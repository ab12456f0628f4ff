/**
 * `verify` passes on a healthy remote and, for each way a remote goes bad, fails naming the
 * object and the library paths it affects; `repair` puts back a lost pack from a node that still
 * holds the files.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode } from './helpers.js';

afterEach(cleanup);

async function healthy() {
  const remote = createMemoryStorage();
  const a = await makeNode(remote, 'a', { packSize: 4096 });
  await writeFile(join(a.dir, 'photo.jpg'), 'p'.repeat(3000));
  await writeFile(join(a.dir, 'notes.md'), 'n'.repeat(3000));
  await writeFile(join(a.dir, 'small.txt'), 'small');
  expect((await a.sync()).errors).toEqual([]);
  await writeFile(join(a.dir, 'notes.md'), 'edited');
  expect((await a.sync()).errors).toEqual([]);
  const packs = (await remote.list('packs/')).objects.map((o) => o.key);
  const segments = (await remote.list('log/', { pageSize: 1000 })).objects.map((o) => o.key);
  /** The pack holding this path's content. */
  const packOf = (path: string) => {
    const v = a.lib.list({ path })[0]!;
    return a.lib.state.chunk(a.lib.state.version(v.version)!.chunks[0]!)![1];
  };
  return { remote, a, packs, segments, packOf };
}

describe('verify', () => {
  it('passes on a healthy remote, reading every pack', async () => {
    const { a, packs } = await healthy();
    const report = await a.lib.verify({ readData: 100 });
    expect(report.problems).toEqual([]);
    expect(report.packs).toMatchObject({ read: report.packs.inUse });
    expect(report.packs.inUse).toBeGreaterThan(1);
    expect(report.packs.listed).toBe(packs.length);
    expect(report.segments).toEqual({ listed: 2, verified: 2 });
  });

  it('names a missing pack and the files it affects', async () => {
    const { remote, a, packOf } = await healthy();
    const pack = packOf('photo.jpg');
    remote.debug.remove(pack);
    const { problems } = await a.lib.verify();
    expect(problems).toEqual([expect.objectContaining({ kind: 'pack-missing', object: pack, paths: expect.arrayContaining(['photo.jpg']) })]);
  });

  it('names a truncated pack', async () => {
    const { remote, a, packOf } = await healthy();
    const pack = packOf('photo.jpg');
    remote.debug.overwrite(pack, remote.debug.raw(pack)!.subarray(0, 100));
    const { problems } = await a.lib.verify();
    expect(problems).toEqual([expect.objectContaining({ kind: 'pack-short', object: pack, paths: expect.arrayContaining(['photo.jpg']) })]);
  });

  it('finds one flipped byte when reading the data, and only then', async () => {
    const { remote, a, packOf } = await healthy();
    const pack = packOf('photo.jpg');
    const bytes = Uint8Array.from(remote.debug.raw(pack)!);
    bytes[10]! ^= 1;
    remote.debug.overwrite(pack, bytes);
    expect((await a.lib.verify()).problems).toEqual([]);
    const { problems } = await a.lib.verify({ readData: 100 });
    expect(problems).toEqual([expect.objectContaining({ kind: 'pack-damaged', object: pack, paths: expect.arrayContaining(['photo.jpg']) })]);
  });

  it('names a missing segment and what it carried', async () => {
    const { remote, a, segments } = await healthy();
    const first = segments.sort()[0]!;
    remote.debug.remove(first);
    const { problems } = await a.lib.verify();
    expect(problems.map((p) => [p.kind, p.object])).toEqual(
      expect.arrayContaining([
        ['segment-missing', first],
        ['segment-chain', expect.stringMatching(/^log\//)],
      ]),
    );
    expect(problems.find((p) => p.kind === 'segment-missing')!.paths).toEqual(['notes.md', 'photo.jpg', 'small.txt']);
  });

  it('reads a repeatable random share of the packs', async () => {
    const { a } = await healthy();
    const one = await a.lib.verify({ readData: 50, seed: 7 });
    const two = await a.lib.verify({ readData: 50, seed: 7 });
    expect(one.sample).toMatchObject({ percent: 50, seed: 7 });
    expect(one.sample!.packs.length).toBe(Math.ceil(one.packs.inUse / 2));
    expect(two.sample!.packs).toEqual(one.sample!.packs);
    expect(one.packs.read).toBe(one.sample!.packs.length);
  });

  it('repair puts a lost pack back from a node that holds the files; another node can then read them', async () => {
    const { remote, a, packOf } = await healthy();
    const pack = packOf('photo.jpg');
    remote.debug.remove(pack);
    const outcome = await a.lib.verify({ repair: true });
    expect(outcome.repair?.found.map((p) => p.kind)).toEqual(['pack-missing']);
    // The lost pack also held the first notes.md, which no node holds any more: still named.
    expect(outcome.problems).toEqual([expect.objectContaining({ kind: 'chunk-unlocated', paths: ['notes.md'] })]);
    expect((await a.lib.verify({ readData: 100 })).problems.map((p) => p.kind)).toEqual(['chunk-unlocated']);
    const b = await makeNode(remote, 'b');
    const s = await b.sync();
    expect(s.retryable).toEqual([]);
    // a announced the loss; b looks too and says so (the old notes.md is gone for good).
    expect(s.errors).toEqual([expect.stringMatching(/the remote lost 1 pack/)]);
    expect(await readFile(join(b.dir, 'photo.jpg'), 'utf8')).toBe('p'.repeat(3000));
  });
});
