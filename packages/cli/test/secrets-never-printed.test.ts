/**
 * No secret reaches the terminal, --json or a SYNCACROSS_DEBUG=1 stack, whichever adapter holds
 * it and however it got it (an option, the environment, a token file written by `auth`). Each
 * adapter gets a recognizable fake secret and an endpoint that refuses connections (a closed
 * loopback port), so every failure path prints: retry lines, the final error, the --json error,
 * the debug stack with its causes. Then the same against a server that refuses every request and
 * echoes it back (URL, headers, body) in its error body, as some OAuth servers and proxies do, so
 * a secret that travels in a request and comes back in an SDK error is caught too.
 * (adapter-fs holds no secret, so it has no case here.)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, run, tempDir } from './helpers.js';

afterAll(cleanup);

/** A loopback port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Case {
  adapter: string;
  /** The canaries this case plants; none may be printed. */
  canaries: string[];
  /** `--remote` and `-o` arguments for init. */
  args: (port: number) => string[];
  env?: Record<string, string>;
  /** Token files written to the credentials folder before running. */
  files?: Record<string, unknown>;
}

const canary = (what: string) => `SECRET-CANARY-${what}-42`;

const CASES: Case[] = [
  {
    adapter: 'dropbox',
    canaries: [canary('dropbox-refresh')],
    args: (port) => ['--remote', 'dropbox:/library', '-o', `baseUrl=http://127.0.0.1:${port}`],
    files: { 'dropbox-default.json': { appKey: 'app-key', refreshToken: canary('dropbox-refresh'), createdAt: '2026-01-01T00:00:00Z' } },
  },
  {
    adapter: 'dropbox (access token from the environment)',
    canaries: [canary('dropbox-access')],
    args: (port) => ['--remote', 'dropbox:/library', '-o', `baseUrl=http://127.0.0.1:${port}`],
    env: { SYNCACROSS_DROPBOX_ACCESS_TOKEN: canary('dropbox-access') },
  },
  {
    adapter: 'gdrive',
    canaries: [canary('gdrive-refresh'), canary('gdrive-client-secret')],
    args: (port) => ['--remote', 'gdrive:Library', '-o', 'clientId=client-id', '-o', `rootUrl=http://127.0.0.1:${port}/`],
    env: { SYNCACROSS_GDRIVE_CLIENT_SECRET: canary('gdrive-client-secret') },
    files: { 'gdrive-default.json': { type: 'authorized_user', client_id: 'client-id', refresh_token: canary('gdrive-refresh'), created: '2026-01-01T00:00:00Z' } },
  },
  {
    adapter: 'onedrive',
    canaries: [canary('onedrive-access')],
    args: (port) => ['--remote', 'onedrive:library', '-o', `baseUrl=http://127.0.0.1:${port}/v1.0`],
    env: { SYNCACROSS_ONEDRIVE_ACCESS_TOKEN: canary('onedrive-access') },
  },
  {
    adapter: 's3',
    canaries: [canary('s3-key-id'), canary('s3-secret'), canary('s3-session')],
    args: (port) => ['--remote', 's3:library-bucket/notes', '-o', `endpoint=http://127.0.0.1:${port}`],
    env: { SYNCACROSS_S3_ACCESS_KEY_ID: canary('s3-key-id'), SYNCACROSS_S3_SECRET_ACCESS_KEY: canary('s3-secret'), SYNCACROSS_S3_SESSION_TOKEN: canary('s3-session') },
  },
  {
    adapter: 's3 (the AWS chain from the environment)',
    canaries: [canary('aws-secret'), canary('aws-session')],
    args: (port) => ['--remote', 's3:library-bucket/notes', '-o', `endpoint=http://127.0.0.1:${port}`],
    env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: canary('aws-secret'), AWS_SESSION_TOKEN: canary('aws-session') },
  },
  {
    adapter: 'webdav',
    canaries: [canary('webdav-password'), Buffer.from(`alice:${canary('webdav-password')}`).toString('base64')],
    args: (port) => ['--remote', `webdav:http://127.0.0.1:${port}/dav`, '-o', 'username=alice'],
    env: { SYNCACROSS_WEBDAV_PASSWORD: canary('webdav-password') },
  },
  {
    adapter: 'webdav (bearer token by reference)',
    canaries: [canary('webdav-bearer')],
    args: (port) => ['--remote', `webdav:http://127.0.0.1:${port}/dav`, '-o', 'bearerToken=${env:DAV_TOKEN}'],
    env: { DAV_TOKEN: canary('webdav-bearer') },
  },
];

