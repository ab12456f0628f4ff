/** The package's exports map matches what tsup builds, and the adapter module has its full shape. */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import adapter from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { exports: Record<string, { types: string; import: string }> };
const tsup = readFileSync(`${root}/tsup.config.ts`, 'utf8');

describe('package shape', () => {
  it('every export points at a tsup entry with a source file', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      const src = target.import.replace('./dist/', 'src/').replace(/\.js$/, '.ts');
      expect(existsSync(`${root}/${src}`), subpath).toBe(true);
      expect(tsup).toContain(`'${src}'`);
      expect(target.types).toBe(target.import.replace(/\.js$/, '.d.ts'));
    }
    expect(tsup).toContain("'src/emulator/main.ts'");
  });

  it('exports an AdapterModule with validated options, secrets and locations', () => {
    expect(adapter.name).toBe('onedrive');
    expect(adapter.secretOptions).toEqual(['accessToken']);
    expect(typeof adapter.auth).toBe('function');
    expect(adapter.parseLocation('approot/library')).toEqual({ folder: 'approot/library' });
    expect(adapter.parseLocation('b!AbC123:/Shared/lib')).toEqual({ driveId: 'b!AbC123', folder: 'Shared/lib' });
    expect(adapter.parseLocation('Documents/lib')).toEqual({ folder: 'Documents/lib' });
    const parsed = adapter.optionsSchema.safeParse({});
    expect(parsed.success && parsed.data).toMatchObject({ folder: 'approot', tenant: 'common', baseUrl: 'https://graph.microsoft.com/v1.0', pageSize: 200, atomicCreate: 'auto', listing: 'children' });
    expect(adapter.optionsSchema.safeParse({ bogus: 1 }).success).toBe(false);
  });
});
