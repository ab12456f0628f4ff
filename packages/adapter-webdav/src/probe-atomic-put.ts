/**
 * Whether a server's PUT is atomic: it writes the body beside the target and renames it into
 * place once whole, so nothing shows under the name while the body is coming in, and an
 * interrupted upload leaves nothing there. Where it is, and `If-None-Match: *` is honored, a
 * create is one PUT instead of PUT + MOVE (put.ts).
 *
 * Apache mod_dav_fs writes to `.davfs.tmp…` and renames (modules/dav/fs/repos.c,
 * dav_fs_open_stream / dav_fs_close_stream, which removes the temporary when the body is
 * incomplete; seen with strace here); Nextcloud writes `.part` files. nephele and webdav-server
 * write the body straight into the target: a reader sees a prefix, and a client that dies
 * mid-upload leaves one under the key for good, which If-None-Match would then call `exists`.
 *
 * Measured, not assumed: a PUT declaring 1 MiB sends 256 KiB and stalls; the target must be
 * absent then, and still absent once the connection is broken. A server that answers before the
 * body is whole, or that we cannot read clearly, counts as not atomic (the MOVE path is safe everywhere).
 *
 * What it cannot see: a proxy that buffers whole request bodies (nginx's default) in front of a
 * server that writes in place passes the probe, though that server could still leave a prefix if
 * it crashed while writing a body it had whole. Readers cope with a prefix (every object the
 * engine reads is named by its content hash); a create that met one would answer `exists`.
 * `probe: false`, or a server that writes aside, avoids it.
 */
import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { DavTransport } from './client.js';

const DECLARED = 1024 * 1024;
const SENT = 256 * 1024;
/**
 * Time for the server to take the first bytes in. None is given after the break: a server that
 * writes in place and cleans up later is then seen with its prefix, which errs on the safe side.
 */
const SETTLE_MS = 200;

export async function probeAtomicPut(transport: DavTransport, url: string): Promise<boolean> {
  const body = new PassThrough();
  body.on('error', () => undefined); // destroyed on purpose below
  const upload = transport.requestNow('PUT', url, 'capability probe (interrupted upload)', { body, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(DECLARED) } }).then(
    () => 'answered' as const,
    () => 'broken' as const,
  );
  body.write(Buffer.alloc(SENT, 0x61));
  await delay(SETTLE_MS);
  const during = await presence(transport, url);
  body.destroy(new Error('capability probe: upload interrupted on purpose'));
  const outcome = await upload;
  const after = await presence(transport, url);
  return outcome === 'broken' && during === 'absent' && after === 'absent';
}

async function presence(transport: DavTransport, url: string): Promise<'absent' | 'present' | 'unclear'> {
  try {
    const answer = await transport.requestNow('PROPFIND', url, 'capability probe', { headers: { Depth: '0' } });
    if (answer.status === 404) return 'absent';
    return answer.status === 207 || answer.status === 200 ? 'present' : 'unclear';
  } catch {
    return 'unclear';
  }
}