/** Answers every request 400 with the request itself (method, URL, headers, body) in the error body. */
async function echoServer(): Promise<Server> {
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const echo = `${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body}`;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_request', error_description: echo, error_summary: echo, message: echo }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function expectNoSecretPrinted(c: Case, port: number): Promise<void> {
  const base = await tempDir('syncacross-secrets-');
  const credentials = join(base, 'credentials');
  await mkdir(credentials, { recursive: true, mode: 0o700 });
  for (const [name, content] of Object.entries(c.files ?? {})) await writeFile(join(credentials, name), JSON.stringify(content), { mode: 0o600 });
  const env = { ...c.env, SYNCACROSS_CONFIG_DIR: credentials };
  const runs = [
    ['init', join(base, 'human'), ...c.args(port), '--retries', '2'],
    ['--json', 'init', join(base, 'json'), ...c.args(port), '--retries', '2'],
  ];
  for (const [i, args] of runs.entries()) {
    for (const debug of [{}, { SYNCACROSS_DEBUG: '1' }] as Array<Record<string, string>>) {
      const r = await run(args, { env: { ...env, ...debug } });
      const printed = r.stdout + r.stderr;
      // It failed (unreachable, unauthorized, refused), and it said something.
      expect(r.code, printed).toBeGreaterThan(0);
      expect(printed.length).toBeGreaterThan(0);
      if (i === 1) expect(JSON.parse(r.stdout.trim()).ok).toBe(false);
      for (const secret of c.canaries) expect(printed, `${args.join(' ')} printed ${secret}`).not.toContain(secret);
    }
  }
}

describe('no secret is ever printed, for any adapter', () => {
  let port: number;
  let echo: Server;
  beforeAll(async () => {
    port = await closedPort();
    echo = await echoServer();
  });
  afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

  it.each(CASES)('$adapter: an unreachable endpoint prints no secret (human, --json, SYNCACROSS_DEBUG=1)', async (c) => {
    await expectNoSecretPrinted(c, port);
  });

  it.each(CASES)('$adapter: a server that echoes requests back in its errors prints no secret', async (c) => {
    await expectNoSecretPrinted(c, (echo.address() as { port: number }).port);
  });
});

describe('a literal secret on the command line is refused by every command that takes options', () => {
  it.each([
    ['auth', ['auth', 'gdrive:Library', '-o', 'clientId=client-id', '-o', `clientSecret=${canary('literal')}`]],
    ['adapters --probe', ['adapters', '--probe', '--remote', 'webdav:http://127.0.0.1:9/dav', '-o', 'username=alice', '-o', `password=${canary('literal')}`]],
    ['init', ['init', 'lib', '--remote', 'dropbox:/library', '-o', `refreshToken=${canary('literal')}`]],
  ])('%s: exit 2, naming the environment variable to use, without echoing the value', async (_, args) => {
    const base = await tempDir('syncacross-literal-');
    const r = await run(args, { cwd: base });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/is a secret and is never stored in config\.json: set SYNCACROSS_[A-Z_]+ in the environment/);
    expect(r.stdout + r.stderr).not.toContain(canary('literal'));
  });

  it('auth takes the secret from SYNCACROSS_<ADAPTER>_<OPTION> instead (and gets past option checks)', async () => {
    const base = await tempDir('syncacross-literal-');
    // No folder given: the adapter's own message, not a refusal of the secret.
    const r = await run(['auth', 'gdrive', '-o', 'clientId=client-id'], { cwd: base, env: { SYNCACROSS_GDRIVE_CLIENT_SECRET: canary('env') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('set exactly one of folderId, folderName or appDataFolder');
    expect(r.stderr).toContain('syncacross auth gdrive:<location>');
    expect(r.stdout + r.stderr).not.toContain(canary('env'));
  });
});
