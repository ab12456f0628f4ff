/**
 * A hash-named object read before its content is complete (davfs2, rclone mounts, stores that
 * write in place) or briefly missing is retried, never condemned at once: the round reports it
 * as retryable (the CLI exits 3), and converges once the object is whole. Only a mismatch that
 * persists (5 reads over 30 minutes, on the injected clock) is reported as corrupt, and a
 * corrupt object is read again when it changes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError, type Storage } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, snapshot } from './helpers.js';

afterEach(cleanup);
const MIN = 60_000;

/** A clock the test moves by hand. */
function clock(start = Date.now()) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** The memory storage, with some listed keys reading as NotFound (a listing ahead of reads). */
function withHidden(inner: Storage, hidden: Set<string>): Storage {
  return { ...inner, get: async (key, o) => (hidden.has(key) ? Promise.reject(new StorageError('NotFound', `${key} not found`)) : inner.get(key, o)) };
}

async function twoNodesWithOneSegment() {
  const remote = createMemoryStorage();
  const a = await makeNode(remote, 'a');
  await writeFile(join(a.dir, 'from-a.txt'), 'hello from a');
  await a.sync();
  const seg = remote.debug.keys().find((k) => k.startsWith(`log/${a.lib.writer}/`))!;
  return { remote, a, seg, whole: remote.debug.raw(seg)! };
}

describe('a segment read before it is complete', () => {
  it('is retried, not condemned: retryable meanwhile, own edits still uploaded, then converges', async () => {
    const { remote, a, seg, whole } = await twoNodesWithOneSegment();
    remote.debug.overwrite(seg, whole.subarray(0, 10)); // the name is visible, the content not yet
    const b = await makeNode(remote, 'b');
    await writeFile(join(b.dir, 'from-b.txt'), 'hello from b');
    const first = await b.sync();
    expect(first.errors).toEqual([]);
    expect(first.retryable.join('\n')).toContain(`segment ${seg} does not match its hash`);
    expect(first.uploaded.segments).toBe(1);
    expect(b.lib.status().corruptSegments).toEqual([]);

    remote.debug.overwrite(seg, whole); // the writer's upload completes
    const second = await b.sync();
    expect(second.retryable).toEqual([]);
    expect(second.errors).toEqual([]);
    expect(await snapshot(b.dir)).toEqual({ 'from-a.txt': 'hello from a', 'from-b.txt': 'hello from b' });
    await a.lib.close();
    await b.lib.close();
  });

  it('is condemned only after 5 reads over 30 minutes, and read again when it changes', async () => {
    const { remote, a, seg, whole } = await twoNodesWithOneSegment();
    remote.debug.overwrite(seg, whole.subarray(0, 10));
    const c = clock();
    const b = await makeNode(remote, 'b', { now: c.now });
    const reads = () => b.lib.storage.stats.requests.get;
    const start = c.now();
    let attempts = 0;
    let rounds = 0;
    for (; rounds < 40 && b.lib.status().corruptSegments.length === 0; rounds++) {
      c.advance(4 * MIN);
      const s = await b.sync();
      if (reads() > 0) attempts++;
      if (b.lib.status().corruptSegments.length === 0) expect(s.retryable.join('\n')).toContain(seg);
      else expect(s.errors.join('\n')).toMatch(new RegExp(`corrupt segment .*has not matched its name for ${attempts} reads`));
    }
    expect(b.lib.status().corruptSegments).toEqual([seg]);
    expect(attempts).toBeGreaterThanOrEqual(5);
    expect(c.now() - start).toBeGreaterThanOrEqual(30 * MIN);
    expect(attempts).toBeLessThan(rounds); // backed off in between: not read every round
    const quiet = await b.sync();
    expect(quiet.retryable).toEqual([]);
    expect(quiet.requests.get).toBe(0); // condemned: not read again while unchanged

    remote.debug.overwrite(seg, whole); // it changes: read again, and now it verifies
    const healed = await b.sync();
    expect(healed.errors).toEqual([]);
    expect(b.lib.status().corruptSegments).toEqual([]);
    expect(await readFile(join(b.dir, 'from-a.txt'), 'utf8')).toBe('hello from a');
    await a.lib.close();
    await b.lib.close();
  });

  it('a listed segment that reads as missing is retryable, never corrupt', async () => {
    const { remote, a, seg } = await twoNodesWithOneSegment();
    const hidden = new Set([seg]);
    const c = clock();
    const b = await makeNode(withHidden(remote, hidden), 'b', { now: c.now });
    for (let i = 0; i < 8; i++) {
      const s = await b.sync();
      expect(s.errors).toEqual([]);
      expect(s.retryable.join('\n')).toContain(`segment ${seg} is listed but cannot be read yet`);
      c.advance(30 * MIN);
    }
    hidden.clear();
    const s = await b.sync();
    expect(s.retryable).toEqual([]);
    expect(await readFile(join(b.dir, 'from-a.txt'), 'utf8')).toBe('hello from a');
    await a.lib.close();
    await b.lib.close();
  });
});

describe('a pack read before it is complete, or briefly missing', () => {
  for (const how of ['short', 'missing'] as const) {
    it(`${how}: the file is retried (no rollback alarm, no error), then restored`, async () => {
      const remote = createMemoryStorage();
      const a = await makeNode(remote, 'a');
      await writeFile(join(a.dir, 'photo.jpg'), 'x'.repeat(5000));
      await a.sync();
      const pack = remote.debug.keys().find((k) => k.startsWith('packs/'))!;
      const whole = remote.debug.raw(pack)!;
      if (how === 'short') remote.debug.overwrite(pack, whole.subarray(0, 100));
      else remote.debug.remove(pack);
      const b = await makeNode(remote, 'b');
      await writeFile(join(b.dir, 'mine.txt'), 'mine');
      for (let i = 0; i < 3; i++) {
        const s = await b.sync();
        expect(s.errors).toEqual([]);
        expect(s.retryable.join('\n')).toMatch(/could not restore photo\.jpg: .*\(will retry\)/);
      }
      expect(b.lib.state.round.get('announceLost')).toEqual([]);
      remote.debug.overwrite(pack, whole);
      const s = await b.sync();
      expect(s.retryable).toEqual([]);
      expect(s.errors).toEqual([]);
      expect(await snapshot(b.dir)).toEqual({ 'photo.jpg': 'x'.repeat(5000), 'mine.txt': 'mine' });
      await a.lib.close();
      await b.lib.close();
    });
  }
});
