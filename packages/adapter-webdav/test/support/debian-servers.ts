/**
 * WebDAV servers installed from Debian packages, for `npm run test:interop`
 * (`.ci/run` installs: apache2 apache2-utils nginx libnginx-mod-http-dav-ext rclone).
 * Each is started on a free loopback port in its own temporary folder and stopped by its PID.
 * Configurations follow ../../../../shared/recipes/ (apache-dav.conf, nginx-dav.conf).
 */
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@syncacross/sync-core/testing';
import { haveCommand, startChild } from './child-server.js';

export const USER = 'alice';
export const PASS = 'secret';

export interface RunningDebianDav {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const APACHE_MODULES = '/usr/lib/apache2/modules';
const NGINX_DAV_EXT = '/usr/lib/nginx/modules/ngx_http_dav_ext_module.so';
export const haveApache = haveCommand('apache2') && existsSync(`${APACHE_MODULES}/mod_dav_fs.so`);
export const haveNginx = haveCommand('nginx') && existsSync(NGINX_DAV_EXT);
export const haveRclone = haveCommand('rclone');

/** A temporary folder the servers' worker user (www-data when we are root) can use. */
function workDir(name: string, writable: string[]): string {
  const root = mkdtempSync(join(tmpdir(), `syncacross-${name}-`));
  chmodSync(root, 0o755);
  for (const d of writable) mkdirSync(join(root, d), { recursive: true });
  if (process.getuid?.() === 0) {
    // Workers drop to www-data (uid/gid 33 on Debian).
    for (const d of writable) chownRecursive(join(root, d), 33, 33);
  }
  return root;
}
function chownRecursive(path: string, uid: number, gid: number) {
  chownSync(path, uid, gid);
  for (const e of readdirSync(path, { withFileTypes: true })) if (e.isDirectory()) chownRecursive(join(path, e.name), uid, gid);
}
/** htpasswd line without the htpasswd tool: `{SHA}` is read by both Apache and nginx. */
const htpasswd = () => `${USER}:{SHA}${createHash('sha1').update(PASS).digest('base64')}\n`;

/** Apache 2.4 mod_dav_fs with Basic auth and strong (content digest) ETags. */
export async function startApache(): Promise<RunningDebianDav> {
  const root = workDir('apache', ['dav', 'lock', 'logs']);
  const port = await freePort();
  writeFileSync(join(root, 'htpasswd'), htpasswd());
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    join(root, 'apache.conf'),
    `ServerRoot /etc/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${root}/apache.pid
ErrorLog ${root}/logs/error.log
LogLevel warn
${asRoot ? 'User www-data\nGroup www-data' : ''}
LoadModule mpm_event_module ${APACHE_MODULES}/mod_mpm_event.so
LoadModule authz_core_module ${APACHE_MODULES}/mod_authz_core.so
LoadModule authz_user_module ${APACHE_MODULES}/mod_authz_user.so
LoadModule authn_core_module ${APACHE_MODULES}/mod_authn_core.so
LoadModule authn_file_module ${APACHE_MODULES}/mod_authn_file.so
LoadModule auth_basic_module ${APACHE_MODULES}/mod_auth_basic.so
LoadModule dav_module ${APACHE_MODULES}/mod_dav.so
LoadModule dav_fs_module ${APACHE_MODULES}/mod_dav_fs.so
LoadModule mime_module ${APACHE_MODULES}/mod_mime.so
TypesConfig /etc/mime.types
DAVLockDB ${root}/lock/DAVLock
DocumentRoot ${root}/dav
<Directory ${root}/dav>
  Dav On
  # Without this, ETags are weak for a second after each write and If-Match always fails.
  FileETag Digest
  Options None
  AllowOverride None
  AuthType Basic
  AuthName "dav"
  AuthUserFile ${root}/htpasswd
  Require valid-user
</Directory>
`,
  );
  const child = await startChild({ command: 'apache2', args: ['-f', join(root, 'apache.conf'), '-DFOREGROUND'], url: `http://127.0.0.1:${port}` });
  return { url: child.url, pid: child.pid, stop: async () => (await child.stop(), rmSync(root, { recursive: true, force: true })) };
}

/** nginx dav + dav-ext: ignores preconditions, lists no getetag, answers a missing parent with 500. */
export async function startNginx(): Promise<RunningDebianDav> {
  const root = workDir('nginx', ['dav', 'tmp', 'logs']);
  const port = await freePort();
  writeFileSync(join(root, 'htpasswd'), htpasswd());
  writeFileSync(
    join(root, 'nginx.conf'),
    `load_module ${NGINX_DAV_EXT};
${process.getuid?.() === 0 ? 'user www-data;' : ''}
worker_processes 1;
pid ${root}/nginx.pid;
error_log ${root}/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${root}/tmp/body;
  proxy_temp_path ${root}/tmp/proxy;
  fastcgi_temp_path ${root}/tmp/fastcgi;
  uwsgi_temp_path ${root}/tmp/uwsgi;
  scgi_temp_path ${root}/tmp/scgi;
  client_max_body_size 100m;
  server {
    listen 127.0.0.1:${port};
    root ${root}/dav;
    location / {
      dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_ext_methods PROPFIND OPTIONS;
      create_full_put_path off;
      dav_access user:rw group:rw all:r;
      auth_basic "dav";
      auth_basic_user_file ${root}/htpasswd;
    }
  }
}
`,
  );
  // -e: nginx opens its default error log before reading the config; keep it in our folder.
  const child = await startChild({
    command: 'nginx',
    args: ['-p', `${root}/`, '-c', join(root, 'nginx.conf'), '-e', join(root, 'logs/startup.log'), '-g', 'daemon off;'],
    url: `http://127.0.0.1:${port}`,
  });
  return { url: child.url, pid: child.pid, stop: async () => (await child.stop(), rmSync(root, { recursive: true, force: true })) };
}

/** `rclone serve webdav` on a local folder: ignores preconditions, missing parent → 404. */
export async function startRclone(): Promise<RunningDebianDav> {
  const root = workDir('rclone', ['dav']);
  const port = await freePort();
  writeFileSync(join(root, 'rclone.conf'), '');
  const child = await startChild({
    command: 'rclone',
    args: ['serve', 'webdav', join(root, 'dav'), '--addr', `127.0.0.1:${port}`, '--user', USER, '--pass', PASS, '--etag-hash', 'MD5'],
    env: { RCLONE_CONFIG: join(root, 'rclone.conf') },
    url: `http://127.0.0.1:${port}`,
  });
  return { url: child.url, pid: child.pid, stop: async () => (await child.stop(), rmSync(root, { recursive: true, force: true })) };
}
