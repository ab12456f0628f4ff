/**
 * A chunk with several locations falls back to the next when a read fails its hash, so a bogus
 * location (a buggy or hostile segment naming someone else's chunk) cannot make good files
 * undownloadable; and a pack damaged for good is uploaded again by a node that holds its content.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { encodeSegment } from '../../src/engine/segment.js';
import { addLocations, chunkLocations, chunkLocator, type Locate } from '../../src/engine/chunk-locations.js';
import { ChunkFetcher } from '../../src/engine/chunk-fetcher.js';
import { FORMAT_1 } from '../../src/codec/repository-codec.js';
import { LocalState } from '../../src/local/state.js';
import { cleanup, makeNode, snapshot, tempDir } from './helpers.js';

afterEach(cleanup);
const sha = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');
const MIN = 60_000;

describe('bogus chunk locations', () => {
  for (const where of ['in another real pack', 'in a pack that does not exist'] as const) {
    it(`a hostile location ${where} for another node's chunk: the file still downloads`, async () => {
      const remote = createMemoryStorage();
      const a = await makeNode(remote, 'a');
      const content = 'precious content of a';
      await writeFile(join(a.dir, 'real.txt'), content);
      await a.sync();
      await writeFile(join(a.dir, 'other.txt'), 'another file, another pack, long enough');
      await a.sync();
      const packs = remote.debug.keys().filter((k) => k.startsWith('packs/'));
      expect(packs).toHaveLength(2);
      const chunk = sha(content);
      const ownPack = packs.find((p) => remote.debug.raw(p)!.byteLength === content.length)!;
      const target = where === 'in another real pack' ? packs.find((p) => p !== ownPack)! : `packs/${sha('nothing')}`;
      // Learned after a's location, so tried first.
      const evil = encodeSegment({ format: 1, repo: a.lib.repository, writer: 'zz-evil.00000001', seq: 1, prev: null, versions: [], chunks: [[chunk, target, 0, content.length]] });
      await remote.putIfAbsent(evil.key, evil.bytes);

      const b = await makeNode(remote, 'b');
      const s = await b.sync();
      expect(s.retryable).toEqual([]);
      expect(await readFile(join(b.dir, 'real.txt'), 'utf8')).toBe(content);
      if (where === 'in another real pack') {
        expect(s.errors.join('\n')).toMatch(/ignored 1 bogus chunk location\(s\) in packs\//);
        // Forgotten: a later restore of the same content reads the good location at once.
        const again = await b.sync();
        expect(again.errors).toEqual([]);
      } else expect(s.errors).toEqual([]);
      await a.lib.close();
      await b.lib.close();
    });
  }

  it('a hostile location in the same pack at another offset, applied before the true one, shadows nothing', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const content = 'precious content of a, in one pack';
    await writeFile(join(a.dir, 'real.txt'), content);
    await a.sync();
    const pack = remote.debug.keys().find((k) => k.startsWith('packs/'))!;
    // '0evil' sorts before a's writer: a new node applies this segment first.
    const evil = encodeSegment({ format: 1, repo: a.lib.repository, writer: '0evil.00000001', seq: 1, prev: null, versions: [], chunks: [[sha(content), pack, 1, content.length]] });
    await remote.putIfAbsent(evil.key, evil.bytes);
    const b = await makeNode(remote, 'b');
    const s = await b.sync();
    expect(s.retryable).toEqual([]);
    expect(await readFile(join(b.dir, 'real.txt'), 'utf8')).toBe(content);
    expect(s.errors.join('\n')).toMatch(/ignored 1 bogus chunk location/);
    // The true location took the bogus one's place: a third node's copy comes from b's knowledge too.
    await writeFile(join(b.dir, 'real.txt'), content + ' (edited by b)');
    await b.sync();
    expect((await a.sync()).errors).toEqual([]);
    await a.lib.close();
    await b.lib.close();
  });
});

describe('a bogus location past the end of a real pack', () => {
  it('cannot stand in for a pack the storage lost: the holder finds it bogus and uploads its content again', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const content = 'precious content of a, longer than the small pack';
    await writeFile(join(a.dir, 'real.txt'), content);
    await a.sync();
    const truePack = remote.debug.keys().find((k) => k.startsWith('packs/'))!;
    await writeFile(join(a.dir, 'small.txt'), 'tiny');
    await a.sync();
    const smallPack = remote.debug.keys().find((k) => k.startsWith('packs/') && k !== truePack)!;
    // A location inside the small pack's name but past its end: a short read, like a torn one.
    const evil = encodeSegment({ format: 1, repo: a.lib.repository, writer: 'zz-evil.00000001', seq: 1, prev: null, versions: [], chunks: [[sha(content), smallPack, 0, content.length]] });
    await remote.putIfAbsent(evil.key, evil.bytes);
    await a.sync(); // a learns the bogus location
    // The storage goes back in time: the true pack and a's segments are gone.
    for (const k of remote.debug.keys()) if (k === truePack || (k.startsWith('log/') && !k.includes('evil'))) remote.debug.remove(k);
    const healed = await a.sync();
    expect(healed.errors.join('\n')).toMatch(/the remote lost 1 pack/);
    expect(healed.uploaded.packs).toBe(1);

    const b = await makeNode(remote, 'b');
    const s = await b.sync();
    expect(s.retryable).toEqual([]);
    expect(await readFile(join(b.dir, 'real.txt'), 'utf8')).toBe(content);
    await a.lib.close();
    await b.lib.close();
  });
});

describe('a damaged pack', () => {
  it('is retried, then (persisting) announced, and the node holding the content uploads it again', async () => {
    const remote = createMemoryStorage();
    let t = Date.now();
    const a = await makeNode(remote, 'a', { now: () => t });
    await writeFile(join(a.dir, 'doc.txt'), 'the only copy is on a');
    await a.sync();
    const pack = remote.debug.keys().find((k) => k.startsWith('packs/'))!;
    const bytes = Uint8Array.from(remote.debug.raw(pack)!);
    bytes[3]! ^= 0xff; // one flipped byte
    remote.debug.overwrite(pack, bytes);

    const b = await makeNode(remote, 'b', { now: () => t });
    const first = await b.sync();
    expect(first.errors).toEqual([]);
    expect(first.retryable.join('\n')).toMatch(/could not restore doc\.txt: .* does not match its hash.*\(will retry\)/);
    let condemned = false;
    for (let i = 0; i < 20 && !condemned; i++) {
      t += 10 * MIN;
      const s = await b.sync();
      condemned = s.errors.some((e) => e.includes(`${pack} is damaged on the remote`));
    }
    expect(condemned).toBe(true);
    await b.sync(); // announces the pack in its next segment
    // a checks the announced pack against its name, and (the mismatch persisting: a read may be
    // torn here too) treats it as lost and uploads its content again.
    let seen;
    for (let i = 0; i < 20; i++) {
      seen = await a.sync();
      if (seen.uploaded.packs > 0) break;
      t += 10 * MIN;
    }
    expect(seen!.errors.join('\n')).toMatch(/1 pack\(s\) on the remote are damaged/);
    expect(seen!.uploaded.packs).toBe(1);
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'doc.txt': 'the only copy is on a' });
    await a.lib.close();
    await b.lib.close();
  });
});

describe('which segment a location is credited to', () => {
  it('the latest segment that gave it (what a checkpoint bundles it with); a location not published yet stays to publish', async () => {
    const state = new LocalState(join(await tempDir(), 'state.db'));
    const pack = `packs/${sha('pack')}`;
    const loc = (s: string): [string, string, number, number] => [sha(s), pack, 0, 4];
    const creditOf = (s: string) => (state.db.prepare('SELECT segment FROM chunk_locations WHERE hash = ?').get(sha(s)) as { segment: string | null }).segment;
    state.transaction(() => addLocations(state, [loc('one')], 'log/w.1/0000000001-0000000000000000'));
    state.transaction(() => addLocations(state, [loc('one')], 'log/w.1/0000000002-0000000000000000'));
    expect(creditOf('one')).toBe('log/w.1/0000000002-0000000000000000');
    state.addChunk(loc('mine'), null); // uploaded here, not yet in a segment of ours
    state.transaction(() => addLocations(state, [loc('mine')], 'log/w.1/0000000003-0000000000000000'));
    expect(creditOf('mine')).toBeNull();
    state.close();
  });
});

describe('locations a lost segment had given', () => {
  it('go out again in this node’s next segment, even with no version to go with them', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'x.md'), 'content of x, only on a');
    await a.sync();
    const pack = remote.debug.keys().find((k) => k.startsWith('packs/'))!;
    const chunk = sha('content of x, only on a');
    // Another writer's segment gives the very same location (a copy, or a rebuilt pack) and nothing else.
    const other = encodeSegment({ format: 1, repo: a.lib.repository, writer: 'zz-other.00000001', seq: 1, prev: null, versions: [], chunks: [[chunk, pack, 0, 23]] });
    await remote.putIfAbsent(other.key, other.bytes);
    const b = await makeNode(remote, 'b');
    await b.sync();
    await remote.delete!(other.key); // the storage lost it
    const s = await b.sync();
    expect(s.errors.join('\n')).toContain(`the remote lost ${other.key}`);
    expect(s.uploaded.segments).toBe(1); // b publishes the location the lost segment was credited with
    const published = remote.debug.keys().filter((k) => k.startsWith(`log/${b.lib.writer}/`));
    expect(published).toHaveLength(1);
    expect(JSON.parse(gunzipSync(remote.debug.raw(published[0]!)!).toString('utf8')).chunks).toEqual([[chunk, pack, 0, 23]]);
    expect((await b.sync()).uploaded.segments).toBe(0); // and only once
    for (const n of [a, b]) await n.lib.close();
  });
});

describe('looking up many chunks at once', () => {
  it('gives each chunk the locations one lookup gives, in the same order, alternatives last', async () => {
    const state = new LocalState(join(await tempDir(), 'state.db'));
    const packs = [0, 1, 2].map((i) => `packs/${sha(`pack ${i}`)}`);
    const chunks = Array.from({ length: 1500 }, (_, i) => sha(`chunk ${i}`));
    state.transaction(() => {
      // One to three locations per chunk, learned in an order that is not the chunks' order, and
      // for every tenth chunk a second (offset, length) in a pack it already has: an alternative.
      for (let round = 0; round < 3; round++)
        addLocations(
          state,
          chunks.filter((_, i) => (i + round) % 3 !== 0 || round === 0).map((h, i) => [h, packs[(i + round) % 3]!, i * 7 + round, 5] as [string, string, number, number]),
          `log/w.1/000000000${round + 1}-0000000000000000`,
        );
      addLocations(
        state,
        chunks.filter((_, i) => i % 10 === 0).map((h) => [h, packs[0]!, 999_999, 3] as [string, string, number, number]),
        'log/w.1/0000000009-0000000000000000',
      );
    });
    const asked = [...chunks.slice(0, 1200), sha('a chunk nobody has')];
    const one = chunkLocator(state);
    const many = one.many!(asked);
    expect([...many.keys()]).toEqual(asked);
    for (const h of asked) expect(many.get(h)).toEqual(chunkLocations(state, h));
    // Where a chunk already had a location in a pack, another (offset, length) there is an
    // alternative: they come last, the most recently learned first.
    const alternatives = state.db.prepare('SELECT hash, pack, offset, length FROM chunk_location_alternates ORDER BY rowid DESC').raw(true).all() as [string, string, number, number][];
    expect(alternatives.length).toBeGreaterThan(100);
    for (const h of new Set(alternatives.map((a) => a[0]).filter((a) => many.has(a)))) {
      const own = alternatives.filter((a) => a[0] === h);
      expect(many.get(h)!.slice(-own.length)).toEqual(own);
    }
    expect(many.get(sha('a chunk nobody has'))).toEqual([]);
    // A few chunks out of a large table: looked up one by one, with the same answers.
    expect(one.many!(chunks.slice(0, 3))).toEqual(new Map(chunks.slice(0, 3).map((h) => [h, chunkLocations(state, h)])));
    state.close();
  });
});

describe('a download’s plan', () => {
  it('looks its chunks up all at once where it can, and each chunk read then costs no lookup', async () => {
    const state = new LocalState(join(await tempDir(), 'state.db'));
    const pack = `packs/${sha('pack')}`;
    const chunks = Array.from({ length: 1200 }, (_, i) => sha(`chunk ${i}`));
    state.transaction(() =>
      addLocations(
        state,
        chunks.map((h, i) => [h, pack, i * 4, 4] as [string, string, number, number]),
        'log/w.1/0000000001-0000000000000000',
      ),
    );
    const calls = { one: 0, many: 0 };
    const inner = chunkLocator(state);
    const locate: Locate = (h) => (calls.one++, inner(h));
    locate.many = (hs) => (calls.many++, inner.many!(hs));
    const fetcher = new ChunkFetcher(createMemoryStorage(), FORMAT_1, locate);
    fetcher.plan([...chunks, ...chunks.slice(0, 10)]); // a chunk two files share is planned twice, looked up once
    expect(calls).toEqual({ one: 0, many: 1 });
    fetcher.plan(chunks.slice(0, 5)); // planned already: nothing to look up
    expect(calls).toEqual({ one: 0, many: 1 });
    state.close();
  });
});

describe('the index of locations not published yet', () => {
  it('is made by the round that publishes, while its pages are at hand, not by the no-op after it', async () => {
    const a = await makeNode(createMemoryStorage(), 'a');
    await writeFile(join(a.dir, 'a.txt'), 'content');
    await a.sync();
    // A first upload always has something to publish: before, the index waited for the next
    // round with nothing to publish, which read the whole table to build it (11-41 ms of the
    // benchmark library's first no-op).
    const indexes = a.lib.state.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'chunk_locations_unpublished'").all();
    expect(indexes).toEqual([{ name: 'chunk_locations_unpublished' }]);
    await a.lib.close();
  });
});
