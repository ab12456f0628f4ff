/**
 * Reads go out through node:http itself (src/direct-get.ts), not node-fetch: against a real
 * server on loopback, what node-fetch did beyond reading the body still happens (a redirect is
 * followed, a coded body decoded), and a body cut short or a server that never answers is an
 * error, never a short buffer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebDavStorage } from '@syncacross/adapter-webdav';

const content = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => i % 251));
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handle: Handler;
const seen: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  seen.length = 0;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const storage = (extra: Record<string, unknown> = {}) => createWebDavStorage({ url: `${base}/dav`, probe: false, ...extra });

/** The object's bytes, or the range the Range header asks for (206). */
const serveContent: Handler = (req, res) => {
  const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
  if (!m) return void res.writeHead(200, { 'Content-Length': content.length }).end(content);
  const [from, to] = [Number(m[1]), Number(m[2])];
  res.writeHead(206, { 'Content-Length': to - from + 1, 'Content-Range': `bytes ${from}-${to}/${content.length}` }).end(content.subarray(from, to + 1));
};

describe('a read sent through node:http', () => {
  it("carries the client's credentials and headers, and its Range, and asks for no coding", async () => {
    handle = serveContent;
    const s = await storage({ username: 'alice', password: 'pw', headers: { 'X-Tenant': 't1' } });
    const got = await s.get('k', { range: { offset: 1000, length: 5000 } });
    expect(Buffer.compare(Buffer.from(got), content.subarray(1000, 6000))).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('alice:pw').toString('base64')}`);
    expect(seen[0]!.headers['x-tenant']).toBe('t1');
    expect(seen[0]!.headers.range).toBe('bytes=1000-5999');
    // node-fetch asks for gzip, deflate and br: its absence shows the read did not go through it.
    expect(seen[0]!.headers['accept-encoding']).toBeUndefined();
    // What else node-fetch sent is sent still (a firewall in front of a server may look at it).
    expect(seen[0]!.headers['user-agent']).toBe('node-fetch');
    expect(seen[0]!.headers.accept).toBe('*/*');
  });

  it('follows a redirect, as node-fetch did', async () => {
    handle = (req, res) => (req.url === '/dav/k' ? void res.writeHead(302, { Location: '/elsewhere/k' }).end() : serveContent(req, res));
    const s = await storage();
    expect(Buffer.compare(Buffer.from(await s.get('k')), content)).toBe(0);
    // Tried directly, then through the client, which followed the redirect.
    expect(seen.map((r) => r.url)).toEqual(['/dav/k', '/dav/k', '/elsewhere/k']);
  });

  it('decodes a body the server coded though nobody asked', async () => {
    handle = (_req, res) => {
      const coded = gzipSync(content);
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': coded.length }).end(coded);
    };
    const s = await storage();
    expect(Buffer.compare(Buffer.from(await s.get('k')), content)).toBe(0);
  });

  it('fails a body cut short, and a server that never answers, as Unavailable', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'Content-Length': content.length });
      res.write(content.subarray(0, 1000), () => res.socket?.destroy());
    };
    const s = await storage({ timeoutMs: 500 });
    await expect(s.get('k')).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringContaining('reading the response') });
    handle = () => undefined; // no answer at all
    const started = Date.now();
    await expect(s.get('k')).rejects.toMatchObject({ code: 'Unavailable' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('maps a refused connection to Unavailable, with no credential in the message', async () => {
    const s = await createWebDavStorage({ url: 'http://127.0.0.1:1/dav', probe: false, username: 'alice', password: 'secret-pw' });
    const error = await s.get('k').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Unavailable' });
    expect(String((error as Error).message)).not.toContain('secret-pw');
    expect(String((error as Error).message)).not.toContain(Buffer.from('alice:secret-pw').toString('base64'));
  });

  // A certificate for 127.0.0.1 made here by openssl; without openssl the test says it was skipped.
  const openssl = spawnSync('openssl', ['version']).status === 0;
  it.skipIf(!openssl)('over TLS, trusts what the agent trusts: the ca option, or nothing unverified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dav-tls-'));
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    expect(made.status).toBe(0);
    const [key, cert] = [readFileSync(join(dir, 'key.pem'), 'utf8'), readFileSync(join(dir, 'cert.pem'), 'utf8')];
    rmSync(dir, { recursive: true });
    const tls = createTlsServer({ key, cert }, (req, res) => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      serveContent(req, res);
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/dav`;
    try {
      const trusting = await createWebDavStorage({ url, probe: false, ca: cert });
      expect(Buffer.compare(Buffer.from(await trusting.get('k')), content)).toBe(0);
      expect(seen.at(-1)!.headers['accept-encoding']).toBeUndefined(); // read directly
      const strict = await createWebDavStorage({ url, probe: false });
      await expect(strict.get('k')).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/self[- ]signed/i) });
      const lax = await createWebDavStorage({ url, probe: false, rejectUnauthorized: false });
      expect(Buffer.compare(Buffer.from(await lax.get('k')), content)).toBe(0);
    } finally {
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
    }
  });
});
