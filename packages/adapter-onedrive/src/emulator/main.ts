/**
 * Serves the OneDrive/Graph emulator on a loopback port so the CLI can be pointed at it:
 *
 *   node packages/adapter-onedrive/dist/emulator/main.js --port 8080 [--token T] [--any-token]
 *     [--ignore-conflict-behavior] [--session-ignores-conflict-behavior] [--page-size N]
 *     [--bandwidth-throttle-every N] [--fragment-limit] [--upload-404s N] [--sharepoint-limits]
 *     [--delta-only-at-root]
 *
 * Graph base URL: http://127.0.0.1:8080/v1.0 ; authority base: http://127.0.0.1:8080
 */
import { parseEmulatorArgs, serveFetchHandler } from '@syncacross/sync-core/http';
import { createOneDriveEmulator } from './index.js';

const values = parseEmulatorArgs({
  summary: 'The OneDrive (Microsoft Graph) emulator: Graph at http://HOST:PORT/v1.0, sign-in authority at http://HOST:PORT.',
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string', multiple: true },
    'any-token': { type: 'boolean', default: false },
    'ignore-conflict-behavior': { type: 'boolean', default: false },
    'session-ignores-conflict-behavior': { type: 'boolean', default: false },
    'page-size': { type: 'string' },
    'bandwidth-throttle-every': { type: 'string' },
    'fragment-limit': { type: 'boolean', default: false },
    'upload-404s': { type: 'string' },
    'sharepoint-limits': { type: 'boolean', default: false },
    'delta-only-at-root': { type: 'boolean', default: false },
  },
  describe: {
    port: 'the port, 0 for any free one',
    host: 'the address to listen on',
    token: 'an access token to accept',
    'any-token': 'accept any access token',
    'ignore-conflict-behavior': 'overwrite despite conflictBehavior=fail, as some tenants do',
    'session-ignores-conflict-behavior': 'upload sessions overwrite despite conflictBehavior=fail (OneDrive for Business)',
    'page-size': 'children per listing page',
    'bandwidth-throttle-every': 'answer 509 Bandwidth Limit Exceeded for a second every N requests, as SharePoint does',
    'fragment-limit': 'refuse upload fragments of 60 MiB or more (413), as Graph does',
    'upload-404s': 'answer a transient 404 to the first N requests to each upload URL',
    'sharepoint-limits': 'refuse folder names starting with ~ and paths over 400 characters, as SharePoint does',
    'delta-only-at-root': 'answer 501 notSupported to delta on a folder of a Business drive, as Graph does',
  },
});

const emulator = createOneDriveEmulator({
  tokens: values.token ?? [],
  acceptAnyToken: values['any-token'],
  ignoreConflictBehavior: values['ignore-conflict-behavior'],
  sessionIgnoresConflictBehavior: values['session-ignores-conflict-behavior'],
  pageSize: values['page-size'] ? Number(values['page-size']) : undefined,
  fragmentLimit: values['fragment-limit'],
  sharePointLimits: values['sharepoint-limits'],
  deltaOnlyAtRoot: values['delta-only-at-root'],
  transientUploadNotFound: values['upload-404s'] ? Number(values['upload-404s']) : undefined,
  bandwidthThrottle: values['bandwidth-throttle-every'] ? { everyRequests: Number(values['bandwidth-throttle-every']), durationMs: 1000 } : undefined,
});
const server = await serveFetchHandler((r) => emulator.handle(r), { port: Number(values.port), host: values.host });
console.log(`OneDrive emulator listening: Graph ${server.url}/v1.0, authority ${server.url}`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
