/**
 * `sync --dry-run` and `-v`/`-vv`, through the built binary: two nodes on a folder remote. A dry
 * run announces exactly what the next sync does and changes nothing: the remote folder (every
 * object, byte for byte), the library folder and its state database stay as they were.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncOutput } from '../src/json-output.js';
import { waitFor } from '@syncacross/sync-core/testing';
import { cleanup, FAST, finish, run, runJson, snapshot, start, tempDir, writeFiles } from './helpers.js';

let remote: string;
let alice: string;
let bob: string;

/** Every file under `dir` with its bytes (base64): the remote's objects, or a state folder. */
async function bytesUnder(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    out[relative(dir, p)] = (await readFile(p)).toString('base64');
  }
  return out;
}

/** What a node's state database holds (the lock file comes and goes with each command). */
const stateBytes = async (lib: string) => {
  const all = await bytesUnder(join(lib, '.syncacross'));
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('state.db')));
};

type Action = { path: string; action: string; change?: string; bytes: number };
const plain = (files: Action[]) => files.map(({ path, action, change, bytes }) => ({ path, action, change, bytes })).sort((a, b) => (a.path + a.action < b.path + b.action ? -1 : 1));

beforeAll(async () => {
  const base = await tempDir();
  remote = join(base, 'remote');
  alice = join(base, 'alice');
  bob = join(base, 'bob');
  await writeFiles(alice, { 'edited.md': 'first\n', 'gone.md': 'bye\n', 'kept.md': 'same\n' });
  expect((await run(['init', alice, '-r', `fs:${remote}`, '-o', 'createRoot=true', '-n', 'alice'])).code).toBe(0);
  expect((await run(['sync', alice, ...FAST])).code).toBe(0);
  expect((await run(['init', bob, '-r', `fs:${remote}`, '-n', 'bob'])).code).toBe(0);
  expect((await run(['sync', bob, ...FAST])).code).toBe(0);
});
afterAll(cleanup);

