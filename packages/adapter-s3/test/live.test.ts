/**
 * The conformance suite against a real bucket (AWS S3, R2, MinIO, …) when credentials are given:
 *   SYNCACROSS_S3_TEST_BUCKET (required), SYNCACROSS_S3_TEST_REGION, SYNCACROSS_S3_TEST_ENDPOINT,
 *   SYNCACROSS_S3_TEST_ACCESS_KEY_ID, SYNCACROSS_S3_TEST_SECRET_ACCESS_KEY (else the SDK chain),
 *   SYNCACROSS_S3_TEST_PREFIX (default syncacross-test), SYNCACROSS_S3_TEST_PROVIDER (aws, r2, b2,
 *   minio, ceph, wasabi, gcs, other; default: from the endpoint), SYNCACROSS_S3_TEST_CHECKSUMS
 *   (WHEN_REQUIRED or WHEN_SUPPORTED; default: the provider's).
 * Each check writes under a fresh prefix and deletes what it wrote. The last checks are the
 * real-world behaviours the emulator models (src/emulator/real-world.ts): their output is what
 * recalibrates it (README, "Live tests").
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listAll, probeCapabilities } from '@syncacross/sync-core';
import { closedPortUrl, runStorageConformance } from '@syncacross/sync-core/testing';
import { createS3Storage, PROVIDERS, type ProviderName, type S3AdapterOptions } from '../src/index.js';

const env = process.env;
const haveCreds = Boolean(env.SYNCACROSS_S3_TEST_BUCKET);
const base = (prefix: string): S3AdapterOptions => ({
  bucket: env.SYNCACROSS_S3_TEST_BUCKET ?? 'unset',
  prefix: `${env.SYNCACROSS_S3_TEST_PREFIX ?? 'syncacross-test'}/${prefix}`,
  ...(env.SYNCACROSS_S3_TEST_REGION ? { region: env.SYNCACROSS_S3_TEST_REGION } : {}),
  ...(env.SYNCACROSS_S3_TEST_ENDPOINT ? { endpoint: env.SYNCACROSS_S3_TEST_ENDPOINT } : {}),
  ...(env.SYNCACROSS_S3_TEST_ACCESS_KEY_ID ? { accessKeyId: env.SYNCACROSS_S3_TEST_ACCESS_KEY_ID, secretAccessKey: env.SYNCACROSS_S3_TEST_SECRET_ACCESS_KEY } : {}),
  ...(PROVIDERS.includes(env.SYNCACROSS_S3_TEST_PROVIDER as ProviderName) ? { provider: env.SYNCACROSS_S3_TEST_PROVIDER as ProviderName } : {}),
  ...(env.SYNCACROSS_S3_TEST_CHECKSUMS === 'WHEN_REQUIRED' || env.SYNCACROSS_S3_TEST_CHECKSUMS === 'WHEN_SUPPORTED' ? { requestChecksumCalculation: env.SYNCACROSS_S3_TEST_CHECKSUMS } : {}),
});
const MiB = 1024 * 1024;
let bodiesSeed = 1;

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

  it('racing creates of a multipart-sized object: one winner (or, where completions ignore If-None-Match, single PUTs)', async () => {
    const storage = await createS3Storage({ ...base(`${run}/large`), multipartThresholdBytes: 5 * MiB, partSizeBytes: 5 * MiB }, { log: (m) => console.log(`live s3: ${m}`) });
    try {
      const bodies = Array.from({ length: 3 }, () => new Uint8Array(6 * MiB).fill(bodiesSeed++));
      const answers = await Promise.all(bodies.map((b) => storage.putIfAbsent('raced', b)));
      if (storage.capabilities.atomicCreate) expect(answers.filter((a) => a === 'created')).toHaveLength(1);
      console.log(`live s3: large racing creates answered ${answers.join(', ')} (${storage.describe()})`);
    } finally {
      for (const o of await listAll(storage, '')) await storage.delete!(o.key);
      await storage.close!();
    }
  }, 300_000);

  it('pages of 2 keys list every key once (continuation tokens, or start-after where they go missing)', async () => {
    const storage = await createS3Storage(base(`${run}/pages`));
    try {
      const keys = ['p/a', 'p/b', 'p/c', 'p/d', 'p/e'];
      for (const k of keys) await storage.putIfAbsent(k, new TextEncoder().encode(k));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await storage.list('p/', { pageSize: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.objects.map((o) => o.key));
        cursor = page.cursor;
      } while (cursor);
      expect(seen).toEqual(keys);
    } finally {
      for (const o of await listAll(storage, '')) await storage.delete!(o.key);
      await storage.close!();
    }
  });
});
