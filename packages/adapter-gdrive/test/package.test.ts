/** The module shape the CLI loads, option validation, and the exports map against the build config. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import adapter, { parseLocation } from '@syncacross/adapter-gdrive';

describe('gdrive adapter module', () => {
  it('parses locations: appDataFolder, id:, bare Drive ids and folder names', () => {
    expect(parseLocation('appDataFolder')).toEqual({ appDataFolder: true });
    expect(parseLocation('id:abc')).toEqual({ folderId: 'abc' });
    expect(parseLocation('1AbCdEfGhIjKlMnOpQrStUvWxYz012345')).toEqual({ folderId: '1AbCdEfGhIjKlMnOpQrStUvWxYz012345' });
    expect(parseLocation('My Library')).toEqual({ folderName: 'My Library' });
  });

  it('validates options strictly, documents defaults, and marks secrets', () => {
    const ok = adapter.optionsSchema.safeParse({ folderName: 'lib', clientId: 'c' });
    expect(ok.success && ok.data).toMatchObject({ pageSize: 1000, credentialsName: 'default', rootUrl: 'https://www.googleapis.com/', resumableThresholdBytes: 5 * 1024 * 1024 });
    expect(adapter.optionsSchema.safeParse({ folderName: 'lib', bogus: 1 }).success).toBe(false);
    expect(adapter.optionsSchema.safeParse({ folderName: 'lib', folderId: 'x' }).success).toBe(false);
    expect(adapter.optionsSchema.safeParse({ folderName: 'lib', pageSize: 1001 }).success).toBe(false);
    expect(adapter.optionsSchema.safeParse({ folderName: 'lib', chunkBytes: 300_000 }).success).toBe(false);
    expect([...adapter.secretOptions].sort()).toEqual(['accessToken', 'clientSecret', 'refreshToken']);
    expect(adapter.name).toBe('gdrive');
    expect(typeof adapter.auth).toBe('function');
  });

  it('exports a ./emulator subpath that the build produces', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, { import: string; types: string }> };
    const tsup = await readFile(new URL('../tsup.config.ts', import.meta.url), 'utf8');
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './emulator']);
    for (const [, target] of Object.entries(pkg.exports)) {
      const source = target.import.replace('./dist/', 'src/').replace(/\.js$/, '.ts');
      expect(tsup).toContain(source);
    }
  });
});
