/**
 * Serves the S3 emulator on a local port, e.g.
 *   node packages/adapter-s3/dist/emulator/main.js --port 8080 --bucket library [--conditional-writes ignore]
 * then point the adapter at it: endpoint http://127.0.0.1:8080, any access key, bucket `library`.
 */
import { createS3Emulator } from './emulator.js';
import type { ConditionalWriteMode } from './conditional.js';
import { parseEmulatorArgs, serveFetchHandler } from '@syncacross/sync-core/http';

const values = parseEmulatorArgs({
  summary: 'The S3 emulator: point the adapter at endpoint http://HOST:PORT with any access key.',
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    bucket: { type: 'string', multiple: true, default: ['bucket'] },
    'conditional-writes': { type: 'string', default: 'honor' },
  },
  describe: {
    port: 'the port, 0 for any free one',
    host: 'the address to listen on',
    bucket: 'a bucket to create',
    'conditional-writes': 'honor, ignore or reject If-None-Match/If-Match',
  },
});
const mode = values['conditional-writes'];
if (mode !== 'honor' && mode !== 'ignore' && mode !== 'reject') {
  console.error(`--conditional-writes must be honor, ignore or reject (got ${mode})`);
  process.exit(2);
}
const emulator = createS3Emulator({ buckets: values.bucket, conditionalWrites: mode as ConditionalWriteMode });
const server = await serveFetchHandler((r) => emulator.handle(r), { port: Number(values.port), host: values.host });
console.log(`S3 emulator listening on ${server.url} (buckets: ${values.bucket.join(', ')}; conditional writes: ${mode})`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
