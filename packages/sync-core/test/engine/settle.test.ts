/**
 * Which files a one-shot sync waits for (src/engine/settle.ts), judged by their mtime against the
 * clock. A file written in the very millisecond the wait starts, or stamped by a NAS whose clock
 * runs ahead, is as fresh as one written a moment ago; only one far in the future is not waited for.
 */
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settleRecent } from '../../src/engine/settle.js';
import type { DiskEntry } from '../../src/local/scan.js';

const root = mkdtempSync(join(tmpdir(), 'settle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A file on disk, as the walk saw it with the stat time `mtimeMs` (on disk it has another). A file
 * the wait watches has its stat refreshed from the disk; one it does not watch keeps the walk's.
 */
function seenByTheWalk(name: string, mtimeMs: number): DiskEntry {
  const abs = join(root, name);
  writeFileSync(abs, `${name}\n`);
  const s = statSync(abs);
  return { diskPath: name, path: name, kind: 'file', size: s.size, mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino, exec: false };
}

const watched = (entries: DiskEntry[]) => entries.filter((e) => e.mtimeMs === statSync(join(root, e.diskPath)).mtimeMs).map((e) => e.diskPath);

describe('settleRecent', () => {
  it('waits for a file stamped a fraction of a millisecond ahead, or seconds ahead by a NAS clock', async () => {
    const now = Date.now();
    const entries = [seenByTheWalk('this-millisecond.log', now + 0.6), seenByTheWalk('nas-ahead.log', now + 1500), seenByTheWalk('a-moment-ago.log', now - 500)];
    // Each looked changed at the first check (the walk's mtime is not the disk's), then settled.
    expect(await settleRecent(root, entries, { recentMs: 2000, maxWaitMs: 5000, quietMs: 10 })).toEqual(new Map());
    expect(watched(entries)).toEqual(['this-millisecond.log', 'nas-ahead.log', 'a-moment-ago.log']);
  });

  it('does not wait for a file from a machine whose clock is far ahead, nor for an old one', async () => {
    const now = Date.now();
    const entries = [seenByTheWalk('year-ahead.log', now + 365 * 86_400_000), seenByTheWalk('old.log', now - 60_000)];
    expect(await settleRecent(root, entries, { recentMs: 2000, maxWaitMs: 5000, quietMs: 10 })).toEqual(new Map());
    expect(watched(entries)).toEqual([]);
  });

  it('names a file that changes throughout the wait', async () => {
    const abs = join(root, 'busy.log');
    const entries = [seenByTheWalk('busy.log', Date.now())];
    let n = 0;
    const writer = setInterval(() => writeFileSync(abs, `${n++}\n`.repeat(n)), 2); // due before each 20 ms check
    try {
      const unsettled = await settleRecent(root, entries, { recentMs: 2000, maxWaitMs: 100, quietMs: 20 });
      expect([...unsettled.values()]).toEqual([expect.stringMatching(/still being written/)]);
    } finally {
      clearInterval(writer);
    }
  });

  it('a file is settled only after a whole quiet interval unchanged, even at the end of the wait', async () => {
    const abs = join(root, 'appended.log');
    const entries = [seenByTheWalk('appended.log', 0)];
    entries[0]!.mtimeMs = statSync(abs).mtimeMs; // as the walk saw it: no change yet
    // Written at 150 ms and 450 ms: the check at 300 ms sees a change, and so does the one at
    // 600 ms. The wait ends at 350 ms; a last check cut to the 50 ms left would see none.
    const writes = [150, 450].map((ms, i) => setTimeout(() => writeFileSync(abs, `write ${i}\n`), ms));
    try {
      const unsettled = await settleRecent(root, entries, { recentMs: 2000, maxWaitMs: 350, quietMs: 300 });
      expect([...unsettled.keys()]).toEqual(['appended.log']);
    } finally {
      writes.forEach(clearTimeout);
    }
  });

  it('a recent file that stops changing is read, with the stat it settled at', async () => {
    const abs = join(root, 'saved.md');
    writeFileSync(abs, 'saved\n');
    utimesSync(abs, new Date(), new Date());
    const s = statSync(abs);
    const entry: DiskEntry = { diskPath: 'saved.md', path: 'saved.md', kind: 'file', size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino, exec: false };
    expect(await settleRecent(root, [entry], { recentMs: 2000, maxWaitMs: 1000, quietMs: 10 })).toEqual(new Map());
    expect(entry.mtimeMs).toBe(s.mtimeMs);
  });
});
