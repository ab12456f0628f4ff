// The three tools, each able to: upload a library to a remote, re-sync it, download it (join it,
// for syncacross), and restore it on a machine that has nothing but the remote.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.mjs';

const CLI = fileURLToPath(new URL('../packages/cli/bin/syncacross.mjs', import.meta.url));

/**
 * One syncacross configuration: `initFlags` choose the repository format (2 compresses; 1 is the
 * previous release's uncompressed format) and encryption; `env` carries the passphrase, the way a
 * user scripts it (SYNCACROSS_PASSWORD), so no run stops at a prompt.
 */
function syncacross({ initFlags = [], env = {} } = {}) {
  return {
    init(lib, remote) {
      const spec = remote.kind === 'folder' ? ['--remote', `fs:${remote.dir}`, '-o', 'createRoot=true'] : ['--remote', `webdav:${remote.url}/${remote.path}`];
      measure(process.execPath, [CLI, 'init', lib, ...spec, ...initFlags, '--json'], { env });
    },
    upload(lib) {
      const m = measure(process.execPath, [CLI, 'sync', lib, '--json', '--stable-after', '0'], { env });
      const s = JSON.parse(m.stdout);
      return { ...m, requests: s.totalRequests ?? s.summary?.totalRequests, bytesUp: s.bytesUp ?? s.summary?.bytesUp, raw: s };
    },
    download(lib, remote) {
      mkdirSync(lib, { recursive: true });
      // Joining needs only the passphrase: the format and encryption come from the repository.
      const spec = remote.kind === 'folder' ? ['--remote', `fs:${remote.dir}`] : ['--remote', `webdav:${remote.url}/${remote.path}`];
      measure(process.execPath, [CLI, 'init', lib, ...spec, '--json'], { env });
      return this.upload(lib);
    },
    restore(dir, remote) {
      const spec = remote.kind === 'folder' ? `fs:${remote.dir}` : `webdav:${remote.url}/${remote.path}`;
      const m = measure(process.execPath, [CLI, 'restore', '--remote', spec, '--to', dir, '--json'], { env });
      const s = JSON.parse(m.stdout);
      if (!s.ok || s.failed.length > 0) throw new Error(`syncacross restore failed: ${m.stdout.slice(0, 500)}`);
      return m;
    },
  };
}

// The same passphrase restic gets below, so both pay for a key derivation per command.
const PASSWORD = 'bench-password';

/** remote: { kind: 'folder', dir } | { kind: 'webdav', url, path } */
export const tools = {
  // The default a user gets: format 4 (compressed, collected, pruned by a retention policy when one is set), not encrypted.
  syncacross: syncacross(),
  // Compressed and encrypted (the comparison with restic, which always encrypts). Each node
  // remembers the derived key, as by default, so only init and restore pay for the KDF.
  'syncacross-encrypted': syncacross({ initFlags: ['--encrypt'], env: { SYNCACROSS_PASSWORD: PASSWORD } }),
  // The previous release's format: neither compressed nor encrypted.
  'syncacross-format1': syncacross({ initFlags: ['--format', '1'] }),
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
      const env = { RESTIC_PASSWORD: PASSWORD };
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
