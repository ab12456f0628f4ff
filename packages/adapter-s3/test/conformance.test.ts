/**
 * The storage conformance suite against the S3 emulator (AWS behaviour: conditional writes
 * honored), over real HTTP through the AWS SDK: once plainly, once with a slow, contended store
 * (409 ConditionalRequestConflict under racing creates, pages of 7 keys, checksums off).
 */
import { afterAll, beforeAll } from 'vitest';
import { closedPortUrl, runStorageConformance } from '@syncacross/sync-core/testing';
import { createS3Storage } from '../src/index.js';
import { adapterOptions, startEmulator, type RunningEmulator } from './support/emulator.js';

let plain: RunningEmulator;
let contended: RunningEmulator;
let run = 0;
beforeAll(async () => {
  plain = await startEmulator();
  contended = await startEmulator({ conditionalWriteLatencyMs: 15, maxKeysLimit: 7 });
});
afterAll(async () => {
  await plain?.close();
  await contended?.close();
});

const unreachable = async () => createS3Storage(adapterOptions(await closedPortUrl(), { conditionalWrites: 'require' }));

runStorageConformance('s3 on the emulator (conditional writes)', async () => {
  const storage = await createS3Storage(plain.options({ prefix: `run-${++run}` }));
  if (storage.mode !== 'conditional') throw new Error(`expected conditional mode, got ${storage.describe()}`);
  return { storage, unreachable, teardown: () => storage.close!() };
});

runStorageConformance('s3 on a contended emulator (409 conflicts, 7-key pages, WHEN_REQUIRED checksums)', async () => {
  const storage = await createS3Storage(contended.options({ prefix: `run-${++run}`, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }));
  return { storage, unreachable, teardown: () => storage.close!() };
});
