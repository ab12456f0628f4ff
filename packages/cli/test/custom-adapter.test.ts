/**
 * A custom adapter (test/custom-adapter, written from the README alone) works with no change to
 * syncacross: loaded by path, by package name from the library's node_modules, and by short
 * name; its secrets come from the environment and never show; its errors map to exit codes.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@syncacross/sync-core/testing';
import { adaptersOutput, statusOutput, syncOutput } from '../src/json-output.js';
import { cleanup, CUSTOM_ADAPTER, FAST, finish, run, runJson, snapshot, start, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

const TOKEN = 's3cr3t-token-value-42';

/** A temp project with the adapter installed as node_modules/syncacross-adapter-flatdir. */
async function project() {
  const base = await tempDir();
  await cp(CUSTOM_ADAPTER, join(base, 'node_modules', 'syncacross-adapter-flatdir'), { recursive: true });
  const store = join(base, 'store');
  await mkdir(join(store, 'objects'), { recursive: true });
  return { base, store };
}

describe('loading a custom adapter', () => {
  it('by module path', async () => {
    const { base, store } = await project();
    const dir = join(base, 'lib');
    await writeFiles(dir, { 'a.txt': 'via a path\n' });
    const r = await run(['init', dir, '--remote', `${join(CUSTOM_ADAPTER, 'index.mjs')}:${store}`]);
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(dir, '.syncacross/config.json'), 'utf8'));
    expect(config.adapter).toBe(join(CUSTOM_ADAPTER, 'index.mjs'));
    expect((await run(['sync', dir, ...FAST])).code).toBe(0);
    expect(existsSync(join(store, 'objects'))).toBe(true);
  });

  it('by a relative package folder, from the current directory', async () => {
    const { base, store } = await project();
    const r = await run(['init', 'lib', '--remote', `./node_modules/syncacross-adapter-flatdir:${store}`], { cwd: base });
    expect(r.code, r.stderr).toBe(0);
  });

  it('by package name and by short name, found from the library folder; two libraries round-trip', async () => {
    const { base, store } = await project();
    const a = join(base, 'a');
    const b = join(base, 'b');
    await writeFiles(a, { 'notes/x.md': 'through a custom adapter\n', 'bin.dat': randomBytes(5000) });
    // cwd is elsewhere: the package is found from the library's own folder.
    const ra = await run(['init', a, '--remote', `syncacross-adapter-flatdir:${store}`]);
    expect(ra.code, ra.stderr).toBe(0);
    const rb = await run(['init', b, '--remote', `flatdir:${store}`]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(b, '.syncacross/config.json'), 'utf8')).adapter).toBe('syncacross-adapter-flatdir');
    const up = syncOutput.parse((await runJson(['sync', a, ...FAST])).json);
    expect(up.storage).toBe(`flatdir:${store}`);
    expect((await run(['sync', b, ...FAST])).code).toBe(0);
    expect(await snapshot(b)).toEqual(await snapshot(a));
  });

  it('`adapters` lists it with the built-ins, and --probe measures it', async () => {
    const { base, store } = await project();
    const r = await runJson(['adapters', '--probe', '--remote', `flatdir:${store}`], { cwd: base });
    expect(r.code, r.stderr).toBe(0);
    const out = adaptersOutput.parse(r.json);
    expect(out.adapters.find((x) => x.name === 'fs')).toMatchObject({ builtin: true, loaded: true });
    expect(out.adapters.find((x) => x.name === 'flatdir')).toMatchObject({ builtin: false, loaded: true, secretOptions: ['token'] });
    expect(out.probe).toMatchObject({ storage: `flatdir:${store}`, measured: { preconditionsHonored: true, listedAtOnce: true } });
    expect(out.probe!.effective.atomicCreate).toBe(true);
  });

  it('when the adapter is gone, local commands still work (secrets unknown: all masked) and sync says why', async () => {
    const { base, store } = await project();
    const dir = join(base, 'lib');
    const moduleDir = join(base, 'adapters');
    await cp(CUSTOM_ADAPTER, moduleDir, { recursive: true });
    expect((await run(['init', dir, '--remote', `${moduleDir}/index.mjs:${store}`, '-o', 'delayMs=0'])).code).toBe(0);
    await rm(moduleDir, { recursive: true });
    const status = await runJson(['status', dir]);
    expect(status.code).toBe(0);
    expect(status.json.options).toEqual({ dir: '***', delayMs: '***' });
    expect(status.stderr).toContain('unknown adapter');
    const sync = await run(['sync', dir, ...FAST]);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toContain(`no module at ${moduleDir}/index.mjs`);
  });

  it('a bad option is named', async () => {
    const { base, store } = await project();
    const r = await run(['init', join(base, 'lib'), '--remote', `flatdir:${store}`, '-o', 'quotaBytes=lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('option quotaBytes: expected a number');
  });
});

