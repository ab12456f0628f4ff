/**
 * `syncacross auth` end to end with the built binary and the Drive and Graph emulators: the
 * browser opens on a desktop (a fake browser named in $BROWSER, which `open`'s xdg-open runs: no
 * test hook in the CLI), `--no-browser` only prints the address, and `--device` (or an SSH
 * session) signs in with a code the test approves at the emulator, as a person would on their
 * phone; denied and expired codes fail with exit 4; Ctrl-C stops with 130. Where the device flow
 * cannot help (a gdrive folder id's full scope, Dropbox without a terminal) it says so. The
 * sign-ins that succeed check that no secret (client secret, tokens) reaches the terminal.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFetchHandler } from '@syncacross/sync-core/http';
import { waitFor } from '@syncacross/sync-core/testing';
import { createDriveEmulator, type DriveEmulator } from '@syncacross/adapter-gdrive/emulator';
import { createOneDriveEmulator, type OneDriveEmulator } from '@syncacross/adapter-onedrive/emulator';
import { canOpenBrowser } from '../src/browser.js';
import { cleanup, finish, run, start, tempDir, type RunResult } from './helpers.js';

const CLIENT_SECRET = 'gdrive-client-secret-never-shown';
let gdrive: DriveEmulator;
let onedrive: OneDriveEmulator;
let shortLived: OneDriveEmulator;
const urls: Record<string, string> = {};
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  // Short intervals keep the tests quick; the client still waits what the server asks.
  gdrive = createDriveEmulator({ deviceIntervalSeconds: 1 });
  onedrive = createOneDriveEmulator({ deviceCodeIntervalSec: 1 });
  shortLived = createOneDriveEmulator({ deviceCodeIntervalSec: 1, deviceCodeLifetimeSec: 2 });
  for (const [name, handle] of [
    ['gdrive', gdrive.handle],
    ['onedrive', onedrive.handle],
    ['shortLived', shortLived.handle],
  ] as const) {
    const server = await serveFetchHandler(handle, { port: 0, host: '127.0.0.1' });
    stops.push(() => server.close());
    urls[name] = server.url.replace(/\/+$/, '');
  }
});
afterAll(async () => {
  await Promise.all(stops.map((s) => s()));
  await cleanup();
});

/** No desktop and no SSH unless a test says so, whatever the machine running the tests has. */
const NO_SESSION = { DISPLAY: '', WAYLAND_DISPLAY: '', WSL_DISTRO_NAME: '', SSH_CONNECTION: '', SSH_CLIENT: '', SSH_TTY: '', BROWSER: '' };

interface Running {
  child: ChildProcess;
  done: Promise<RunResult>;
  stderr: () => string;
}

function startAuth(args: string[], env: Record<string, string>): Running {
  const child = start(['auth', ...args], { env: { ...NO_SESSION, ...env } });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return { child, done: finish(child), stderr: () => stderr };
}

/** Waits for the device-code line and returns the address and code it shows. */
async function deviceCodeOf(r: Running): Promise<{ url: string; code: string }> {
  let m: RegExpExecArray | null = null;
  await waitFor(() => (m = /open (http\S+) and enter the code (\S+)/.exec(r.stderr())) !== null || r.child.exitCode !== null, 'the device code to be shown', { timeoutMs: 30_000 });
  if (!m) throw new Error(`no device code shown:\n${r.stderr()}`);
  return { url: m[1]!, code: m[2]! };
}

function expectNoSecrets(r: RunResult, secrets: Array<string | undefined>): void {
  for (const s of secrets.filter((x): x is string => Boolean(x))) {
    expect(r.stdout).not.toContain(s);
    expect(r.stderr).not.toContain(s);
  }
}