describe('sync --dry-run', () => {
  it("bob's dry run names alice's add, edit and delete, and his own new file; nothing changes; his sync then does exactly that", async () => {
    await writeFiles(alice, { 'edited.md': 'second, longer\n', 'docs/added.md': 'new on alice\n' });
    await rm(join(alice, 'gone.md'));
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);
    await writeFiles(bob, { 'mine.md': 'new on bob\n' });

    const before = { remote: await bytesUnder(remote), folder: await snapshot(bob), state: await stateBytes(bob) };
    const dry = await runJson(['sync', bob, '--dry-run', ...FAST]);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = syncOutput.parse(dry.json);
    expect(plan.dryRun).toBe(true);
    expect(plain(plan.files)).toEqual([
      { path: 'docs/added.md', action: 'download', change: 'new', bytes: 13 },
      { path: 'edited.md', action: 'download', change: 'changed', bytes: 15 },
      { path: 'gone.md', action: 'delete-local', change: undefined, bytes: 0 },
      { path: 'mine.md', action: 'upload', change: 'new', bytes: 11 },
    ]);
    expect(plan.requests.putIfAbsent).toBe(0);
    const text = await run(['sync', bob, '-n', ...FAST]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Dry run \(nothing was changed\)/);
    expect(text.stdout).toMatch(/download \(changed\)\s+edited\.md\s+15 B/);
    expect(text.stdout).toMatch(/delete locally\s+gone\.md/);
    expect(text.stdout).toMatch(/upload \(new\)\s+mine\.md\s+11 B/);
    expect({ remote: await bytesUnder(remote), folder: await snapshot(bob), state: await stateBytes(bob) }).toEqual(before);

    const real = await runJson(['sync', bob, ...FAST]);
    expect(real.code, real.stderr).toBe(0);
    const done = syncOutput.parse(real.json);
    expect(done.dryRun).toBeUndefined();
    expect(plain(done.files)).toEqual(plain(plan.files));
    expect({ up: done.uploaded, down: done.downloaded, local: done.local, remote: done.remote }).toEqual({ up: plan.uploaded, down: plan.downloaded, local: plan.local, remote: plan.remote });
    expect(await stateBytes(bob)).not.toEqual(before.state); // the check above can see a change
    expect((await run(['sync', alice, ...FAST])).code).toBe(0);
    expect(await snapshot(bob)).toEqual(await snapshot(alice));
  });

  it("alice's dry run announces her uploads and the remote stays byte-identical", async () => {
    await writeFiles(alice, { 'kept.md': 'not the same any more\n', 'big.bin': new Uint8Array(200_000).fill(7) });
    const before = await bytesUnder(remote);
    const dry = await runJson(['sync', alice, '--dry-run', ...FAST]);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = syncOutput.parse(dry.json);
    expect(plain(plan.files)).toEqual([
      { path: 'big.bin', action: 'upload', change: 'new', bytes: 200_000 },
      { path: 'kept.md', action: 'upload', change: 'changed', bytes: 22 },
    ]);
    expect(plan.uploaded.packs).toBeGreaterThan(0);
    expect(await bytesUnder(remote)).toEqual(before);
    const real = syncOutput.parse((await runJson(['sync', alice, ...FAST])).json);
    expect(plain(real.files)).toEqual(plain(plan.files));
    expect(real.uploaded).toEqual(plan.uploaded);
    expect(await bytesUnder(remote)).not.toEqual(before);
  });

  it('names what it cannot sync and exits 8, as a sync would', async () => {
    await symlink(join(alice, 'kept.md'), join(alice, 'link.md'));
    try {
      const dry = await run(['sync', alice, '--dry-run', ...FAST]);
      expect(dry.code).toBe(8);
      expect(dry.stderr).toContain('not synced: link.md');
    } finally {
      await rm(join(alice, 'link.md'));
    }
  });
});

describe('-v and -vv', () => {
  it('-v names what each file did; -vv also each storage request, on stderr', async () => {
    await writeFiles(alice, { 'verbose.md': 'v\n' });
    const v = await run(['sync', alice, '-v', ...FAST]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/upload \(new\)\s+verbose\.md\s+2 B/);
    expect(v.stderr).not.toMatch(/^storage /m);

    const vv = await run(['-vv', 'sync', bob, ...FAST]);
    expect(vv.code, vv.stderr).toBe(0);
    expect(vv.stdout).toMatch(/download \(new\)\s+verbose\.md/);
    expect(vv.stderr).toMatch(/^storage list log\/ \d+ objects \d+ms ok$/m);
    expect(vv.stderr).toMatch(/^storage get packs\/[0-9a-f]{64} .* ok$/m);
    expect(vv.stdout).not.toMatch(/^storage /m);
  });

  it('watch -v names each file per round; a dry run beside a running watch says the library is busy', async () => {
    const watcher = start(['-v', 'watch', alice, '--interval', '1', '--settle', '200']);
    const done = finish(watcher);
    let stdout = '';
    watcher.stdout!.on('data', (d) => (stdout += d));
    try {
      await waitFor(() => stdout.includes('watching '), 'the watch started');
      await writeFiles(alice, { 'watched.md': 'w\n' });
      await waitFor(() => /upload \(new\)\s+watched\.md/.test(stdout), 'the round named the file');
      const dry = await run(['sync', alice, '--dry-run']);
      expect(dry.code).toBe(6);
      expect(dry.stderr).toMatch(/busy|being synced|in use/i);
    } finally {
      watcher.kill('SIGINT');
    }
    expect((await done).code).toBe(0);
  });

  it('-q and -v together are a usage error', async () => {
    const r = await run(['-q', 'sync', alice, '-v']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('contradict');
    expect(existsSync(join(alice, '.syncacross/lock'))).toBe(false);
  });
});
