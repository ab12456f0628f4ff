/** Provider profiles: which one an endpoint gets, and what it sets in the SDK client. */
import { describe, expect, it } from 'vitest';
import { createS3Storage, PROFILES, resolveProvider } from '../src/index.js';

describe('provider profiles', () => {
  it('are chosen by the provider option, else by the endpoint host (no endpoint: aws, unknown host: other)', () => {
    expect(resolveProvider(undefined, undefined).name).toBe('aws');
    expect(resolveProvider(undefined, 'https://s3.eu-west-3.amazonaws.com').name).toBe('aws');
    expect(resolveProvider(undefined, 'https://0123abcd.r2.cloudflarestorage.com').name).toBe('r2');
    expect(resolveProvider(undefined, 'https://s3.us-west-004.backblazeb2.com').name).toBe('b2');
    expect(resolveProvider(undefined, 'https://s3.eu-central-1.wasabisys.com').name).toBe('wasabi');
    expect(resolveProvider(undefined, 'https://storage.googleapis.com').name).toBe('gcs');
    expect(resolveProvider(undefined, 'http://nas.local:9000').name).toBe('other');
    expect(resolveProvider('minio', 'http://nas.local:9000').name).toBe('minio');
  });

  it("send the SDK's default checksums to AWS only, and page by start-after where rclone lists with v1", () => {
    for (const p of Object.values(PROFILES)) expect(p.checksums).toBe(p.name === 'aws' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED');
    expect(
      Object.values(PROFILES)
        .filter((p) => p.listPaging === 'start-after')
        .map((p) => p.name),
    ).toEqual(['ceph', 'other']);
  });

  it('set the client: checksums and path style from the profile, options win, IP endpoints always path style', async () => {
    const config = async (o: Parameters<typeof createS3Storage>[0]) => {
      const s = await createS3Storage({ conditionalWrites: 'off', region: 'us-east-1', ...o });
      const c = s.client.config;
      const out = { provider: s.provider, checksums: await c.requestChecksumCalculation(), validation: await c.responseChecksumValidation(), pathStyle: c.forcePathStyle };
      await s.close!();
      return out;
    };
    expect(await config({ bucket: 'bkt' })).toEqual({ provider: 'aws', checksums: 'WHEN_SUPPORTED', validation: 'WHEN_SUPPORTED', pathStyle: false });
    expect(await config({ bucket: 'bkt', endpoint: 'https://acct.r2.cloudflarestorage.com' })).toEqual({ provider: 'r2', checksums: 'WHEN_REQUIRED', validation: 'WHEN_REQUIRED', pathStyle: true });
    expect(await config({ bucket: 'bkt', endpoint: 'http://127.0.0.1:9000', provider: 'aws' })).toMatchObject({ provider: 'aws', checksums: 'WHEN_SUPPORTED', pathStyle: true });
    expect(await config({ bucket: 'bkt', endpoint: 'https://acct.r2.cloudflarestorage.com', requestChecksumCalculation: 'WHEN_SUPPORTED', forcePathStyle: false })).toMatchObject({
      checksums: 'WHEN_SUPPORTED',
      pathStyle: false,
    });
  });
});