async function configDir(): Promise<string> {
  const dir = join(await tempDir('syncacross-auth-'), 'credentials');
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

const onedriveArgs = (base: string) => ['-o', `baseUrl=${base}/v1.0`, '-o', 'clientId=cli-client'];
const gdriveArgs = () => ['-o', `rootUrl=${urls.gdrive}/`, '-o', 'clientId=cli-client'];

describe('auth --device (OneDrive, Microsoft identity platform)', () => {
  it('prints the address and code, stores the sign-in once approved, and init/sync then use it', async () => {
    const credentials = await configDir();
    const auth = startAuth(['onedrive:approot/signin', '--device', ...onedriveArgs(urls.onedrive!)], { SYNCACROSS_CONFIG_DIR: credentials });
    const { url, code } = await deviceCodeOf(auth);
    expect(url).toBe(`${urls.onedrive}/devicelogin`);
    // The person opens the page on another device and enters the code.
    expect((await fetch(`${url}?user_code=${encodeURIComponent(code)}`)).status).toBe(200);
    const r = await auth.done;
    expect(r.code, r.stderr).toBe(0);
    const saved = readFileSync(join(credentials, 'onedrive-default.json'), 'utf8');
    const secrets = [...saved.matchAll(/"secret":\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(secrets.length).toBeGreaterThan(0);
    expectNoSecrets(r, secrets);

    const lib = await tempDir('syncacross-auth-lib-');
    await writeFile(join(lib, 'hello.txt'), 'from a device sign-in');
    const env = { ...NO_SESSION, SYNCACROSS_CONFIG_DIR: credentials };
    const init = await run(['init', lib, '--remote', 'onedrive:approot/signin', ...onedriveArgs(urls.onedrive!)], { env });
    expect(init.code, init.stderr).toBe(0);
    const sync = await run(['sync', lib, '--stable-after', '0'], { env });
    expect(sync.code, sync.stderr).toBe(0);
  }, 60_000);

  it('over SSH it chooses the device flow by itself; a declined code fails with exit 4 and says so', async () => {
    const auth = startAuth(['onedrive', ...onedriveArgs(urls.onedrive!)], { SYNCACROSS_CONFIG_DIR: await configDir(), SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' });
    const { url, code } = await deviceCodeOf(auth);
    await fetch(`${url}?user_code=${encodeURIComponent(code)}&action=decline`);
    const r = await auth.done;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/declined/);
  }, 60_000);

  it('a code nobody enters in time fails with exit 4 and says it expired', async () => {
    const auth = startAuth(['onedrive', '--device', ...onedriveArgs(urls.shortLived!)], { SYNCACROSS_CONFIG_DIR: await configDir() });
    await deviceCodeOf(auth);
    const r = await auth.done;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/device code expired/);
  }, 60_000);

  it('Ctrl-C while waiting stops at once with exit 130 and stores nothing', async () => {
    const credentials = await configDir();
    const auth = startAuth(['onedrive', '--device', ...onedriveArgs(urls.onedrive!)], { SYNCACROSS_CONFIG_DIR: credentials });
    await deviceCodeOf(auth);
    auth.child.kill('SIGINT');
    const r = await auth.done;
    expect(r.code, r.stderr).toBe(130);
    expect(existsSync(join(credentials, 'onedrive-default.json'))).toBe(false);
  }, 60_000);
});

describe('auth --device (Google Drive)', () => {
  it('stores the authorization once approved, and init then uses it', async () => {
    const credentials = await configDir();
    const env = { SYNCACROSS_CONFIG_DIR: credentials, SYNCACROSS_GDRIVE_CLIENT_SECRET: CLIENT_SECRET };
    const auth = startAuth(['gdrive:DeviceLibrary', '--device', ...gdriveArgs()], env);
    const { url, code } = await deviceCodeOf(auth);
    expect(url).toBe(`${urls.gdrive}/device`);
    expect((await fetch(`${url}?user_code=${encodeURIComponent(code)}`)).status).toBe(200);
    const r = await auth.done;
    expect(r.code, r.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(credentials, 'gdrive-default.json'), 'utf8')) as { refresh_token: string; scope: string };
    expect(saved.scope).toBe('https://www.googleapis.com/auth/drive.file');
    expectNoSecrets(r, [CLIENT_SECRET, saved.refresh_token]);

    const lib = await tempDir('syncacross-auth-lib-');
    const init = await run(['init', lib, '--remote', 'gdrive:DeviceLibrary', ...gdriveArgs()], { env: { ...NO_SESSION, ...env } });
    expect(init.code, init.stderr).toBe(0);
    expectNoSecrets(init, [CLIENT_SECRET, saved.refresh_token]);
  }, 60_000);

  it('a denied code fails with exit 4', async () => {
    const auth = startAuth(['gdrive:DeviceLibrary', '--device', ...gdriveArgs()], { SYNCACROSS_CONFIG_DIR: await configDir(), SYNCACROSS_GDRIVE_CLIENT_SECRET: CLIENT_SECRET });
    const { url, code } = await deviceCodeOf(auth);
    await fetch(`${url}?user_code=${encodeURIComponent(code)}&action=deny`);
    const r = await auth.done;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/access was denied/);
  }, 60_000);

  it('a folder given by id needs the full drive scope, which the device flow cannot grant: refused before asking (exit 2)', async () => {
    const before = gdrive.stats.requests.device;
    const r = await run(['auth', 'gdrive:id:1AbCdEfGhIjKlMnOpQrStUvWxYz', '--device', ...gdriveArgs()], {
      env: { ...NO_SESSION, SYNCACROSS_CONFIG_DIR: await configDir(), SYNCACROSS_GDRIVE_CLIENT_SECRET: CLIENT_SECRET },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/device sign-in cannot grant https:\/\/www.googleapis.com\/auth\/drive\b/);
    expect(gdrive.stats.requests.device).toBe(before);
  }, 60_000);
});

describe('auth where the device flow cannot help', () => {
  it('gdrive over SSH with a folder id (full drive scope) falls back to printing the loopback address, saying why', async () => {
    const auth = startAuth(['gdrive:id:1AbCdEfGhIjKlMnOpQrStUvWxYz', ...gdriveArgs()], {
      SYNCACROSS_CONFIG_DIR: await configDir(),
      SYNCACROSS_GDRIVE_CLIENT_SECRET: CLIENT_SECRET,
      SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22',
    });
    let address: RegExpExecArray | null = null;
    await waitFor(() => (address = /Open this address in a browser to authorize syncacross:\s*\n\s*(\S+)/.exec(auth.stderr())) !== null, 'the address to be printed', { timeoutMs: 30_000 });
    expect(auth.stderr()).toMatch(/No browser can be opened here, and Google's device sign-in cannot grant https:\/\/www.googleapis.com\/auth\/drive\b/);
    // Through an SSH port forward, the person's browser reaches the listener.
    await (await fetch(address![1]!, { redirect: 'follow' })).text();
    const r = await auth.done;
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it('dropbox --device without a terminal to paste into: exit 2, saying Dropbox has no device-code sign-in', async () => {
    const r = await run(['auth', 'dropbox', '--device', '-o', 'appKey=cli-app', '-o', 'baseUrl=http://127.0.0.1:9'], { env: { ...NO_SESSION, SYNCACROSS_CONFIG_DIR: await configDir() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Dropbox has no device-code sign-in/);
  }, 60_000);
});

describe('auth with a browser (Google Drive, loopback redirect)', () => {
  /** A "browser" for xdg-open's $BROWSER: notes the address, then loads it (the consent page approves at once). */
  async function fakeBrowser(): Promise<{ program: string; log: string }> {
    const dir = await tempDir('syncacross-browser-');
    const log = join(dir, 'opened.txt');
    await writeFile(join(dir, 'browse.mjs'), "await (await fetch(process.argv[2], { redirect: 'follow' })).text();\n");
    const program = join(dir, 'browser');
    await writeFile(program, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\nexec '${process.execPath}' '${join(dir, 'browse.mjs')}' "$1"\n`);
    await chmod(program, 0o755);
    return { program, log };
  }

  it('on a desktop opens the authorization address in the browser, still prints it, and shows no secret', async () => {
    const credentials = await configDir();
    const browser = await fakeBrowser();
    const auth = startAuth(['gdrive:BrowserLibrary', ...gdriveArgs()], {
      SYNCACROSS_CONFIG_DIR: credentials,
      SYNCACROSS_GDRIVE_CLIENT_SECRET: CLIENT_SECRET,
      DISPLAY: ':99',
      BROWSER: browser.program,
    });
    const r = await auth.done;
    expect(r.code, r.stderr).toBe(0);
    const opened = readFileSync(browser.log, 'utf8').trim().split('\n');
    expect(opened).toHaveLength(1);
    const url = new URL(opened[0]!);
    expect(`${url.origin}${url.pathname}`).toBe(`${urls.gdrive}/o/oauth2/v2/auth`);
    expect(url.searchParams.get('client_id')).toBe('cli-client');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(r.stderr).toContain(opened[0]);
    const saved = JSON.parse(readFileSync(join(credentials, 'gdrive-default.json'), 'utf8')) as { refresh_token: string };
    expectNoSecrets(r, [CLIENT_SECRET, saved.refresh_token]);
    // Nor the PKCE code verifier: no word printed hashes to the challenge the browser carried.
    const printed = `${r.stdout}\n${r.stderr}`.match(/[A-Za-z0-9._~-]{43,128}/g) ?? [];
    for (const word of printed) expect(createHash('sha256').update(word).digest('base64url')).not.toBe(url.searchParams.get('code_challenge'));
  }, 60_000);

  it('--no-browser only prints the address (the browser is not started)', async () => {
    const browser = await fakeBrowser();
    const auth = startAuth(['gdrive:BrowserLibrary', '--no-browser', ...gdriveArgs()], {
      SYNCACROSS_CONFIG_DIR: await configDir(),
      SYNCACROSS_GDRIVE_CLIENT_SECRET: CLIENT_SECRET,
      DISPLAY: ':99',
      BROWSER: browser.program,
    });
    let address: RegExpExecArray | null = null;
    await waitFor(() => (address = /Open this address in a browser to authorize syncacross:\s*\n\s*(\S+)/.exec(auth.stderr())) !== null, 'the address to be printed', { timeoutMs: 30_000 });
    // The person opens it by hand.
    await (await fetch(address![1]!, { redirect: 'follow' })).text();
    const r = await auth.done;
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(browser.log)).toBe(false);
  }, 60_000);
});

describe('canOpenBrowser', () => {
  it('says yes on a desktop session and no over SSH or without a display', () => {
    expect(canOpenBrowser({}, 'darwin')).toBe(true);
    expect(canOpenBrowser({}, 'win32')).toBe(true);
    expect(canOpenBrowser({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(canOpenBrowser({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(canOpenBrowser({ WSL_DISTRO_NAME: 'Ubuntu' }, 'linux')).toBe(true);
    expect(canOpenBrowser({}, 'linux')).toBe(false);
    expect(canOpenBrowser({}, 'freebsd')).toBe(false);
    expect(canOpenBrowser({ DISPLAY: ':0', SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' }, 'linux')).toBe(false);
    expect(canOpenBrowser({ SSH_TTY: '/dev/pts/1' }, 'darwin')).toBe(false);
  });
});
