/**
 * Writers keep every segment well inside the limits readers enforce, so an honest segment is
 * never refused: versions, hashes and locations are split over several segments.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { countBatches, publishable, versionBatches } from '../../src/engine/segment-batches.js';
import { WRITER_TARGETS } from '../../src/engine/remote-limits.js';
import { pendingVersionCount } from '../../src/local/pending-versions.js';
import { cleanup, makeNode } from './helpers.js';

afterEach(cleanup);
const hash = (i: number) => i.toString(16).padStart(64, '0');

describe('segment batches', () => {
  it('split versions by count and by hashes referenced', () => {
    const many = Array.from({ length: 12_000 }, (_, i) => ({ path: `d${i}`, parents: [], hlc: 1, writer: 'w.1', kind: 'dir' as const, size: 0, mtime: 0, chunks: [], hash: hash(i) }));
    expect(WRITER_TARGETS.versions).toBe(5_000);
    expect([...versionBatches([many])].map((b) => [b.versions.length, b.last])).toEqual([
      [5_000, false],
      [5_000, false],
      [2_000, true],
    ]);
    // A batch that ends with the versions is the last: no empty batch after it.
    expect([...versionBatches([many.slice(0, 10_000)])].map((b) => [b.versions.length, b.last])).toEqual([
      [5_000, false],
      [5_000, true],
    ]);
    // The dry run's count, from pages of any size, is the commit's.
    expect(countBatches([many.slice(0, 2000), many.slice(2000)])).toEqual({ versions: 12_000, segments: 3 });
    const heavy = Array.from({ length: 3 }, (_, i) => ({
      path: `f${i}`,
      parents: [],
      hlc: 1,
      writer: 'w.1',
      kind: 'file' as const,
      size: 0,
      mtime: 0,
      chunks: Array.from({ length: 30_000 }, (_, j) => hash(j)),
      hash: hash(i),
    }));
    expect([...versionBatches([heavy])].map((b) => b.versions.length)).toEqual([1, 1, 1]);
    expect([...versionBatches([])]).toEqual([{ versions: [], last: true }]);
    expect(countBatches([heavy.slice(0, 1), heavy.slice(1)])).toEqual({ versions: 3, segments: 3 });
    expect(countBatches([])).toEqual({ versions: 0, segments: 1 });
  });

  it('never puts into one segment what would make readers refuse it (republished hostile data)', () => {
    const v = (path: string, size: number, chunks: string[]) => ({ path, parents: [], hlc: 1, writer: 'w.1', kind: 'file' as const, size, mtime: 0, chunks, hash: hash(path.length) });
    const honest = v('a.txt', 4, [hash(1)]);
    const liar = v('lie.bin', 1e12, [hash(1)]);
    const pack = `packs/${hash(9)}`;
    const out = publishable(
      [honest, liar],
      [
        [hash(1), pack, 0, 4],
        [hash(2), pack, 4, 5],
        [hash(2), `packs/${hash(8)}`, 0, 6],
      ],
    );
    expect(out.versions.map((x) => x.path)).toEqual(['a.txt']);
    expect(out.dropped.map((x) => x.path)).toEqual(['lie.bin']);
    expect(out.chunks).toEqual([[hash(1), pack, 0, 4]]); // the chunk given two lengths is left out
  });

  it('a round publishing more versions than one segment may carry sends each once, reading them from the state a page at a time', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const n = WRITER_TARGETS.versions + 500; // two segments, and many pages of pending versions (local/pending-versions.ts)
    for (let i = 0; i < n; i++) await mkdir(join(a.dir, `d${i}`));
    // What the dry run announces, counted page by page, is what the sync then does.
    const plan = await a.lib.sync({ dryRun: true });
    expect(plan.uploaded).toMatchObject({ versions: n, segments: 2 });
    const progress: { done: number; total: number }[] = [];
    const s = await a.lib.sync({ onProgress: (p) => p.phase === 'upload' && progress.push({ done: p.done, total: p.total }) });
    expect(s.errors).toEqual([]);
    expect(s.uploaded.versions).toBe(n);
    expect(s.uploaded.segments).toBe(2);
    expect(s.files.filter((f) => f.action === 'upload')).toHaveLength(n);
    expect(pendingVersionCount(a.lib.state.db)).toBe(0);
    const sent = remote.debug
      .keys()
      .filter((k) => k.startsWith('log/'))
      .flatMap((k) => (JSON.parse(gunzipSync(remote.debug.raw(k)!).toString()) as { versions: { path: string }[] }).versions.map((v) => v.path));
    expect(sent).toHaveLength(n);
    expect(new Set(sent).size).toBe(n);
    expect(progress.map((p) => p.total)).toEqual([n, n]);
    expect(progress.map((p) => p.done)).toEqual([0, WRITER_TARGETS.versions]);
    await a.lib.close();
  }, 120_000);

  it('a round publishing more locations than one segment may carry writes several, and a reader accepts them all', async () => {
    const remote = createMemoryStorage();
    const chunking = { minSize: 16, avgSize: 32, maxSize: 64 }; // tiny chunks: many locations from a small file
    const a = await makeNode(remote, 'a', { chunking });
    const content = randomBytes(3 * 1024 * 1024);
    await writeFile(join(a.dir, 'many-chunks.bin'), content);
    const s = await a.sync();
    const locations = a.lib.state.db.prepare('SELECT COUNT(*) AS n FROM chunk_locations').get() as { n: number };
    expect(locations.n).toBeGreaterThan(50_000);
    expect(s.uploaded.segments).toBeGreaterThanOrEqual(2);
    for (const key of remote.debug.keys().filter((k) => k.startsWith('log/'))) {
      const json = gunzipSync(remote.debug.raw(key)!);
      expect(json.byteLength).toBeLessThanOrEqual(WRITER_TARGETS.jsonBytes);
      expect(JSON.parse(json.toString()).chunks.length).toBeLessThanOrEqual(WRITER_TARGETS.locations);
    }
    const b = await makeNode(remote, 'b', { chunking });
    const r = await b.sync();
    expect(r.errors).toEqual([]);
    expect(r.retryable).toEqual([]);
    expect((await readFile(join(b.dir, 'many-chunks.bin'))).equals(content)).toBe(true);
    await a.lib.close();
    await b.lib.close();
  }, 120_000);
});