describe('secrets', () => {
  it('are refused as literals, taken from ${env:…} or SYNCACROSS_<ADAPTER>_<OPTION>, and never shown', async () => {
    const { base, store } = await project();
    await writeFile(join(store, 'token'), TOKEN);
    const dir = join(base, 'lib');
    await writeFiles(dir, { 'a.txt': 'guarded\n' });

    const literal = await run(['init', dir, '--remote', `flatdir:${store}`, '-o', `token=${TOKEN}`]);
    expect(literal.code).toBe(2);
    expect(literal.stderr).toContain('SYNCACROSS_FLATDIR_TOKEN');
    expect(literal.stdout + literal.stderr).not.toContain(TOKEN);

    const missing = await run(['init', dir, '--remote', `flatdir:${store}`, '-o', 'token=${env:FLAT_TOKEN}']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('FLAT_TOKEN, which is not set');

    const env = { FLAT_TOKEN: TOKEN };
    const outputs: string[] = [];
    const keep = (r: { stdout: string; stderr: string; code: number }) => (outputs.push(r.stdout, r.stderr), r);
    expect(keep(await run(['init', dir, '--remote', `flatdir:${store}`, '-o', 'token=${env:FLAT_TOKEN}'], { env })).code).toBe(0);
    expect(keep(await run(['sync', dir, ...FAST], { env })).code).toBe(0);
    expect(keep(await runJson(['sync', dir, ...FAST], { env })).code).toBe(0);
    const status = await runJson(['status', dir], { env });
    keep(status);
    expect(statusOutput.parse(status.json).options).toEqual({ dir: store, token: '${env:FLAT_TOKEN}' });
    keep(await run(['status', dir], { env }));
    keep(await runJson(['adapters', '--probe', '-d', dir], { env }));
    expect(await readFile(join(dir, '.syncacross/config.json'), 'utf8')).toContain('${env:FLAT_TOKEN}');
    for (const text of [...outputs, await readFile(join(dir, '.syncacross/config.json'), 'utf8')]) expect(text).not.toContain(TOKEN);

    const other = join(base, 'other');
    const fromEnv = await run(['init', other, '--remote', `flatdir:${store}`], { env: { SYNCACROSS_FLATDIR_TOKEN: TOKEN } });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(await readFile(join(other, '.syncacross/config.json'), 'utf8')).not.toContain(TOKEN);
  });

  it('wrong credentials exit 4 with advice, and keep local files', async () => {
    const { base, store } = await project();
    await writeFile(join(store, 'token'), TOKEN);
    const dir = join(base, 'lib');
    await writeFiles(dir, { 'a.txt': 'mine\n' });
    expect((await run(['init', dir, '--remote', `flatdir:${store}`, '-o', 'token=${env:FLAT_TOKEN}'], { env: { FLAT_TOKEN: TOKEN } })).code).toBe(0);
    const wrong = 'not-the-right-token-123';
    const r = await runJson(['sync', dir, ...FAST], { env: { FLAT_TOKEN: wrong } });
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('AuthFailed');
    expect(r.stderr).toContain('authentication failed');
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(await snapshot(dir)).toEqual({ 'a.txt': 'mine\n' });
  });
});

describe('a full remote and a busy library', () => {
  it('a full remote exits 7; after raising the quota the same sync completes', async () => {
    const { base, store } = await project();
    const dir = join(base, 'lib');
    const big = randomBytes(50_000);
    await writeFiles(dir, { 'big.bin': big });
    expect((await run(['init', dir, '--remote', `flatdir:${store}`, '-o', 'quotaBytes=2000'])).code).toBe(0);
    const r = await runJson(['sync', dir, ...FAST]);
    expect(r.code).toBe(7);
    expect(r.json.error.code).toBe('NoSpace');
    expect(r.stderr).toContain('the remote is full');
    expect(Buffer.from(await readFile(join(dir, 'big.bin'))).equals(big)).toBe(true);

    const configFile = join(dir, '.syncacross/config.json');
    const config = JSON.parse(await readFile(configFile, 'utf8'));
    await writeFile(configFile, JSON.stringify({ ...config, options: { ...config.options, quotaBytes: 10_000_000 } }));
    expect((await run(['sync', dir, ...FAST])).code).toBe(0);
    const b = join(base, 'b');
    expect((await run(['init', b, '--remote', `flatdir:${store}`])).code).toBe(0);
    expect((await run(['sync', b, ...FAST])).code).toBe(0);
    expect(Buffer.from(await readFile(join(b, 'big.bin'))).equals(big)).toBe(true);
  });

  it('a library being synced by another process: the second exits 6 and the first completes', async () => {
    const { base, store } = await project();
    const dir = join(base, 'lib');
    await writeFiles(dir, { 'a.txt': 'slow network\n' });
    const hold = join(base, 'hold');
    expect((await run(['init', dir, '--remote', `flatdir:${store}`, '-o', `holdFile=${hold}`])).code).toBe(0);
    await writeFile(hold, '');
    const first = start(['sync', dir, ...FAST]);
    const firstDone = finish(first);
    await waitFor(() => existsSync(`${hold}.waiting`), 'the first sync to reach the remote');
    expect(existsSync(join(dir, '.syncacross', 'lock'))).toBe(true);
    const second = await runJson(['sync', dir, ...FAST]);
    expect(second.code).toBe(6);
    expect(second.json.error.code).toBe('LibraryBusy');
    expect(second.stderr).toContain('being synced by another process');
    await rm(hold);
    const done = await firstDone;
    expect(done.code, done.stderr).toBe(0);
    expect(existsSync(join(dir, '.syncacross', 'lock'))).toBe(false);
  });

  it('Ctrl-C stops a slow sync with exit 130, releases the library, and the next sync completes', async () => {
    const { base, store } = await project();
    const dir = join(base, 'lib');
    await writeFiles(dir, Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`n${i}.txt`, `note ${i}\n`])));
    const hold = join(base, 'hold');
    expect((await run(['init', dir, '--remote', `flatdir:${store}`, '-o', 'delayMs=400', '-o', `holdFile=${hold}`])).code).toBe(0);
    await writeFile(hold, '');
    const child = start(['sync', dir, ...FAST]);
    const done = finish(child);
    await waitFor(() => existsSync(`${hold}.waiting`), 'the sync to reach the remote');
    child.kill('SIGINT');
    await rm(hold); // the held request completes; every later one is 400 ms away, long after the signal
    const r = await done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted');
    expect(existsSync(join(dir, '.syncacross', 'lock'))).toBe(false);
    const config = JSON.parse(await readFile(join(dir, '.syncacross/config.json'), 'utf8'));
    await writeFile(join(dir, '.syncacross/config.json'), JSON.stringify({ ...config, options: { ...config.options, delayMs: 0 } }));
    expect((await run(['sync', dir, ...FAST])).code).toBe(0);
    const other = join(base, 'other');
    expect((await run(['init', other, '--remote', `flatdir:${store}`])).code).toBe(0);
    expect((await run(['sync', other, ...FAST])).code).toBe(0);
    expect(Object.keys(await snapshot(other))).toHaveLength(30);
  });
});
