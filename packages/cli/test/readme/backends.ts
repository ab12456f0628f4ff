/**
 * What README commands run against: a temp "machine" (HOME, the credentials folder, a local
 * folder standing for /mnt/… and /srv/…), and each cloud package's emulator or an npm WebDAV
 * server on a loopback port, in this process.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { v2 as webdav } from 'webdav-server';
import { serveFetchHandler } from '@syncacross/sync-core/http';
import { createS3Emulator } from '@syncacross/adapter-s3/emulator';
import { createDriveEmulator } from '@syncacross/adapter-gdrive/emulator';
import { createOneDriveEmulator } from '@syncacross/adapter-onedrive/emulator';
import { createDropboxEmulator } from '@syncacross/adapter-dropbox/emulator';

export interface Backends {
  s3: string;
  gdrive: string;
  onedrive: string;
  dropbox: string;
  /** The WebDAV server's URL and the folder it serves. */
  dav: string;
  davRoot: string;
  stop(): Promise<void>;
}

/** The buckets README commands name. */
export const BUCKETS = ['my-bucket'];

export async function startBackends(base: string): Promise<Backends> {
  const stops: Array<() => Promise<void>> = [];
  const serve = async (handle: (r: Request) => Promise<Response>) => {
    const s = await serveFetchHandler(handle, { port: 0, host: '127.0.0.1' });
    stops.push(() => s.close());
    return s.url.replace(/\/+$/, '');
  };
  const s3 = await serve(createS3Emulator({ buckets: BUCKETS }).handle);
  const gdrive = await serve(createDriveEmulator().handle);
  const onedrive = await serve(createOneDriveEmulator().handle);
  const dropbox = await serve(createDropboxEmulator().handle);
  const davRoot = join(base, 'dav');
  mkdirSync(davRoot, { recursive: true });
  // The README's user: alice, whose password `…` maps to.
  const users = new webdav.SimpleUserManager();
  const alice = users.addUser('alice', 'readme-placeholder', false);
  const privileges = new webdav.SimplePathPrivilegeManager();
  privileges.setRights(alice, '/', ['all']);
  const server = new webdav.WebDAVServer({
    port: 0,
    hostname: '127.0.0.1',
    rootFileSystem: new webdav.PhysicalFileSystem(davRoot),
    httpAuthentication: new webdav.HTTPBasicAuthentication(users, 'readme'),
    privilegeManager: privileges,
  });
  const http = await new Promise<Server>((resolve) => server.start((s) => resolve(s as Server)));
  stops.push(() => new Promise<void>((resolve) => server.stop(() => resolve())));
  const dav = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { s3, gdrive, onedrive, dropbox, dav, davRoot, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}
