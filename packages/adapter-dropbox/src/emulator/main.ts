/**
 * Serves the Dropbox emulator on a loopback port, so the CLI (or a person) can use the Dropbox
 * adapter without a Dropbox account:
 *
 *   node packages/adapter-dropbox/dist/emulator/main.js --port 8080
 *
 * then point the adapter at it with `baseUrl: "http://127.0.0.1:8080"` and either the printed
 * access token or `appKey: "emulator-app"` and `syncacross auth dropbox` (the consent page
 * approves at once).
 */
import { parseEmulatorArgs, serveFetchHandler } from '@syncacross/sync-core/http';
import { createDropboxEmulator } from './index.js';

const values = parseEmulatorArgs({
  summary: 'The Dropbox API emulator: point the adapter at baseUrl http://HOST:PORT with the access token it prints.',
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    'max-request-bytes': { type: 'string' },
    'lost-answers': { type: 'string' },
    'write-contention': { type: 'string' },
    'max-name-length': { type: 'string' },
    'exact-redirect-uris': { type: 'boolean' },
  },
  describe: {
    port: 'the port, 0 for any free one',
    host: 'the address to listen on',
    'max-request-bytes': 'refuse larger request bodies',
    'lost-answers': 'real-world mode: the chance (0-1) that a committed write loses its answer (500)',
    'write-contention': 'real-world mode LOCK_MS,RETRY_AFTER_S: a write holds the namespace lock LOCK_MS; one arriving meanwhile gets 429 too_many_write_operations',
    'max-name-length': 'real-world mode: refuse longer names with malformed_path (Dropbox: 255)',
    'exact-redirect-uris': 'real-world mode: OAuth redirect URIs must match a registered one exactly (http://127.0.0.1:53682/)',
  },
});

const number = (v: string | undefined) => (v ? Number(v) : undefined);
const emulator = createDropboxEmulator({
  maxRequestBytes: number(values['max-request-bytes']),
  lostAnswerProbability: number(values['lost-answers']),
  maxNameLength: number(values['max-name-length']),
  exactRedirectUris: values['exact-redirect-uris'] === true,
  writeContention: values['write-contention'] ? { lockMs: Number(values['write-contention'].split(',')[0]), retryAfterSeconds: Number(values['write-contention'].split(',')[1] ?? 15) } : undefined,
});
const server = await serveFetchHandler(emulator.handle, { port: Number(values.port), host: values.host });
const token = emulator.issueAccessToken('emulator-app', 365 * 24 * 3600);
process.stdout.write(
  [
    `Dropbox API emulator on ${server.url}`,
    `  apps: emulator-app (full Dropbox), emulator-app-folder (app folder /Apps/syncacross)`,
    `  access token (emulator-app, 1 year): ${token}`,
    `  adapter options: {"baseUrl": "${server.url}", "accessToken": "<token above>"}`,
    '',
  ].join('\n'),
);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
