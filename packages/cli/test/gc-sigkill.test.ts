/**
 * `syncacross gc` killed with SIGKILL at the worst moments (docs/PROTOCOL.md §3.10, §3.12): while it
 * writes the checkpoint it will rely on, in the middle of its deletes, and between a repack's
 * copies and the segment that announces them. After each kill the
 * other machine syncs and verifies clean, and a later `gc` finishes the job; at the end a new
 * machine joins with every file and every version.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openLibrary } from '@syncacross/sync-core';
import { createFsStorage } from '@syncacross/adapter-fs';
import { cleanup, FAST, run, runJson, start, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

const count = (dir: string) => {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
};

const GATE = fileURLToPath(new URL('./gate-adapter/index.mjs', import.meta.url));

/** Runs `gc` until the gate adapter holds it at the request `holdFile` names, then kills it with SIGKILL. */
async function gcKilledAt(dir: string, remote: string, holdFile: string, content = ''): Promise<void> {
  writeFileSync(holdFile, content);
  rmSync(`${remote}.held`, { force: true });
  const child = start(['gc', dir, '--margin', '0s']);
  try {
    const deadline = Date.now() + 60_000;
    while (!existsSync(`${remote}.held`) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(`${remote}.held`), 'gc never reached the held request').toBe(true);
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
    rmSync(holdFile, { force: true });
  }
}

/** `rounds` syncs of small edits on library `dir`, in this process (the CLI would take a second each). */
async function history(dir: string, remote: string, rounds: number, tag: string): Promise<void> {
  const lib = await openLibrary({ dir, storage: await createFsStorage({ root: remote }), stableAfterMs: 0, collection: false });
  for (let r = 0; r < rounds; r++) {
    await writeFiles(dir, { [`notes/n${r % 9}.md`]: `${tag} ${r}\n` });
    await lib.sync();
  }
  await lib.close();
}

describe('gc under SIGKILL', () => {
  it('a gc killed while writing its checkpoint, mid-delete or mid-repack leaves a repository every node reads; the next one finishes', async () => {
    const base = await tempDir();
    const [a, b, c, remote] = ['a', 'b', 'c', 'remote'].map((n) => join(base, n)) as [string, string, string, string];
    await writeFiles(a, { 'paper.pdf': 'p'.repeat(30_000) });
    expect((await run(['init', a, '--remote', `${GATE}:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
    expect((await run(['init', b, '--remote', `fs:${remote}`])).code).toBe(0);
    await history(a, remote, 300, 'a');
    expect((await run(['sync', b, ...FAST])).code).toBe(0);
    const log = join(remote, 'log');
    const segments = count(log);
    expect(segments).toBeGreaterThanOrEqual(300);

    const checkOtherMachine = async (i: number) => {
      // The other machine syncs and verifies clean: nothing missing, nothing sent out again.
      await writeFiles(b, { [`b-${i}.md`]: `b ${i}\n` });
      const bs = await runJson(['sync', b, ...FAST]);
      expect(bs.code, bs.stderr).toBe(0);
      expect(bs.json.errors).toEqual([]);
      const v = await runJson(['verify', b]);
      expect(v.json.problems, v.stderr).toEqual([]);
    };
    // 1. Killed with the checkpoint's parts up and its manifest not: parts no manifest names.
    await gcKilledAt(a, remote, `${remote}.hold-manifest`);
    expect(count(join(remote, 'checkpoint-parts'))).toBeGreaterThan(0);
    expect(count(join(remote, 'checkpoints'))).toBe(0);
    expect(count(log)).toBe(segments);
    await checkOtherMachine(0);
    // 2. Killed mid-delete, after 40 and then after 100 more.
    for (const [i, n] of [40, 100].entries()) {
      const before = count(log);
      await gcKilledAt(a, remote, `${remote}.hold-delete`, String(n));
      expect(count(log)).toBeLessThan(before);
      expect(count(log)).toBeGreaterThan(0);
      await checkOtherMachine(i + 1);
    }

    // 3. Killed with a repack's copies up (the 300 small packs merged) and the segment announcing
    // the repacked packs not: it waits in the journal, and the packs stay, needed where they are.
    const packs = count(join(remote, 'packs'));
    await gcKilledAt(a, remote, `${remote}.hold`);
    expect(count(join(remote, 'packs'))).toBeGreaterThan(packs);
    await checkOtherMachine(3);

    // The next run finishes the job: only what came after the checkpoint is left.
    const done = await runJson(['gc', a, '--margin', '0s']);
    expect(done.code, done.stderr).toBe(0);
    const again = await runJson(['gc', a, '--margin', '0s']);
    expect(again.code, again.stderr).toBe(0);
    expect(count(log)).toBeLessThanOrEqual(6); // b's segments since, and the last runs' announcements of condemned packs
    expect(count(join(remote, 'clock'))).toBe(0);

    expect((await run(['init', c, '--remote', `fs:${remote}`])).code).toBe(0);
    const cs = await run(['sync', c, ...FAST]);
    expect(cs.code, cs.stdout + cs.stderr).toBe(0);
    const as = await run(['sync', a, ...FAST]);
    expect(as.code, as.stdout + as.stderr).toBe(0);
    // The small packs went, announced again by the runs that finished; what is left holds everything.
    expect((await runJson(['gc', a, '--margin', '0s'])).code).toBe(0);
    expect(count(join(remote, 'packs'))).toBeLessThan(packs / 10);
    expect((await runJson(['verify', c, '--read-data'])).json.problems).toEqual([]);
    for (const f of ['paper.pdf', 'notes/n0.md', 'notes/n8.md', 'b-1.md']) expect(readFileSync(join(c, f), 'utf8'), f).toBe(readFileSync(join(a, f), 'utf8'));
    const versions = (dir: string) => runJson(['log', 'notes/n4.md', '-d', dir]).then((r) => JSON.stringify(r.json.entries ?? r.json));
    expect(await versions(c)).toBe(await versions(a));
  }, 240_000);
});
