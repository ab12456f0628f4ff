// Apache 2.4 mod_dav_fs on loopback (the project's recipe plus an access log that records
// method, status and bytes received/sent per request, via mod_logio).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

// `etag`: 'mtime' is Apache's own default (`FileETag MTime Size`), what a NAS or a user's server
// runs and what adapter-webdav's README recommends (the engine never uses compare-and-swap).
// 'digest' is the test suite's recipe (`FileETag Digest`, strong etags for compare-and-swap):
// Apache then reads a file whole for its etag on every GET, so each ranged read of a 24 MiB pack
// costs the server an MD5 of all of it (a download of the scale-1 library: 16.5 s against 9.5 s).
const FILE_ETAG = { mtime: 'MTime Size', digest: 'Digest' };

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startApache(root, { etag = 'mtime' } = {}) {
  if (!FILE_ETAG[etag]) throw new Error(`--apache-etag must be one of ${Object.keys(FILE_ETAG).join(', ')}`);
  const port = await freePort();
  for (const d of ['dav', 'lock', 'logs']) mkdirSync(join(root, d), { recursive: true });
  const m = '/usr/lib/apache2/modules';
  const conf = `ServerRoot /etc/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${root}/apache.pid
ErrorLog ${root}/logs/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module ${m}/mod_mpm_event.so
LoadModule authz_core_module ${m}/mod_authz_core.so
LoadModule dav_module ${m}/mod_dav.so
LoadModule dav_fs_module ${m}/mod_dav_fs.so
LoadModule mime_module ${m}/mod_mime.so
TypesConfig /etc/mime.types
LimitRequestBody 0
DAVLockDB ${root}/lock/DAVLock
DocumentRoot ${root}/dav
LogFormat "%m %>s %I %O" bench
CustomLog ${root}/logs/access.log bench
<Directory ${root}/dav>
  Dav On
  FileETag ${FILE_ETAG[etag]}
  Options None
  AllowOverride None
  Require all granted
</Directory>
`;
  writeFileSync(join(root, 'apache.conf'), conf);
  for (const d of ['dav', 'lock']) spawnSync('chown', ['-R', 'www-data:www-data', join(root, d)]);
  const proc = spawn('apache2', ['-f', join(root, 'apache.conf'), '-DFOREGROUND'], { stdio: 'inherit' });
  for (let i = 0; i < 100; i++) {
    const ok = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${port}/`], { encoding: 'utf8' }).stdout;
    if (ok && ok !== '000') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = join(root, 'logs', 'access.log');
  return {
    url: `http://127.0.0.1:${port}`,
    davDir: join(root, 'dav'),
    mkcol(path) {
      spawnSync('curl', ['-s', '-X', 'MKCOL', `http://127.0.0.1:${port}/${path}/`]);
    },
    /** Requests since the last call, by method, and bytes received (uploaded) and sent. */
    takeLog() {
      const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
      writeFileSync(log, '');
      const byMethod = {};
      let up = 0;
      let down = 0;
      for (const l of lines) {
        const [method, , i, o] = l.split(' ');
        byMethod[method] = (byMethod[method] ?? 0) + 1;
        up += Number(i) || 0;
        down += Number(o) || 0;
      }
      return { requests: lines.length, byMethod, bytesUp: up, bytesDown: down };
    },
    stop() {
      proc.kill('SIGTERM');
    },
  };
}
