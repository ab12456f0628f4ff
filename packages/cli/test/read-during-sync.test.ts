/**
 * `status`, `log` and `conflicts` only read the state: they work while a sync runs in another
 * process (SQLite WAL lets a reader beside a writer), instead of exiting 6 "being synced". The
 * sync is held mid-round deterministically by test/gate-adapter (it waits before uploading its
 * segment until the test lets it go).
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { statusOutput } from '../src/json-output.js';
import { cleanup, FAST, finish, run, runJson, start, tempDir, until, writeFiles } from './helpers.js';

afterAll(cleanup);

const GATE = fileURLToPath(new URL('./gate-adapter/index.mjs', import.meta.url));

describe('read-only commands during a sync', () => {
  it('status, log and conflicts succeed while another process is syncing the library', async () => {
    const base = await tempDir();
    const dir = join(base, 'lib');
    const remote = join(base, 'remote');
    await mkdir(remote);
    await writeFiles(dir, { 'a.md': 'one\n', 'b/c.md': 'two\n' });
    const init = await run(['init', dir, '--remote', `${GATE}:${remote}`]);
    expect(init.code, init.stderr).toBe(0);

    await writeFile(`${remote}.hold`, '');
    const sync = start(['sync', dir, ...FAST]);
    const done = finish(sync);
    try {
      await until(() => existsSync(`${remote}.held`) || sync.exitCode !== null, 'the sync to reach its segment upload');
      expect(sync.exitCode).toBeNull(); // still running, holding the library

      const status = await runJson(['status', dir]);
      expect(status.code, status.stderr).toBe(0);
      expect(statusOutput.parse(status.json).unuploadedSegments).toBe(1); // what the held sync journaled
      const log = await runJson(['log', '--dir', dir]);
      expect(log.code, log.stderr).toBe(0);
      expect(log.json.entries.map((e: { path: string }) => e.path).sort()).toEqual(['a.md', 'b/c.md']);
      const conflicts = await run(['conflicts', dir]);
      expect(conflicts.code, conflicts.stderr).toBe(0);
      expect(conflicts.stdout).toContain('no conflicts');
      // A second sync still waits for the first: only readers go beside it.
      expect((await run(['sync', dir, ...FAST])).code).toBe(6);
    } finally {
      await rm(`${remote}.hold`, { force: true });
    }
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    const after = statusOutput.parse((await runJson(['status', dir])).json);
    expect(after.unuploadedSegments).toBe(0);
  });
});
