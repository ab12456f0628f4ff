/**
 * A whole library, SQLite database included, is rebuilt on a fresh machine from the remote
 * alone, for every adapter: a folder, and the S3, Drive, OneDrive and Dropbox emulators and a
 * WebDAV server, each served on a loopback port and reached through the adapter as a user's
 * machine would.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openLibrary, restoreFromRemote, type Storage } from '@syncacross/sync-core';
import { serveFetchHandler } from '@syncacross/sync-core/http';
import { createFsStorage } from '@syncacross/adapter-fs';
import { createS3Storage } from '@syncacross/adapter-s3';
import { createS3Emulator } from '@syncacross/adapter-s3/emulator';
import { createGdriveStorage } from '@syncacross/adapter-gdrive';
import { createDriveEmulator } from '@syncacross/adapter-gdrive/emulator';
import { createOneDriveStorage } from '@syncacross/adapter-onedrive';
import { createOneDriveEmulator } from '@syncacross/adapter-onedrive/emulator';
import { createDropboxStorage } from '@syncacross/adapter-dropbox';
import { createDropboxEmulator } from '@syncacross/adapter-dropbox/emulator';
import { createWebDavStorage } from '@syncacross/adapter-webdav';
import { v2 as webdav } from 'webdav-server';

const stops: (() => Promise<unknown>)[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function temp(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function serve(handle: (r: Request) => Promise<Response>): Promise<string> {
  const server = await serveFetchHandler(handle, { port: 0, host: '127.0.0.1' });
  stops.push(() => server.close());
  return server.url.replace(/\/+$/, '');
}

/** Each backend: a function that opens a new Storage on the same remote (one per machine). */
const BACKENDS: Record<string, () => Promise<() => Promise<Storage>>> = {
  fs: async () => {
    const root = join(await temp('syncacross-remote-'), 'remote');
    return () => createFsStorage({ root, createRoot: true });
  },
  s3: async () => {
    const url = await serve(createS3Emulator({ buckets: ['library'], accessKeyId: 'AKIAEMULATOR' }).handle);
    return () => createS3Storage({ bucket: 'library', endpoint: url, region: 'us-east-1', accessKeyId: 'AKIAEMULATOR', secretAccessKey: 'emulator-secret' });
  },
  gdrive: async () => {
    const emulator = createDriveEmulator();
    const url = await serve(emulator.handle);
    return () => createGdriveStorage({ clientId: 'restore-test', refreshToken: emulator.oauth.issueRefreshToken('restore-test'), folderName: 'library', rootUrl: `${url}/` });
  },
  onedrive: async () => {
    const url = await serve(createOneDriveEmulator({ tokens: ['restore-test-token'] }).handle);
    return () => createOneDriveStorage({ baseUrl: `${url}/v1.0`, accessToken: 'restore-test-token' });
  },
  dropbox: async () => {
    const emulator = createDropboxEmulator();
    const url = await serve(emulator.handle);
    return () => createDropboxStorage({ baseUrl: url, accessToken: emulator.issueAccessToken(), root: '/library' });
  },
  webdav: async () => {
    const served = await temp('syncacross-dav-');
    const server = new webdav.WebDAVServer({ port: 0, hostname: '127.0.0.1', rootFileSystem: new webdav.PhysicalFileSystem(served) });
    const http = await new Promise<{ address(): unknown }>((resolve) => server.start((s) => resolve(s as never)));
    stops.push(() => new Promise<void>((resolve) => server.stop(() => resolve())));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    return () => createWebDavStorage({ url, root: '/library' });
  },
};

/** Every file under `dir` (not the state folder), as bytes in hex, except SQLite databases: those are checked through SQLite. */
async function files(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const rel = relative(dir, join(e.parentPath, e.name)).split('\\').join('/');
    if (!e.isFile() || rel.startsWith('.syncacross') || rel.endsWith('.sqlite')) continue;
    out[rel] = (await readFile(join(dir, rel))).toString('hex');
  }
  return out;
}

function rows(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return db.prepare('SELECT id, title, pdf FROM refs ORDER BY id').all();
  } finally {
    db.close();
  }
}

describe.each(Object.keys(BACKENDS))('restore on a fresh machine from %s', (name) => {
  it('rebuilds every file and the SQLite database as they were', async () => {
    const open = await BACKENDS[name]!();
    const dir = await temp('syncacross-original-');
    await mkdir(join(dir, 'papers/2026'), { recursive: true });
    await writeFile(join(dir, 'papers/2026/big.pdf'), Buffer.alloc(3 * 1024 * 1024, 7));
    await writeFile(join(dir, 'notes.md'), '# notes\n');
    await writeFile(join(dir, 'Überblick – ñ.txt'), 'unicode name\n');
    const db = new Database(join(dir, 'library.sqlite'));
    db.exec('CREATE TABLE refs (id INTEGER PRIMARY KEY, title TEXT, pdf TEXT)');
    for (let i = 0; i < 300; i++) db.prepare('INSERT INTO refs (title, pdf) VALUES (?, ?)').run(`paper ${i}`, `papers/${i}.pdf`);
    db.close();
    const library = await openLibrary({ dir, storage: await open(), stableAfterMs: 0, retry: { baseDelayMs: 1, maxDelayMs: 20 } });
    try {
      const s = await library.sync();
      expect([s.errors, s.skipped]).toEqual([[], []]);
    } finally {
      await library.close();
    }

    const to = join(await temp('syncacross-fresh-'), 'library');
    const outcome = await restoreFromRemote({ storage: await open(), to, retry: { baseDelayMs: 1, maxDelayMs: 20 } });
    expect([outcome.failed, outcome.warnings]).toEqual([[], []]);
    expect(await files(to)).toEqual(await files(dir));
    expect(rows(join(to, 'library.sqlite'))).toEqual(rows(join(dir, 'library.sqlite')));
  });
});
