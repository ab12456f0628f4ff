// The three tools, each able to: upload a library to a remote, re-sync it, download it (join it,
// for syncacross), and restore it on a machine that has nothing but the remote.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.mjs';

const CLI = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

/** remote: { kind: 'folder', dir } | { kind: 'webdav', url, path } */
export const tools = {
  syncacross: {
    init(lib, remote) {
      const spec = remote.kind === 'folder' ? ['--remote', `fs:${remote.dir}`, '-o', 'createRoot=true'] : ['--remote', `webdav:${remote.url}/${remote.path}`];
      measure(process.execPath, [CLI, 'init', lib, ...spec, '--json']);
    },
    upload(lib) {
      const m = measure(process.execPath, [CLI, 'sync', lib, '--json', '--stable-after', '0']);
      const s = JSON.parse(m.stdout);
      return { ...m, requests: s.totalRequests ?? s.summary?.totalRequests, bytesUp: s.bytesUp ?? s.summary?.bytesUp, raw: s };
    },
    download(lib, remote) {
      mkdirSync(lib, { recursive: true });
      this.init(lib, remote);
      return this.upload(lib);
    },
    restore(dir, remote) {
      const spec = remote.kind === 'folder' ? `fs:${remote.dir}` : `webdav:${remote.url}/${remote.path}`;
      const m = measure(process.execPath, [CLI, 'restore', '--remote', spec, '--to', dir, '--json']);
      const s = JSON.parse(m.stdout);
      if (!s.ok || s.failed.length > 0) throw new Error(`syncacross restore failed: ${m.stdout.slice(0, 500)}`);
      return m;
    },
  },
  rclone: {
    target(remote) {
      return remote.kind === 'folder' ? [remote.dir] : [`:webdav:${remote.path}`, '--webdav-url', remote.url];
    },
    init() {},
    upload(lib, remote) {
      return measure('rclone', ['sync', lib, ...this.target(remote), '--transfers', '4', '--checkers', '8']);
    },
    download(lib, remote) {
      const [src, ...flags] = this.target(remote);
      return measure('rclone', ['copy', src, lib, ...flags, '--transfers', '4']);
    },
    restore(dir, remote) {
      return this.download(dir, remote);
    },
  },
  restic: {
    env(remote) {
      const env = { RESTIC_PASSWORD: 'bench-password' };
      if (remote.kind === 'webdav') Object.assign(env, { RCLONE_WEBDAV_URL: remote.url });
      return env;
    },
    repo(remote) {
      return remote.kind === 'folder' ? remote.dir : `rclone::webdav:${remote.path}`;
    },
    init(_lib, remote) {
      measure('restic', ['-r', this.repo(remote), 'init'], { env: this.env(remote) });
    },
    upload(lib, remote) {
      return measure('restic', ['-r', this.repo(remote), 'backup', '.', '--quiet'], { env: this.env(remote), cwd: lib });
    },
    download(lib, remote) {
      mkdirSync(lib, { recursive: true });
      return measure('restic', ['-r', this.repo(remote), 'restore', 'latest', '--target', lib], { env: this.env(remote) });
    },
    restore(dir, remote) {
      return this.download(dir, remote);
    },
  },
};
