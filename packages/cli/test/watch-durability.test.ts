/**
 * `syncacross watch` keeps what it is given, as real child processes over a folder remote:
 * - ten edits of one file made while the NAS is unplugged are each staged as they settle, and all
 *   ten are in every node's history once it is back;
 * - a 1 GiB burst of changes while unplugged never takes the outbox past --staging-limit, and all
 *   of it arrives when the NAS is back;
 * - the watcher killed with SIGKILL at random moments, while the user keeps editing, loses nothing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statusOutput } from '../src/json-output.js';
import { cleanup, finish, run, runJson, snapshot, start, tempDir, until, writeFiles } from './helpers.js';

afterAll(cleanup);

/** Each wait's bound: a status is a child process, and the watch's rounds go on beside it. */
const SLOW = 60_000;

async function library(): Promise<{ base: string; a: string; nas: string }> {
  const base = await tempDir();
  const a = join(base, 'a');
  const nas = join(base, 'nas');
  await writeFiles(a, { 'start.md': 'start\n' });
  expect((await run(['init', a, '--remote', `fs:${nas}`, '-o', 'createRoot=true', '--name', 'laptop'])).code).toBe(0);
  return { base, a, nas };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** `status` beside the running watch: it must always answer (exit 0), whatever the watch is doing. */
async function status(dir: string) {
  const r = await runJson(['status', dir]);
  expect(r.code, r.stderr).toBe(0);
  return statusOutput.parse(r.json);
}

/** A second machine joins and syncs; returns its folder. */
async function otherMachine(base: string, nas: string): Promise<string> {
  const b = join(base, 'b');
  expect((await run(['init', b, '--remote', `fs:${nas}`, '--name', 'office'])).code).toBe(0);
  const r = await run(['sync', b, '--retries', '0']);
  expect(r.code, r.stderr).toBe(0);
  return b;
}

/** Bytes under the outbox's packs folder. */
function outboxBytes(dir: string): number {
  const packs = join(dir, '.syncacross', 'outbox', 'packs');
  return existsSync(packs) ? readdirSync(packs).reduce((sum, n) => sum + statSync(join(packs, n)).size, 0) : 0;
}

describe('watch keeps everything', () => {
  it('ten edits made while the NAS is unplugged are each staged, and all ten reach the other machine', async () => {
    const { base, a, nas } = await library();
    const watcher = start(['watch', a, '--interval', '1', '--settle', '200']);
    const done = finish(watcher);
    try {
      await until(async () => (await status(a)).lastSync !== null, 'the first round', SLOW, 100);
      renameSync(nas, `${nas}-unplugged`);
      for (let i = 1; i <= 10; i++) {
        writeFileSync(join(a, 'notes.md'), `edit ${i} made offline\n`);
        await until(async () => (await status(a)).pendingVersions === i, `edit ${i} staged`, SLOW, 100);
      }
      expect((await status(a)).staged.packs).toBeGreaterThan(0);
      renameSync(`${nas}-unplugged`, nas);
      await until(
        async () => {
          const s = await status(a);
          return s.pendingVersions === 0 && s.staged.packs === 0;
        },
        'the outbox sent',
        SLOW,
        100,
      );
    } finally {
      watcher.kill('SIGTERM');
    }
    expect((await done).code).toBe(0);
    const b = await otherMachine(base, nas);
    const log = await runJson(['log', 'notes.md', '-d', b]);
    expect(log.json.entries).toHaveLength(10);
    // Every one of them can be brought back there.
    for (const [i, entry] of (log.json.entries as { hash: string }[]).entries()) {
      const to = join(base, `restored-${i}`);
      const r = await run(['restore', 'notes.md', '--at', entry.hash, '--to', to, '-d', b]);
      expect(r.code, r.stderr).toBe(0);
      expect((await snapshot(to))['notes.md']).toBe(`edit ${i + 1} made offline\n`);
    }
  }, 240_000);

  it('a 1 GiB burst while unplugged keeps the outbox within --staging-limit, and all of it arrives later', async () => {
    const { base, a, nas } = await library();
    renameSync(nas, `${nas}-unplugged`);
    const limit = 100 * 1024 * 1024;
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 64; i++) files[`burst/f${i}.bin`] = randomBytes(16 * 1024 * 1024); // does not compress
    await writeFiles(a, files);
    const offline = await run(['sync', a, '--retries', '0', '--stable-after', '0', '--staging-limit', '100M']);
    expect(offline.code).toBe(3);
    expect(offline.stderr).toMatch(/could not stage the changes here: the local outbox is full.*they stay on disk/);
    expect(outboxBytes(a)).toBeLessThanOrEqual(limit);
    expect(outboxBytes(a)).toBeGreaterThan(0);
    renameSync(`${nas}-unplugged`, nas);
    const back = await run(['sync', a, '--retries', '0', '--stable-after', '0']);
    expect(back.code, back.stderr).toBe(0);
    expect(outboxBytes(a)).toBe(0);
    const b = await otherMachine(base, nas);
    // Every byte: compared by hash, not read into one string.
    for (const [path, bytes] of Object.entries(files)) expect(sha256(readFileSync(join(b, path))), path).toBe(sha256(bytes));
  }, 300_000);

  it('SIGKILL of the watcher at random moments, while the user keeps editing, loses nothing', async () => {
    const { base, a, nas } = await library();
    let seed = 20261201;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const expected: Record<string, string> = { 'start.md': 'start\n' };
    mkdirSync(join(a, 'notes'));
    for (let life = 0; life < 6; life++) {
      const watcher = start(['watch', a, '--interval', '1', '--settle', '100']);
      const done = finish(watcher);
      for (let e = 0; e < 4; e++) {
        const path = `notes/n${Math.floor(random() * 6)}.md`;
        const text = `life ${life} edit ${e}: ${'x'.repeat(Math.floor(random() * 200_000))}\n`;
        writeFileSync(join(a, path), text);
        expected[path] = text;
        await new Promise((r) => setTimeout(r, random() * 700));
      }
      watcher.kill('SIGKILL');
      expect((await done).code).toBe(128); // killed: no exit code of its own
    }
    // A last round by hand, as the next start of the watcher would make.
    const last = await run(['sync', a, '--retries', '0', '--stable-after', '0']);
    expect(last.code, last.stderr).toBe(0);
    const b = await otherMachine(base, nas);
    expect(await snapshot(b)).toEqual(expected);
  }, 240_000);
});
