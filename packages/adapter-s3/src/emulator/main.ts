/**
 * Serves the S3 emulator on a local port, e.g.
 *   node packages/adapter-s3/dist/emulator/main.js --port 8080 --bucket library [--conditional-writes ignore]
 * Real-world modes (real-world.ts, all off by default): --reject-checksums (R2, OVH, B2),
 * --multipart-ignores-conditions, --truncated-without-token (some Ceph / "Other"), --clock-offset-ms N.
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
    'reject-checksums': { type: 'boolean', default: false },
    'multipart-ignores-conditions': { type: 'boolean', default: false },
    'truncated-without-token': { type: 'boolean', default: false },
    'clock-offset-ms': { type: 'string', default: '0' },
  },
  describe: {
    port: 'the port, 0 for any free one',
    host: 'the address to listen on',
    bucket: 'a bucket to create',
    'conditional-writes': 'honor, ignore or reject If-None-Match/If-Match',
    'reject-checksums': "answer 501 NotImplemented to the SDK's default checksum headers, as Cloudflare R2 does",
    'multipart-ignores-conditions': 'honor If-None-Match/If-Match on PutObject only; CompleteMultipartUpload overwrites',
    'truncated-without-token': 'ListObjectsV2 pages say IsTruncated without a NextContinuationToken',
    'clock-offset-ms': "the server's clock runs this far ahead (negative: behind); more than 15 minutes gives 403 RequestTimeTooSkewed",
  },
});
const mode = values['conditional-writes'];
if (mode !== 'honor' && mode !== 'ignore' && mode !== 'reject') {
  console.error(`--conditional-writes must be honor, ignore or reject (got ${mode})`);
  process.exit(2);
}
const clockOffsetMs = Number(values['clock-offset-ms']);
if (!Number.isFinite(clockOffsetMs)) {
  console.error(`--clock-offset-ms must be a number of milliseconds (got ${values['clock-offset-ms']})`);
  process.exit(2);
}
const realWorld = {
  rejectChecksums: values['reject-checksums'],
  multipartIgnoresConditions: values['multipart-ignores-conditions'],
  truncatedWithoutToken: values['truncated-without-token'],
  clockOffsetMs,
};
const emulator = createS3Emulator({ buckets: values.bucket, conditionalWrites: mode as ConditionalWriteMode, realWorld });
const server = await serveFetchHandler((r) => emulator.handle(r), { port: Number(values.port), host: values.host });
console.log(`S3 emulator listening on ${server.url} (buckets: ${values.bucket.join(', ')}; conditional writes: ${mode}; real-world modes: ${JSON.stringify(realWorld)})`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
