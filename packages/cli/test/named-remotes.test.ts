/**
 * Named remotes (`syncacross remote …`, remotes.json in the config folder): described once,
 * used by name in init, sync, restore and adapters --probe; a library follows its named remote's
 * changes; removing one in use is refused (or, forced, leaves a clear exit-2 error). Folder
 * remotes, the built binary.
 */
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteOutput } from '../src/json-output-remote.js';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

let base: string;
let env: Record<string, string>;
beforeAll(async () => {
  base = await tempDir();
  env = { SYNCACROSS_CONFIG_DIR: join(base, 'config') };
  await writeFiles(join(base, 'lib'), { 'notes.md': 'hello\n' });
});

const ok = async (args: string[]) => {
  const r = await run(args, { env });
  expect(r.code, r.stderr).toBe(0);
  return r;
};

describe('named remotes', () => {
  it('add, list (--json, no secrets) and show', async () => {
    await ok(['remote', 'add', 'nas', `fs:${base}/remote`]);
    await ok(['remote', 'add', 'dav', 'webdav:https://dav.example.com/lib', '-o', 'username=ana', '-o', 'password=${env:DAV_PASSWORD}']);
    const literal = await run(['remote', 'add', 'dav2', 'webdav:https://dav.example.com/lib', '-o', 'username=ana', '-o', 'password=hunter2-literal'], { env });
    expect(literal.code).toBe(2);
    expect(literal.stderr).toContain('SYNCACROSS_WEBDAV_PASSWORD');
    expect(literal.stderr + literal.stdout).not.toContain('hunter2-literal');

    const list = await runJson(['remote', 'list'], { env });
    expect(list.code).toBe(0);
    const out = remoteOutput.parse(list.json);
    expect(out.remotes.map((r) => r.name)).toEqual(['dav', 'nas']);
    expect(out.remotes[0]).toMatchObject({ remote: 'webdav:https://dav.example.com/lib', adapter: 'webdav', options: { password: '${env:DAV_PASSWORD}', username: 'ana' } });
    expect(out.remotes[1]).toMatchObject({ remote: `fs:${base}/remote`, adapter: 'fs', options: { root: `${base}/remote` }, libraries: [] });
    expect((await ok(['remote', 'show', 'nas'])).stdout).toContain(`fs:${base}/remote (adapter fs)`);

    const exists = await run(['remote', 'add', 'nas', 'fs:/elsewhere'], { env });
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain('--replace');
    const adapterName = await run(['remote', 'add', 's3', 'fs:/x'], { env });
    expect(adapterName.code).toBe(2);
    expect(adapterName.stderr).toContain("an adapter's name");
  });

  it('init --remote NAME records the name, and sync, restore and adapters --probe use it', async () => {
    const lib = join(base, 'lib');
    // -o applies to this command only (createRoot is for a first init, never kept).
    await ok(['init', lib, '--remote', 'nas', '-o', 'createRoot=true']);
    const config = JSON.parse(await readFile(join(lib, '.syncacross', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ version: 1, remote: 'nas', adapter: 'fs', options: {}, namedRemote: 'nas' });
    expect((await ok(['sync', lib, ...FAST])).stdout).toContain(`fs:${base}/remote`);

    await ok(['restore', '--remote', 'nas:', '--to', join(base, 'restored')]); // rclone's NAME: spelling too
    expect(await readFile(join(base, 'restored', 'notes.md'), 'utf8')).toBe('hello\n');
    await ok(['adapters', '--probe', '--remote', 'nas']);
    // auth NAME: the named remote's adapter (fs needs no sign-in), not an adapter called "nas".
    const auth = await run(['auth', 'nas'], { env });
    expect(auth.code).toBe(2);
    expect(auth.stderr).toContain('the fs adapter needs no `syncacross auth`');

    const shown = remoteOutput.parse((await runJson(['remote', 'show', 'nas'], { env })).json);
    expect(shown.remotes[0]!.libraries).toEqual([lib]);
  });

  it('a library follows its named remote: moved folder, remote add --replace, sync again', async () => {
    const lib = join(base, 'lib');
    await rename(join(base, 'remote'), join(base, 'moved'));
    expect((await run(['sync', lib, ...FAST], { env })).code).toBe(3);
    await ok(['remote', 'add', 'nas', `fs:${base}/moved`, '--replace']);
    await writeFiles(lib, { 'more.md': 'more\n' });
    await ok(['sync', lib, ...FAST]);
    expect((await ok(['status', lib])).stdout).toContain(`nas (fs:${base}/moved)`);
  });

  it('an unknown name says which it might be', async () => {
    const r = await runJson(['init', join(base, 'other'), '--remote', 'nsa'], { env });
    expect(r.code).toBe(2);
    expect(r.json.error).toMatchObject({ code: 'UnknownRemote', exitCode: 2 });
    expect(r.json.error.message).toContain('(did you mean nas?)');
  });

  it('remove is refused while a library uses it; forced, the library stops with a clear exit 2', async () => {
    const lib = join(base, 'lib');
    const refused = await run(['remote', 'remove', 'nas'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(lib);
    expect(refused.stderr).toContain('--force');
    await ok(['remote', 'list']).then((r) => expect(r.stdout).toContain('nas'));

    const forced = await ok(['remote', 'remove', 'nas', '--force']);
    expect(forced.stderr).toContain(`${lib} used it`);
    const sync = await runJson(['sync', lib, ...FAST], { env });
    expect(sync.code).toBe(2);
    expect(sync.json.error).toMatchObject({ code: 'UnknownRemote' });
    expect(sync.json.error.message).toContain('named remote "nas"');
    expect(sync.json.error.message).toContain('syncacross remote add nas');

    // Added again, the library works again: nothing else was needed.
    await ok(['remote', 'add', 'nas', `fs:${base}/moved`]);
    await ok(['sync', lib, ...FAST]);
  });

  it('a library with inline options is unchanged (no namedRemote in its config)', async () => {
    const lib = join(base, 'inline');
    await writeFiles(lib, { 'x.md': 'x\n' });
    await ok(['init', lib, '--remote', `fs:${base}/inline-remote`, '-o', 'createRoot=true']);
    const config = JSON.parse(await readFile(join(lib, '.syncacross', 'config.json'), 'utf8'));
    expect(config).toEqual({ version: 1, remote: `fs:${base}/inline-remote`, adapter: 'fs', options: { root: `${base}/inline-remote` } });
    await ok(['sync', lib, ...FAST]);
  });
});
