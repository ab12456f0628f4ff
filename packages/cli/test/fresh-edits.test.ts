/**
 * Whatever is on disk when `sync` starts is synced, or named as not synced with a non-zero exit
 * code: a file saved a moment ago is taken, a live SQLite database written several times a
 * second is taken (through SQLite's backup API), and a file still being written after the
 * bounded wait is listed in `skipped` with the reason, exit 8. Default --stable-after throughout.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { syncOutput } from '../src/json-output.js';
import { cleanup, run, runJson, snapshot, tempDir, writeFiles, type RunResult } from './helpers.js';

afterAll(cleanup);

/** The engine counts a file unchanged for 300 ms as settled; the writer must never pause that long. */
const SETTLED_AFTER_MS = 300;

/**
 * Runs the CLI while appending to `file` every 20 ms. On a loaded machine the writer itself can
 * be starved past the engine's quiet window, and then the file really did stop changing and was
 * rightly taken: such a run proves nothing, so it is repeated (the CI once saw exactly that).
 */
async function syncWhileWriting(file: string, args: string[]): Promise<RunResult> {
  for (let attempt = 1; attempt <= 4; attempt++) {
    let last = Date.now();
    let longestPause = 0;
    const writer = setInterval(() => {
      appendFileSync(file, `line ${Date.now()}\n`);
      const now = Date.now();
      longestPause = Math.max(longestPause, now - last);
      last = now;
    }, 20);
    try {
      const r = await run(args);
      if (Math.max(longestPause, Date.now() - last) < SETTLED_AFTER_MS - 50) return r;
    } finally {
      clearInterval(writer);
    }
  }
  throw new Error(`the writer never kept writing without a pause of ${SETTLED_AFTER_MS} ms; this machine is too loaded for the test`);
}

async function library() {
  const base = await tempDir();
  const dir = join(base, 'lib');
  await writeFiles(dir, { 'old.md': 'settled long ago\n' });
  expect((await run(['init', dir, '--remote', `fs:${base}/remote`, '-o', 'createRoot=true'])).code).toBe(0);
  return { base, dir };
}

describe('fresh edits', () => {
  it('a file saved just before sync is synced, not skipped in silence', async () => {
    const { base, dir } = await library();
    writeFileSync(join(dir, 'just-saved.md'), 'saved a moment ago\n'); // mtime: now
    const r = await runJson(['sync', dir, '--retries', '0']);
    expect(r.code, r.stderr).toBe(0);
    const out = syncOutput.parse(r.json);
    expect(out.local.added).toBe(2);
    expect(out.skipped).toEqual([]);
    const other = join(base, 'other');
    expect((await run(['init', other, '--remote', `fs:${base}/remote`])).code).toBe(0);
    expect((await run(['sync', other, '--retries', '0'])).code).toBe(0);
    expect(await snapshot(other)).toEqual({ 'old.md': 'settled long ago\n', 'just-saved.md': 'saved a moment ago\n' });
    const status = await runJson(['status', dir]);
    expect(status.json.pendingVersions).toBe(0);
  });

  it('a file written throughout the sync is named in skipped with the reason, exit 8', async () => {
    const { dir } = await library();
    const file = join(dir, 'growing.log');
    writeFileSync(file, 'line\n');
    const r = await syncWhileWriting(file, ['--json', 'sync', dir, '--retries', '0']);
    expect(r.code, r.stderr).toBe(8);
    const out = syncOutput.parse(JSON.parse(r.stdout));
    expect(out.exitCode).toBe(8);
    expect(out.skipped).toEqual([{ path: 'growing.log', reason: expect.stringMatching(/still being written/) }]);
    expect(out.local.added).toBe(1); // old.md
    const human = await syncWhileWriting(file, ['sync', dir, '--retries', '0']);
    expect(human.code).toBe(8);
    expect(human.stderr).toMatch(/not synced: growing\.log: still being written/);
  });

  it('a live SQLite database written several times a second is synced, consistent', async () => {
    const { base, dir } = await library();
    const db = new Database(join(dir, 'app.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    insert.run('first');
    const writer = setInterval(() => insert.run(`written at ${Date.now()}`), 100);
    try {
      const r = await runJson(['sync', dir, '--retries', '0']);
      expect(r.code, r.stderr).toBe(0);
      const out = syncOutput.parse(r.json);
      expect(out.skipped).toEqual([]);
      expect(out.local.added).toBe(2); // old.md and app.db
    } finally {
      clearInterval(writer);
      db.close();
    }
    const other = join(base, 'other');
    expect((await run(['init', other, '--remote', `fs:${base}/remote`])).code).toBe(0);
    expect((await run(['sync', other, '--retries', '0'])).code).toBe(0);
    const copy = new Database(join(other, 'app.db'), { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((copy.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n).toBeGreaterThanOrEqual(1);
    } finally {
      copy.close();
    }
  });
});
