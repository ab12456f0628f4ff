/**
 * The storage conformance suite against the emulator in each real-world mode
 * (src/emulator/real-world.ts), through the AWS SDK: a store refusing the SDK's default checksums
 * (as R2), one whose multipart completions ignore If-None-Match, one whose truncated listing pages
 * carry no continuation token (some Ceph / "Other"), and one whose clock is 20 minutes ahead.
 * Objects of 6 MiB with a 5 MiB multipart threshold: the large checks go through multipart
 * wherever the adapter uses it.
 */
import { afterAll, beforeAll } from 'vitest';
import { closedPortUrl, runStorageConformance } from '@syncacross/sync-core/testing';
import { createS3Storage, type S3AdapterOptions } from '../src/index.js';
import type { RealWorldModes } from '../src/emulator/index.js';
import { adapterOptions, startEmulator, type RunningEmulator } from './support/emulator.js';

const MiB = 1024 * 1024;
const unreachable = async () => createS3Storage(adapterOptions(await closedPortUrl(), { conditionalWrites: 'require' }));

const modes: [string, Partial<RealWorldModes>, Partial<S3AdapterOptions>, number?][] = [
  ['refuses checksum headers (R2), r2 profile', { rejectChecksums: true }, { provider: 'r2' }],
  ['multipart completions ignore If-None-Match', { multipartIgnoresConditions: true }, {}],
  ['truncated pages without a continuation token, 7-key pages, aws profile', { truncatedWithoutToken: true }, { provider: 'aws' }, 7],
  ['truncated pages without a continuation token, 7-key pages, ceph profile', { truncatedWithoutToken: true }, { provider: 'ceph' }, 7],
  ['a server clock 20 minutes ahead of ours', { clockOffsetMs: 20 * 60_000 }, {}],
];

for (const [name, realWorld, adapter, maxKeysLimit] of modes) {
  let e: RunningEmulator;
  let run = 0;
  beforeAll(async () => {
    e = await startEmulator({ realWorld, ...(maxKeysLimit ? { maxKeysLimit } : {}) });
  });
  afterAll(() => e?.close());
  runStorageConformance(
    `s3 on an emulator that ${name}`,
    async () => {
      const storage = await createS3Storage(e.options({ prefix: `run-${++run}`, multipartThresholdBytes: 5 * MiB, partSizeBytes: 5 * MiB, ...adapter }));
      return { storage, unreachable, teardown: () => storage.close!() };
    },
    { largeObjectBytes: 6 * MiB },
  );
}
