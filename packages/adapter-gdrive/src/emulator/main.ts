#!/usr/bin/env node
/**
 * Serves the Drive emulator on a local port:
 *
 *   node packages/adapter-gdrive/dist/emulator/main.js --port 8080 [--search-lag-ms 2000]
 *        [--write-quota 3/1000] [--copies-per-create 1] [--no-auth]
 *        [--real-world] [--or-of-parents-drops some|all] [--case-insensitive-names] [--content-manager]
 *        [--daily-upload-bytes N] [--downloads-per-file-per-day N] [--max-children-per-folder N]
 *
 * The real-world flags switch on what Drive does in practice (real-world.ts, with sources);
 * `--real-world` turns on the search quirks and the folder cap at Drive's own numbers.
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
    'real-world': { type: 'boolean', default: false },
    'or-of-parents-drops': { type: 'string' },
    'case-insensitive-names': { type: 'boolean', default: false },
    'content-manager': { type: 'boolean', default: false },
    'daily-upload-bytes': { type: 'string' },
    'downloads-per-file-per-day': { type: 'string' },
    'max-children-per-folder': { type: 'string' },
  },
  describe: {
    port: 'the port, 0 for any free one',
    host: 'the address to listen on',
    'search-lag-ms': 'how long a new file stays out of searches',
    'write-quota': 'WRITES/WINDOW_MS, e.g. 3/1000: 403 userRateLimitExceeded beyond it',
    'copies-per-create': 'identical files each create stores (a retried create)',
    'no-auth': 'accept requests without a token',
    'real-world': 'Drive as met in practice: --or-of-parents-drops some, --case-insensitive-names, --max-children-per-folder 500000',
    'or-of-parents-drops': "some|all: OR-of-parents searches lose other parents' children (rclone fast-list bug)",
    'case-insensitive-names': "name = '…' in searches ignores case, as on Drive",
    'content-manager': 'files.delete answers 403 insufficientFilePermissions (a shared-drive content manager); trashing works',
    'daily-upload-bytes': 'upload cap per 24 h (Drive: 750 GiB): 403 userRateLimitExceeded "User rate limit exceeded."',
    'downloads-per-file-per-day': 'downloads of one file per 24 h: 403 downloadQuotaExceeded beyond',
    'max-children-per-folder': 'items per non-root folder (Drive: 500000): 403 numChildrenInNonRootLimitExceeded beyond',
  },
});

let writeQuota: { writes: number; windowMs: number } | undefined;
if (values['write-quota']) {
  const m = /^(\d+)\/(\d+)$/.exec(values['write-quota']);
  if (!m) throw new Error('--write-quota takes WRITES/WINDOW_MS, e.g. 3/1000');
  writeQuota = { writes: Number(m[1]), windowMs: Number(m[2]) };
}

const optionalNumber = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const drops = values['or-of-parents-drops'] ?? (values['real-world'] ? 'some' : undefined);
if (drops !== undefined && drops !== 'some' && drops !== 'all') throw new Error('--or-of-parents-drops takes some or all');

const emulator = createDriveEmulator({
  orOfParentsDrops: drops,
  caseInsensitiveNameQueries: values['case-insensitive-names'] || values['real-world'],
  contentManager: values['content-manager'],
  dailyUploadBytes: optionalNumber(values['daily-upload-bytes']),
  downloadsPerFilePerDay: optionalNumber(values['downloads-per-file-per-day']),
  maxChildrenPerFolder: optionalNumber(values['max-children-per-folder']) ?? (values['real-world'] ? 500_000 : undefined),
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
