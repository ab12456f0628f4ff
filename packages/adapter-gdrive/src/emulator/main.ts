#!/usr/bin/env node
/**
 * Serves the Drive emulator on a local port:
 *
 *   node packages/adapter-gdrive/dist/emulator/main.js --port 8080 [--search-lag-ms 2000]
 *        [--write-quota 3/1000] [--copies-per-create 1] [--no-auth]
 *
 * Point the adapter (or `syncacross auth gdrive`) at it with `rootUrl: http://127.0.0.1:8080/`.
 * State lives in memory and is gone when the process exits.
 */
import { parseEmulatorArgs, serveFetchHandler } from '@syncacross/sync-core/http';
import { createDriveEmulator } from './index.js';

const values = parseEmulatorArgs({
  summary: 'The Google Drive emulator: point the adapter (or `syncacross auth gdrive`) at rootUrl http://HOST:PORT/.',
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    'search-lag-ms': { type: 'string', default: '0' },
    'write-quota': { type: 'string' },
    'copies-per-create': { type: 'string', default: '1' },
    'no-auth': { type: 'boolean', default: false },
  },
  describe: {
    port: 'the port, 0 for any free one',
    host: 'the address to listen on',
    'search-lag-ms': 'how long a new file stays out of searches',
    'write-quota': 'WRITES/WINDOW_MS, e.g. 3/1000: 403 userRateLimitExceeded beyond it',
    'copies-per-create': 'identical files each create stores (a retried create)',
    'no-auth': 'accept requests without a token',
  },
});

let writeQuota: { writes: number; windowMs: number } | undefined;
if (values['write-quota']) {
  const m = /^(\d+)\/(\d+)$/.exec(values['write-quota']);
  if (!m) throw new Error('--write-quota takes WRITES/WINDOW_MS, e.g. 3/1000');
  writeQuota = { writes: Number(m[1]), windowMs: Number(m[2]) };
}

const emulator = createDriveEmulator({
  searchLagMs: Number(values['search-lag-ms']),
  writeQuota,
  copiesPerCreate: Number(values['copies-per-create']),
  requireAuth: !values['no-auth'],
});
const server = await serveFetchHandler(emulator.handle, { port: Number(values.port), host: values.host });
console.log(`Drive emulator listening on ${server.url}/ (rootUrl for the adapter: ${server.url}/)`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
