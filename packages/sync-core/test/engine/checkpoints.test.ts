/**
 * Checkpoints (docs/PROTOCOL.md §3.9): a node far behind reads the largest checkpoint instead of
 * every segment, and gets exactly what the segments would have given it; a checkpoint that does
 * not verify, in whole or in part, costs nothing but the reads of the segments it would have spared.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Library, Storage } from '@syncacross/sync-core';
import { StorageError } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { encodeManifest, encodePart } from '../../src/engine/checkpoints/objects.js';
import { listCheckpoints } from '../../src/engine/checkpoints/read.js';
import { cleanup, makeNode, snapshot, type TestNode } from './helpers.js';

afterEach(cleanup);

/** `rounds` syncs of A, each editing one of 20 files (a new segment each). */
async function history(a: TestNode, rounds: number): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    await writeFile(join(a.dir, `notes-${r % 20}.md`), `round ${r}\n`);
    await a.sync();
  }
}

const segmentCount = async (remote: Storage) => (await remote.list('log/', { pageSize: 1000 })).objects.length;
const historyOf = (lib: Library) =>
  lib
    .history()
    .map((h) => `${h.path} ${h.hash}`)
    .sort();

/** A format-1 checkpoint object as stored (gzip'd JSON), to tamper with. */
const storedJson = async (remote: Storage, key: string) => JSON.parse(gunzipSync(await remote.get(key)).toString('utf8'));

async function replaceObject(remote: Storage, key: string, bytes: Uint8Array): Promise<void> {
  await remote.delete!(key);
  await remote.putIfAbsent(key, bytes);
}

