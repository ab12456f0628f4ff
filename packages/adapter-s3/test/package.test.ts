/** Options, locations and the module the CLI loads. */
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../src/client.js';
import s3Adapter, { PROFILES, createS3Storage, normalizePrefix, optionsSchema, parseLocation } from '../src/index.js';

describe('adapter module', () => {
  it('is named s3, lists its secrets and parses locations into bucket and prefix', () => {
    expect(s3Adapter.name).toBe('s3');
    expect(s3Adapter.secretOptions).toEqual(['accessKeyId', 'secretAccessKey', 'sessionToken']);
    expect(parseLocation('my-bucket/some/prefix')).toEqual({ bucket: 'my-bucket', prefix: 'some/prefix' });
    expect(parseLocation('s3://my-bucket/lib/')).toEqual({ bucket: 'my-bucket', prefix: 'lib' });
    expect(parseLocation('my-bucket')).toEqual({ bucket: 'my-bucket' });
    expect(normalizePrefix('/a/b/')).toBe('a/b/');
    expect(normalizePrefix('')).toBe('');
  });

  it('documents defaults and rejects unknown or inconsistent options', () => {
    const parsed = optionsSchema.parse({ bucket: 'bkt' });
    expect(parsed).toMatchObject({ prefix: '', conditionalWrites: 'auto', concurrency: 8, maxAttempts: 1 });
    // Checksums, paging and path style come from the provider profile unless set (providers.ts).
    expect(parsed.requestChecksumCalculation).toBeUndefined();
    expect(optionsSchema.safeParse({ bucket: 'bkt', provider: 'r2' }).success).toBe(true);
    expect(optionsSchema.safeParse({ bucket: 'bkt', provider: 'digitalocean' }).success).toBe(false);
    expect(optionsSchema.safeParse({ bucket: 'bkt', bucketName: 'x' }).success).toBe(false);
    expect(optionsSchema.safeParse({ bucket: 'bkt', accessKeyId: 'AKIA' }).success).toBe(false);
    expect(optionsSchema.safeParse({ bucket: 'bkt', conditionalWrites: 'maybe' }).success).toBe(false);
    expect(optionsSchema.safeParse({ bucket: 'bkt', partSizeBytes: 1024 }).success).toBe(false);
    expect(optionsSchema.safeParse({ bucket: 'bkt', requestChecksumCalculation: 'WHEN_REQUIRED' }).success).toBe(true);
  });

  it('refuses bad options as InvalidConfig without echoing secrets', async () => {
    const attempt = createS3Storage({ bucket: 'bkt', accessKeyId: 'AKIA', secretAccessKey: 'super-secret-value', unknown: 1 } as never);
    await expect(attempt).rejects.toMatchObject({ code: 'InvalidConfig' });
    await expect(attempt).rejects.not.toThrow(/super-secret-value/);
  });

  it('a client on Node 20 prints no warning about the SDK’s own future Node support', async () => {
    const warnings: string[] = [];
    const collect = (w: Error) => warnings.push(w.message);
    process.on('warning', collect);
    try {
      createS3Client({ ...optionsSchema.parse({ bucket: 'bkt' }), endpoint: 'http://127.0.0.1:9' }, PROFILES.aws);
      await new Promise((r) => setTimeout(r, 50)); // process.emitWarning reports on a later tick
    } finally {
      process.off('warning', collect);
    }
    expect(warnings.filter((w) => w.includes('AWS SDK'))).toEqual([]);
  });
});
