/**
 * `syncacross watch` follows the backend's own change feed (engine/watch-feed.ts): real child
 * processes over the Dropbox and Graph emulators, driven through the vendors' SDKs.
 * - Dropbox's long poll: with `--interval 300`, only the feed can bring another machine's edit
 *   within the 5 s asked of a watch;
 * - Graph's delta: while nothing changes, a watch looks through the delta feed (one small
 *   request each time) and lists nothing; an edit elsewhere still arrives.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveFetchHandler } from '@syncacross/sync-core/http';
import { waitFor } from '@syncacross/sync-core/testing';
import { createDropboxEmulator } from '@syncacross/adapter-dropbox/emulator';
import { createOneDriveEmulator } from '@syncacross/adapter-onedrive/emulator';
import { cleanup, finish, run, runJson, start, tempDir } from './helpers.js';

afterAll(cleanup);

/** Two libraries on one remote, each with its own watch; `check` runs while both watch. */
async function twoWatching(remote: string[], env: Record<string, string>, watchArgs: string[], check: (a: string, b: string) => Promise<void>): Promise<void> {
  const base = await tempDir();
  const [a, b] = [join(base, 'a'), join(base, 'b')];
  for (const [dir, name] of [
    [a, 'alice'],
    [b, 'bob'],
  ] as const)
    expect((await run(['init', dir, ...remote, '--name', name], { env })).code).toBe(0);
  const watchers = [a, b].map((dir) => start(['watch', dir, ...watchArgs], { env }));
  const done = watchers.map(finish);
  let failure: unknown;
  try {
    await waitFor(async () => (await runJson(['status', a], { env })).json.lastSync !== null && (await runJson(['status', b], { env })).json.lastSync !== null, 'the first rounds');
    await check(a, b);
  } catch (e) {
    failure = e;
  } finally {
    for (const w of watchers) w.kill('SIGTERM');
  }
  const results = await Promise.all(done);
  // What the watchers said is what explains a failure here.
  if (failure) throw new Error(`${(failure as Error).message}\n${results.map((r, i) => `watcher ${i}: ${r.stdout}${r.stderr}`).join('\n')}`);
  for (const r of results) expect(r.code, r.stderr).toBe(0);
}

const contentOf = (path: string) => readFile(path, 'utf8').catch(() => '');

describe('watch with the backend change feed', () => {
  it('over Dropbox, the long poll brings an edit on another machine within 5 s, with a 300 s interval', async () => {
    const emulator = createDropboxEmulator();
    const server = await serveFetchHandler(emulator.handle, { port: 0, host: '127.0.0.1' });
    const env = { SYNCACROSS_DROPBOX_ACCESS_TOKEN: emulator.issueAccessToken() };
    const remote = ['--remote', 'dropbox:/library', '-o', `baseUrl=${server.url.replace(/\/+$/, '')}`];
    try {
      await twoWatching(remote, env, ['--interval', '300', '--settle', '200'], async (a, b) => {
        const written = Date.now();
        await writeFile(join(a, 'notes.md'), 'written on a\n');
        await waitFor(async () => (await contentOf(join(b, 'notes.md'))) === 'written on a\n', 'the edit on b');
        const took = Date.now() - written - 200;
        console.log(`over the Dropbox emulator (long poll): on b ${took} ms after the edit settled on a`);
        expect(took).toBeLessThan(5_000);
      });
    } finally {
      await server.close();
    }
  }, 120_000);

  it('over OneDrive, a quiet watch asks the delta feed and lists nothing; an edit elsewhere still arrives', async () => {
    const emulator = createOneDriveEmulator({ tokens: ['feed-test-token'] });
    const server = await serveFetchHandler(emulator.handle, { port: 0, host: '127.0.0.1' });
    const env = { SYNCACROSS_ONEDRIVE_ACCESS_TOKEN: 'feed-test-token' };
    const remote = ['--remote', 'onedrive:library', '-o', `baseUrl=${server.url.replace(/\/+$/, '')}/v1.0`];
    const deltas = () => emulator.requests.filter((r) => r.path.includes('delta')).length;
    const listings = () => emulator.requests.filter((r) => r.method === 'GET' && /\/children$/.test(r.path)).length;
    try {
      await twoWatching(remote, env, ['--interval', '1', '--settle', '200'], async (a, b) => {
        // Each machine's own first round moved the feed once; after that, looks are delta calls only.
        await waitFor(() => deltas() >= 6, 'looks at the delta feed');
        const quiet = { deltas: deltas(), listings: listings() };
        expect(quiet.listings).toBeGreaterThan(0); // the rounds so far listed: the pattern matches listings
        await waitFor(() => deltas() >= quiet.deltas + 6, 'six more looks');
        expect(listings() - quiet.listings).toBe(0);
        await writeFile(join(a, 'notes.md'), 'written on a\n');
        await waitFor(async () => (await contentOf(join(b, 'notes.md'))) === 'written on a\n', 'the edit on b');
      });
    } finally {
      await server.close();
    }
  }, 120_000);
});
