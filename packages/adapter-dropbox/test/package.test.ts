/** The package's public shape: the AdapterModule, options, and exports that match the build. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import adapter, { optionsSchema, parseLocation } from '@syncacross/adapter-dropbox';

describe('adapter module', () => {
  it('is named dropbox, marks tokens secret and offers auth', () => {
    expect(adapter.name).toBe('dropbox');
    expect([...adapter.secretOptions].sort()).toEqual(['accessToken', 'refreshToken']);
    expect(typeof adapter.auth).toBe('function');
  });

  it('parses a location into the root folder', () => {
    expect(parseLocation('/library')).toEqual({ root: '/library' });
    expect(parseLocation('Team Docs/lib/')).toEqual({ root: '/Team Docs/lib' });
    expect(parseLocation('')).toEqual({ root: '' });
    expect(optionsSchema.safeParse(parseLocation('/library')).success).toBe(true);
  });

  it('documents defaults and rejects unknown or malformed options', () => {
    const parsed = optionsSchema.parse({});
    expect(parsed).toMatchObject({ root: '', profile: 'default', singleUploadLimitBytes: 150 * 1024 * 1024, authFlow: 'auto' });
    expect(optionsSchema.safeParse({ bucket: 'x' }).success).toBe(false);
    expect(optionsSchema.safeParse({ root: 'no-leading-slash' }).success).toBe(false);
    expect(optionsSchema.safeParse({ pathRoot: 'root:123' }).success).toBe(true);
    expect(optionsSchema.safeParse({ pathRoot: 'team' }).success).toBe(false);
    expect(optionsSchema.safeParse({ singleUploadLimitBytes: 200 * 1024 * 1024 }).success).toBe(false);
  });

  it('exports map entries that tsup builds', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, { import: string; types: string }> };
    const tsup = readFileSync(new URL('../tsup.config.ts', import.meta.url), 'utf8');
    for (const [, target] of Object.entries(pkg.exports)) {
      const source = target.import.replace('./dist/', 'src/').replace(/\.js$/, '.ts');
      expect(tsup).toContain(`'${source}'`);
      expect(target.types).toBe(target.import.replace(/\.js$/, '.d.ts'));
    }
  });
});
