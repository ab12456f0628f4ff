/**
 * A watch whose folder cannot be watched (the inotify limit reached: @parcel/watcher's subscribe
 * throws "inotify_add_watch on '…' failed: No space left on device", as it did here with
 * fs.inotify.max_user_watches at 20 for a library of 60 folders), or whose events stop with an
 * error, says so once through `onNotice`, with what to do, and finds local changes by scanning on
 * every interval instead. Before, both went unsaid, and the watch looked as if it worked. The
 * watcher is replaced here (a real limit is machine-wide: lowering it would fail every other test
 * that watches); the folders and the rounds are real.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage, waitFor } from '@syncacross/sync-core/testing';
import { cleanup, makeNode } from './helpers.js';

const watcher = vi.hoisted(() => ({ mode: 'refuse' as 'refuse' | 'fail-later', fail: undefined as ((e: Error) => void) | undefined }));
vi.mock('@parcel/watcher', () => ({
  subscribe: async (_dir: string, callback: (error: Error | null, events: { path: string }[]) => void) => {
    if (watcher.mode === 'refuse') throw new Error("inotify_add_watch on '/library/d56' failed: No space left on device");
    watcher.fail = (e) => callback(e, []);
    return { unsubscribe: async () => undefined };
  },
}));

afterEach(cleanup);

describe('a folder that cannot be watched', () => {
  it.each(['refuse', 'fail-later'] as const)('%s: said once, with the limit to raise; a local change is still found, by the next scan', async (mode) => {
    watcher.mode = mode;
    const a = await makeNode(createMemoryStorage(), 'a');
    const stop = new AbortController();
    const notices: string[] = [];
    const uploaded: number[] = [];
    const w = a.lib.watch({
      signal: stop.signal,
      intervalMs: 300,
      settleMs: 50,
      rescanMs: 60_000, // with events, no scan would come in this test's time
      onNotice: (m) => notices.push(m),
      onRound: (r) => 'summary' in r && uploaded.push(r.summary.uploaded.versions),
    });
    await waitFor(() => uploaded.length > 0, 'the first round');
    if (mode === 'fail-later') {
      expect(notices).toEqual([]);
      watcher.fail!(new Error('Error starting FSEvents stream'));
      watcher.fail!(new Error('said once only'));
    }
    expect(notices).toEqual([
      mode === 'refuse'
        ? "local changes cannot be watched (inotify_add_watch on '/library/d56' failed: No space left on device): they are found by a scan of the folder every 0.3s instead" +
          (process.platform === 'linux' ? '; raise the inotify watch limit (fs.inotify.max_user_watches) for events' : '')
        : 'local changes cannot be watched (Error starting FSEvents stream): they are found by a scan of the folder every 0.3s instead',
    ]);
    await writeFile(join(a.dir, 'notes.md'), 'written while unwatched');
    await waitFor(() => uploaded.some((n) => n > 0), 'a scan that uploads notes.md', { timeoutMs: 10_000 });
    stop.abort();
    await w.done;
    await a.lib.close();
  });
});
