/** The WebDAV servers installed from npm, for `npm test`: nephele (child process) and webdav-server (in-process). */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { v2 as webdav } from 'webdav-server';
import { startChild } from './child-server.js';

export interface RunningDav {
  url: string;
  stop(): Promise<void>;
}

/** nephele: honors If-None-Match / If-Match, writes PUT bodies in place. */
export async function startNephele(): Promise<RunningDav> {
  const dir = mkdtempSync(join(tmpdir(), 'syncacross-nephele-'));
  const script = fileURLToPath(new URL('./nephele-server.mjs', import.meta.url));
  const child = await startChild({
    command: process.execPath,
    args: [script, dir, '0'],
    url: (out) => {
      const port = /listening (\d+)/.exec(out)?.[1];
      return port ? `http://127.0.0.1:${port}` : undefined;
    },
  });
  return {
    url: child.url,
    async stop() {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** webdav-server (npm): ignores If-None-Match / If-Match, sends no ETag header, on a real folder. */
export async function startWebdavServer(): Promise<RunningDav> {
  const dir = mkdtempSync(join(tmpdir(), 'syncacross-webdav-server-'));
  // Port 0 goes in the options: start(0) would read 0 as "no port given" and use 1900.
  const server = new webdav.WebDAVServer({ port: 0, hostname: '127.0.0.1', rootFileSystem: new webdav.PhysicalFileSystem(dir) });
  const http = await new Promise<Server>((resolve) => server.start((s) => resolve(s as Server)));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await new Promise<void>((resolve) => server.stop(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
