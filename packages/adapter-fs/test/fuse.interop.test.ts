/**
 * adapter-fs on a real "mounted cloud folder": `rclone mount` (FUSE) of a local `rclone serve
 * webdav`. Such mounts have no hard links, so the adapter publishes by rename and declares
 * atomic create unsupported. Needs `rclone` and `fuse3` (installed by .ci/run).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fsAdapter, { createFsStorage, optionsSchema } from '@syncacross/adapter-fs';
import { probeCapabilities } from '@syncacross/sync-core';
import { freePort, runStorageConformance, waitFor } from '@syncacross/sync-core/testing';

const haveTools = spawnSync('rclone', ['version']).status === 0 && spawnSync('fusermount3', ['-V']).status === 0 && existsSync('/dev/fuse');

let base = '';
let mountpoint = '';
const procs: ChildProcess[] = [];

const waitForMount = (dir: string) => waitFor(() => readFileSync('/proc/mounts', 'utf8').includes(` ${dir} fuse.rclone `), `rclone mount at ${dir}`);

/** Whether something accepts connections on the port yet. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
    socket.on('error', () => resolve(false));
  });

const exited = (p: ChildProcess) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));

describe.skipIf(!haveTools)('adapter-fs on a FUSE mount (rclone mount of a WebDAV server)', () => {
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'syncacross-fuse-'));
    mountpoint = join(base, 'mnt');
    await mkdir(join(base, 'data'));
    await mkdir(mountpoint);
    const port = await freePort();
    procs.push(spawn('rclone', ['serve', 'webdav', join(base, 'data'), '--addr', `127.0.0.1:${port}`], { stdio: 'ignore' }));
    await waitFor(() => accepts(port), `rclone serve webdav on port ${port}`);
    procs.push(spawn('rclone', ['mount', ':webdav:', mountpoint, '--webdav-url', `http://127.0.0.1:${port}`, '--vfs-cache-mode', 'writes', '--dir-cache-time', '1s'], { stdio: 'ignore' }));
    await waitForMount(mountpoint);
  });
  afterAll(async () => {
    if (mountpoint) spawnSync('fusermount3', ['-u', mountpoint]);
    for (const p of procs.reverse()) p.kill('SIGTERM');
    await Promise.all(procs.map(exited));
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('detects that the mount has no hard links and says atomic create is unsupported', async () => {
    const root = await mkdtemp(join(mountpoint, 'probe-'));
    const s = await createFsStorage({ root });
    expect(await s.publishMode()).toBe('rename');
    expect(s.capabilities.atomicCreate).toBe(false);
    const report = await probeCapabilities(s);
    expect(report.effective.atomicCreate).toBe(false);
  });

  it('warns that the rclone mount caches listings, naming --dir-cache-time, unless acceptCachingMount is set', async () => {
    const root = await mkdtemp(join(mountpoint, 'warn-'));
    const lines: string[] = [];
    const context = { credentialsDir: base, log: (l: string) => lines.push(l) };
    await fsAdapter.create(optionsSchema.parse({ root, acceptCachingMount: true }), context);
    expect(lines).toEqual([]);
    await fsAdapter.create(optionsSchema.parse({ root }), context);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${mountpoint} is a fuse.rclone mount`);
    expect(lines[0]).toContain('--dir-cache-time');
  });

  runStorageConformance(
    'adapter-fs on rclone mount',
    async () => {
      const root = await mkdtemp(join(mountpoint, 't-'));
      return { storage: await createFsStorage({ root }), unreachable: () => createFsStorage({ root: join(root, 'not-mounted') }) };
    },
    { largeObjectBytes: 4 * 1024 * 1024 },
  );
});

describe.skipIf(haveTools)('adapter-fs on a FUSE mount (skipped: install rclone and fuse3 to run)', () => {
  it('needs rclone and fuse3', () => {
    expect(haveTools).toBe(false);
  });
});
