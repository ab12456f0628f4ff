/**
 * The conformance suite against a real bucket (AWS S3, R2, MinIO, …) when credentials are given:
 *   SYNCACROSS_S3_TEST_BUCKET (required), SYNCACROSS_S3_TEST_REGION, SYNCACROSS_S3_TEST_ENDPOINT,
 *   SYNCACROSS_S3_TEST_ACCESS_KEY_ID, SYNCACROSS_S3_TEST_SECRET_ACCESS_KEY (else the SDK chain),
 *   SYNCACROSS_S3_TEST_PREFIX (default syncacross-test), SYNCACROSS_S3_TEST_CHECKSUMS (WHEN_REQUIRED).
 * Each check writes under a fresh prefix and deletes what it wrote.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listAll, probeCapabilities } from '@syncacross/sync-core';
import { closedPortUrl, runStorageConformance } from '@syncacross/sync-core/testing';
import { createS3Storage, type S3AdapterOptions } from '../src/index.js';

const env = process.env;
const haveCreds = Boolean(env.SYNCACROSS_S3_TEST_BUCKET);
const base = (prefix: string): S3AdapterOptions => ({
  bucket: env.SYNCACROSS_S3_TEST_BUCKET ?? 'unset',
  prefix: `${env.SYNCACROSS_S3_TEST_PREFIX ?? 'syncacross-test'}/${prefix}`,
  ...(env.SYNCACROSS_S3_TEST_REGION ? { region: env.SYNCACROSS_S3_TEST_REGION } : {}),
  ...(env.SYNCACROSS_S3_TEST_ENDPOINT ? { endpoint: env.SYNCACROSS_S3_TEST_ENDPOINT } : {}),
  ...(env.SYNCACROSS_S3_TEST_ACCESS_KEY_ID ? { accessKeyId: env.SYNCACROSS_S3_TEST_ACCESS_KEY_ID, secretAccessKey: env.SYNCACROSS_S3_TEST_SECRET_ACCESS_KEY } : {}),
  ...(env.SYNCACROSS_S3_TEST_CHECKSUMS === 'WHEN_REQUIRED' ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const } : {}),
});

describe.skipIf(!haveCreds)('live s3 (set SYNCACROSS_S3_TEST_BUCKET and credentials to run)', () => {
  const run = randomUUID();
  let n = 0;
  runStorageConformance('s3 live bucket', async () => {
    const storage = await createS3Storage(base(`${run}/${++n}`));
    return {
      storage,
      unreachable: async () => createS3Storage({ ...base('x'), endpoint: await closedPortUrl(), conditionalWrites: 'require' }),
      teardown: async () => {
        for (const o of await listAll(storage, '')) await storage.delete!(o.key);
        await storage.close!();
      },
    };
  });

  it('reports its write mode, and the probe agrees with it', async () => {
    const storage = await createS3Storage(base(`${run}/probe`));
    const report = await probeCapabilities(storage);
    expect(report.effective.atomicCreate).toBe(storage.capabilities.atomicCreate);
    console.log(`live s3: ${storage.describe()}`);
    await storage.close!();
  });
});