describe('checkpoints', () => {
  it('a new machine joins from a checkpoint: the same folder and history, without reading each segment', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { checkpoints: { every: 100 } });
    await history(a, 130);
    const checkpoints = await listCheckpoints(remote);
    expect(checkpoints.length).toBe(1); // written once 100+ segments were uncovered, not again before 200
    expect(checkpoints[0]!.covered).toBeGreaterThanOrEqual(100);
    expect(await segmentCount(remote)).toBe(130);

    const b = await makeNode(remote, 'b');
    const joined = await b.sync();
    expect(joined.notices.join('\n')).toMatch(/caught up from checkpoint .* \d+ segment\(s\) applied/);
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    expect(historyOf(b.lib)).toEqual(historyOf(a.lib));
    // The segments after the checkpoint, the marker, the manifest, its part, three bundled
    // segments read back (spot-check.ts), and a pack per file at most (20 files): not 130 segments.
    const after = 130 - checkpoints[0]!.covered;
    expect(joined.requests.get ?? 0).toBeLessThanOrEqual(after + 3 + 3 + 20);

    // The same join without checkpoints reads every segment: the figure above is not an accident.
    const c = await makeNode(remote, 'c', { checkpoints: false });
    const plain = await c.sync();
    expect(plain.requests.get ?? 0).toBeGreaterThanOrEqual(130);
    expect(historyOf(c.lib)).toEqual(historyOf(a.lib));

    // And the joined node goes on as any other: its edit reaches A.
    await writeFile(join(b.dir, 'from-b.md'), 'hello from b');
    await b.sync();
    await a.sync();
    expect((await snapshot(a.dir))['from-b.md']).toBe('hello from b');
    for (const n of [a, b, c]) await n.lib.close();
  });

  it('a segment the joined node took from a checkpoint, later lost by the remote, is republished like one it read', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { checkpoints: { every: 0 } });
    await history(a, 40);
    await a.lib.checkpoint();
    const b = await makeNode(remote, 'b', { checkpoints: { readAfter: 10 } });
    expect((await b.sync()).notices.join('\n')).toMatch(/caught up from checkpoint/);
    const lost = (await remote.list(`log/${a.lib.writer}/`)).objects[4]!.key;
    await a.lib.close(); // A is gone for good: only B can give the lost versions back
    await remote.delete!(lost);
    const s = await b.sync();
    expect(s.errors.join('\n')).toContain(`the remote lost ${lost}`);
    const c = await makeNode(remote, 'c', { checkpoints: false });
    await c.sync();
    expect(historyOf(c.lib)).toEqual(historyOf(b.lib));
    expect(historyOf(c.lib).length).toBe(40);
    for (const n of [b, c]) await n.lib.close();
  });

  it('a node reads no checkpoint when only a few segments are new to it', async () => {
    const remote = createMemoryStorage();
    const listed: string[] = [];
    const spied: Storage = { ...remote, list: (prefix, o) => (listed.push(prefix), remote.list(prefix, o)) };
    const a = await makeNode(remote, 'a', { checkpoints: { every: 20 } });
    const b = await makeNode(spied, 'b');
    await history(a, 30);
    await b.sync();
    await history(a, 10);
    listed.length = 0;
    const s = await b.sync();
    expect(s.remote.changed).toBeGreaterThan(0);
    expect(s.notices.join('\n')).not.toMatch(/checkpoint/);
    expect(listed).not.toContain('checkpoints/'); // not even a listing
    for (const n of [a, b]) await n.lib.close();
  });

  it('a damaged manifest is ignored: the segments serve', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { checkpoints: { every: 0 } });
    await history(a, 40);
    const written = (await a.lib.checkpoint())!;
    const bytes = await remote.get(written.key);
    bytes[bytes.length - 1]! ^= 1;
    await replaceObject(remote, written.key, bytes);

    const b = await makeNode(remote, 'b', { checkpoints: { readAfter: 10 } });
    const s = await b.sync();
    expect(s.notices.join('\n')).toMatch(/ignored checkpoint .*does not match its hash/);
    expect(s.errors).toEqual([]);
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    expect(historyOf(b.lib)).toEqual(historyOf(a.lib));
    for (const n of [a, b]) await n.lib.close();
  });

  it('a missing or damaged part costs only its own segments, which are read instead', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { checkpoints: { every: 0 } });
    await history(a, 40);
    await a.lib.checkpoint();
    const [part] = (await remote.list('checkpoint-parts/')).objects;
    await remote.delete!(part!.key); // half-written: the manifest went up, the part did not stay

    const b = await makeNode(remote, 'b', { checkpoints: { readAfter: 10 } });
    const s = await b.sync();
    expect(s.notices.join('\n')).toMatch(/ignored part 0 of checkpoint/);
    expect(s.retryable).toEqual([]);
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    expect(historyOf(b.lib)).toEqual(historyOf(a.lib));
    for (const n of [a, b]) await n.lib.close();
  });

  it('a manifest that verifies but lies about what it covers is refused before anything of it is applied', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { checkpoints: { every: 0 } });
    await history(a, 40);
    const written = (await a.lib.checkpoint())!;
    const manifest = await storedJson(remote, written.key);
    // Claims a part bundles more segments than it does: a reader must not trust the count.
    const lie = encodeManifest(
      { ...manifest, cseq: manifest.cseq + 1, covered: manifest.covered + 5, parts: [{ ...manifest.parts[0], segments: manifest.parts[0].segments + 5 }] },
      a.lib.options.codec,
    );
    await remote.putIfAbsent(lie.key, lie.bytes);

    const b = await makeNode(remote, 'b', { checkpoints: { readAfter: 10 } });
    const s = await b.sync();
    expect(s.notices.join('\n')).toMatch(/ignored checkpoint .*lists part|bundles \d+ segments, its manifest says/);
    expect(historyOf(b.lib)).toEqual(historyOf(a.lib));
    for (const n of [a, b]) await n.lib.close();
  });

  it('a checkpoint that leaves out what its segments carry is refuted by the segments read back, and they are read one by one', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { checkpoints: { every: 0 } });
    await history(a, 40);
    const written = (await a.lib.checkpoint())!;
    const manifest = await storedJson(remote, written.key);
    const part = await storedJson(remote, manifest.parts[0].key);
    // Every bundled segment without its versions: whichever segments a reader checks, it sees.
    const hiding = encodePart({ ...part, cseq: manifest.cseq + 1, versions: [] }, a.lib.options.codec);
    await remote.putIfAbsent(hiding.key, hiding.bytes);
    const lie = encodeManifest({ ...manifest, cseq: manifest.cseq + 1, parts: [{ ...manifest.parts[0], key: hiding.key }] }, a.lib.options.codec);
    await remote.putIfAbsent(lie.key, lie.bytes);

    const b = await makeNode(remote, 'b', { checkpoints: { readAfter: 10 } });
    const s = await b.sync();
    expect(s.notices.join('\n')).toMatch(/ignored checkpoint .*leaves out version .* which log\//);
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    expect(historyOf(b.lib)).toEqual(historyOf(a.lib));
    for (const n of [a, b]) await n.lib.close();
  });

  it('two nodes checkpointing at once make two checkpoints, and a joining node is served by either', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { checkpoints: { every: 0 } });
    const b = await makeNode(remote, 'b', { checkpoints: { every: 0 } });
    await history(a, 25);
    await writeFile(join(b.dir, 'b.md'), 'b');
    await b.sync();
    await history(a, 25);
    await b.sync();
    await Promise.all([a.lib.checkpoint(), b.lib.checkpoint()]);
    expect((await listCheckpoints(remote)).length).toBe(2);
    const c = await makeNode(remote, 'c', { checkpoints: { readAfter: 10 } });
    await c.sync();
    await a.sync();
    expect(await snapshot(c.dir)).toEqual(await snapshot(a.dir));
    expect(historyOf(c.lib)).toEqual(historyOf(a.lib));
    for (const n of [a, b, c]) await n.lib.close();
  });

  it('in an encrypted repository a checkpoint is sealed: no path reaches the remote, and a joining node opens it', async () => {
    const remote = createMemoryStorage();
    const secret = { passphrase: 'correct horse battery staple' };
    const newRepository = { format: 2 as const, encrypt: true, kdf: { N: 1024, r: 8, p: 1 } };
    const a = await makeNode(remote, 'a', { checkpoints: { every: 0 }, secret, newRepository });
    await history(a, 30);
    const written = (await a.lib.checkpoint())!;
    const stored = [await remote.get(written.key), ...(await Promise.all((await remote.list('checkpoint-parts/')).objects.map((o) => remote.get(o.key))))];
    for (const bytes of stored) expect(Buffer.from(bytes).includes('notes-')).toBe(false);
    const b = await makeNode(remote, 'b', { checkpoints: { readAfter: 10 }, secret });
    const s = await b.sync();
    expect(s.notices.join('\n')).toMatch(/caught up from checkpoint/);
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    for (const n of [a, b]) await n.lib.close();
  });

  it("a checkpoint carries no location of its writer's segments still unsent: a version made later from that content publishes one", async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a', { checkpoints: { readAfter: 1 } });
    await writeFile(join(a.dir, 'notes.md'), 'first notes\n');
    await a.sync();
    // b's segment does not go out (its round stops after the pack): it waits in b's journal.
    const failSegments = { on: false };
    const flaky: Storage = {
      ...remote,
      putIfAbsent: (k, bytes) => (failSegments.on && k.startsWith('log/') ? Promise.reject(new StorageError('Unavailable', 'the share went away')) : remote.putIfAbsent(k, bytes)),
    };
    const b = await makeNode(flaky, 'b', { checkpoints: { readAfter: 1 } });
    await b.sync();
    await writeFile(join(b.dir, 'quote.md'), 'the same words, written twice\n');
    failSegments.on = true;
    await b.sync().catch(() => undefined);
    expect(await b.lib.checkpoint()).toBeDefined(); // covers a's segment only
    // a, reading that checkpoint, writes the same words: its segment must say where they are,
    // since no segment the storage holds does (b's is still in its journal).
    const c = await makeNode(remote, 'c', { checkpoints: { readAfter: 1 } });
    await c.sync();
    await writeFile(join(c.dir, 'copy.md'), 'the same words, written twice\n');
    await c.sync();
    const d = await makeNode(remote, 'd', { checkpoints: false }); // segments only
    const joined = await d.sync();
    expect(joined.errors).toEqual([]);
    expect((await snapshot(d.dir))['copy.md']).toBe('the same words, written twice\n');
    for (const n of [a, b, c, d]) await n.lib.close();
  });
});
