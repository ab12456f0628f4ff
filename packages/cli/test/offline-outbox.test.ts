/**
 * An unplugged NAS (the remote folder gone): `sync` still takes every change here into the
 * outbox and says so (exit 3), `status` tells what is staged locally from what is on the remote,
 * and once the NAS is back the next sync sends every offline version. The built CLI, a folder
 * remote moved away and back.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statusOutput } from '../src/json-output.js';
import { cleanup, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

function edit(path: string, text: string | Uint8Array, secondsAgo: number): void {
  writeFileSync(path, text);
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, t, t);
}

describe('offline outbox', () => {
  it('edits made while the NAS is unplugged are staged, shown by status, and all sent when it is back', async () => {
    const base = await tempDir();
    const dir = join(base, 'lib');
    await writeFiles(dir, { 'notes.md': 'first\n' });
    edit(join(dir, 'notes.md'), 'first\n', 120);
    expect((await run(['init', dir, '--remote', `fs:${base}/nas`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['sync', dir, '--retries', '0'])).code).toBe(0);

    renameSync(join(base, 'nas'), join(base, 'nas-unplugged'));
    for (let i = 1; i <= 3; i++) {
      edit(join(dir, 'notes.md'), `offline edit ${i}\n`, 100 - i);
      const r = await run(['sync', dir, '--retries', '0']);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/remote unreachable: .*1 change\(s\) here were staged locally/);
    }
    const status = await runJson(['status', dir]);
    const st = statusOutput.parse(status.json);
    expect(st.pendingVersions).toBe(3);
    expect(st.staged.packs).toBeGreaterThan(0);
    expect((await run(['status', dir])).stdout).toMatch(/staged\s+[\d.]+ [KMGT]?B in \d+ packs here, waiting for the remote/);

    renameSync(join(base, 'nas-unplugged'), join(base, 'nas'));
    const back = await run(['sync', dir, '--retries', '0']);
    expect(back.code, back.stderr).toBe(0);
    const after = statusOutput.parse((await runJson(['status', dir])).json);
    expect(after.staged).toEqual({ packs: 0, bytes: 0 });
    expect(after.pendingVersions).toBe(0);

    const other = join(base, 'other');
    expect((await run(['init', other, '--remote', `fs:${base}/nas`])).code).toBe(0);
    expect((await run(['sync', other, '--retries', '0'])).code).toBe(0);
    const log = await runJson(['log', 'notes.md', '-d', other]);
    expect(log.code, log.stderr).toBe(0);
    expect(log.json.entries).toHaveLength(4);
  });

  it('past --staging-limit, sync says how many earlier offline versions it dropped, and status still tells staged from sent', async () => {
    const base = await tempDir();
    const dir = join(base, 'lib');
    await writeFiles(dir, { 'photo.raw': 'first\n' });
    edit(join(dir, 'photo.raw'), 'first\n', 120);
    expect((await run(['init', dir, '--remote', `fs:${base}/nas`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['sync', dir, '--retries', '0'])).code).toBe(0);

    renameSync(join(base, 'nas'), join(base, 'nas-unplugged'));
    const limit = ['--staging-limit', '500K'];
    edit(join(dir, 'photo.raw'), randomBytes(300 * 1024), 100);
    expect((await run(['sync', dir, '--retries', '0', ...limit])).stderr).not.toMatch(/dropped/);
    const newest = randomBytes(300 * 1024);
    edit(join(dir, 'photo.raw'), newest, 90);
    const r = await run(['sync', dir, '--retries', '0', ...limit]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/1 change\(s\) here were staged locally.*; 1 earlier offline version\(s\) of 1 file\(s\) were dropped to stay within the staging limit/);
    const st = statusOutput.parse((await runJson(['status', dir])).json);
    expect(st.pendingVersions).toBe(1);
    expect(st.staged.bytes).toBeGreaterThan(0);
    expect(st.staged.bytes).toBeLessThanOrEqual(500 * 1024);

    renameSync(join(base, 'nas-unplugged'), join(base, 'nas'));
    expect((await run(['sync', dir, '--retries', '0'])).code).toBe(0);
    const other = join(base, 'other');
    expect((await run(['init', other, '--remote', `fs:${base}/nas`])).code).toBe(0);
    expect((await run(['sync', other, '--retries', '0'])).code).toBe(0);
    expect(readFileSync(join(other, 'photo.raw')).equals(newest)).toBe(true);
    expect((await runJson(['log', 'photo.raw', '-d', other])).json.entries).toHaveLength(2);
  });

  it('a size it cannot read is a usage error', async () => {
    const base = await tempDir();
    const dir = join(base, 'lib');
    await writeFiles(dir, {});
    expect((await run(['init', dir, '--remote', `fs:${base}/nas`, '-o', 'createRoot=true'])).code).toBe(0);
    const r = await run(['sync', dir, '--staging-limit', 'plenty']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--staging-limit "plenty": expected a size such as 500M/);
  });
});
