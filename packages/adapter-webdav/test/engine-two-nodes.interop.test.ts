/**
 * Two engine nodes syncing one library through Apache mod_dav, editing the same paths at the
 * same time, their rounds interleaved and concurrent: nothing is lost and both end identical.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '@syncacross/sync-core';
import { createWebDavStorage } from '@syncacross/adapter-webdav';
import { freshRoot } from './support/fixture.js';
import { haveApache, PASS, startApache, USER, type RunningDebianDav } from './support/debian-servers.js';

async function folder(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const rel = join(e.parentPath, e.name).slice(dir.length + 1);
    if (e.isFile() && !rel.startsWith('.syncacross')) out[rel] = await readFile(join(dir, rel), 'utf8');
  }
  return Object.fromEntries(Object.entries(out).sort());
}

describe.skipIf(!haveApache)('two engines through Apache WebDAV (apt-get install apache2 to run)', () => {
  let server: RunningDebianDav;
  const dirs: string[] = [];
  const libs: Library[] = [];
  beforeAll(async () => {
    server = await startApache();
    const root = freshRoot();
    for (const name of ['a', 'b']) {
      const dir = await mkdtemp(join(tmpdir(), `engine-dav-${name}-`));
      dirs.push(dir);
      const storage = await createWebDavStorage({ url: server.url, root, username: USER, password: PASS, name: `dav-${name}` });
      libs.push(await openLibrary({ dir, storage, nodeName: name, stableAfterMs: 0, retry: { baseDelayMs: 5, retries: 10 } }));
    }
  });
  afterAll(async () => {
    for (const l of libs) await l.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    await server?.stop();
  });

  it('racing edits of the same files in concurrent rounds: every version kept, both folders identical', async () => {
    const [a, b] = libs as [Library, Library];
    const [da, db] = dirs as [string, string];
    for (let i = 0; i < 5; i++) await writeFile(join(da, `shared-${i}.txt`), `base ${i}`);
    await a.sync();
    await b.sync();
    const written: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) {
        const fa = `a r${round} f${i}`;
        const fb = `b r${round} f${i} (longer)`;
        await writeFile(join(da, `shared-${i}.txt`), fa);
        await writeFile(join(db, `shared-${i}.txt`), fb);
        written.push(fa, fb);
      }
      await writeFile(join(da, `only-a-${round}.txt`), `a ${round}`);
      await writeFile(join(db, `only-b-${round}.txt`), `b ${round}`);
      await Promise.all([a.sync(), b.sync()]); // both rounds in flight at once, on the same paths
    }
    for (let i = 0; i < 3; i++) {
      await a.sync();
      await b.sync();
    }
    const fa = await folder(da);
    expect(await folder(db)).toEqual(fa);
    // Every version each node committed is known to both (as the file, a conflict copy, or an ancestor).
    for (const lib of libs) {
      const known = new Set(lib.history().map((h) => h.hash));
      for (const other of libs) for (const h of other.history()) expect(known.has(h.hash)).toBe(true);
    }
    // The last round's edits are both on disk: one keeps the name, the other is a conflict copy.
    const contents = new Set(Object.values(fa));
    for (let i = 0; i < 5; i++) {
      expect(contents.has(`a r2 f${i}`)).toBe(true);
      expect(contents.has(`b r2 f${i} (longer)`)).toBe(true);
    }
    for (let r = 0; r < 3; r++) expect(fa[`only-a-${r}.txt`]).toBe(`a ${r}`);
  });
});
