/** Publishing an object: by hard link where the disk has them (atomic create), else by rename; never half-written, and atomic across processes. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsStorage } from '@syncacross/adapter-fs';
import { listAll, probeCapabilities } from '@syncacross/sync-core';

const run = promisify(execFile);
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'syncacross-fs-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('publishing', () => {
  it('a root unplugged after the first write is reported unreachable on the next one, never made again empty', async () => {
    for (const publish of ['link', 'rename'] as const) {
      const root = join(dir, `nas-${publish}`);
      await mkdir(root);
      const s = await createFsStorage({ root, publish });
      await s.putIfAbsent('packs/a', Uint8Array.of(1)); // the publish mode is known from here on
      await rename(root, `${root}-unplugged`);
      await expect(s.putIfAbsent('packs/b', Uint8Array.of(2))).rejects.toMatchObject({ code: 'Unavailable' });
      expect(existsSync(root), `${publish}: the root was made again`).toBe(false);
    }
  });

  it('leaves no temporary file behind and shows it in no listing', async () => {
    const s = await createFsStorage({ root: dir });
    await s.putIfAbsent('k', Uint8Array.of(1, 2, 3));
    await s.putIfAbsent('k', Uint8Array.of(4));
    expect(await readdir(join(dir, '.syncacross-tmp'))).toEqual([]);
    expect((await listAll(s, '')).map((o) => o.key)).toEqual(['k']);
  });

  it('uses hard links (atomic create) on a local disk, and the probe agrees', async () => {
    const s = await createFsStorage({ root: dir });
    expect(await s.publishMode()).toBe('link');
    expect(s.capabilities.atomicCreate).toBe(true);
    expect(s.capabilities.cheapRequests).toBe(true); // downloads read in small ranges (chunk-fetcher.ts)
    const report = await probeCapabilities(s);
    expect(report.effective.atomicCreate).toBe(true);
  });

  it('declares atomic create unsupported where it must rename', async () => {
    const s = await createFsStorage({ root: dir, publish: 'rename' });
    expect(s.capabilities.atomicCreate).toBe(false);
  });

  it('treats a missing root as unreachable and never creates it behind the user', async () => {
    const gone = join(dir, 'unmounted');
    const s = await createFsStorage({ root: gone });
    await expect(s.list('')).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(s.putIfAbsent('a/b', Uint8Array.of(1))).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(readdir(gone)).rejects.toMatchObject({ code: 'ENOENT' });
    // Asking again in a few seconds will not mount it: said at once, not retried.
    await expect(s.list('')).rejects.toMatchObject({ permanent: true });
  });
});

describe('atomic create across processes', () => {
  it('lets exactly one of 16 separate processes create a key', async () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      const { createFsStorage } = await import(${JSON.stringify(dist)});
      const s = await createFsStorage({ root: process.argv[1] });
      process.stdout.write(await s.putIfAbsent('race/key', new TextEncoder().encode(process.argv[2])));`;
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => run(process.execPath, ['--input-type=module', '-e', script, dir, `writer-${i}`]).then((r) => r.stdout)));
    expect(answers.filter((a) => a === 'created')).toHaveLength(1);
    expect(answers.filter((a) => a === 'exists')).toHaveLength(15);
    const s = await createFsStorage({ root: dir });
    const winner = answers.indexOf('created');
    expect(new TextDecoder().decode(await s.get('race/key'))).toBe(`writer-${winner}`);
  });
});
