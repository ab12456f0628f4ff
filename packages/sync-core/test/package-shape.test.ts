/**
 * The package's exports map matches what tsup builds and what tsconfig resolves, and the main
 * entry exports exactly the public API: adding to it is a decision, made here and in README.md,
 * never a side effect of `export *`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as main from '@syncacross/sync-core';
import * as http from '@syncacross/sync-core/http';
import * as testing from '@syncacross/sync-core/testing';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { exports: Record<string, { types: string; import: string }> };
const tsup = readFileSync(`${root}/tsup.config.ts`, 'utf8');
const tsconfig = readFileSync(`${root}/../../tsconfig.json`, 'utf8');
const readme = readFileSync(`${root}/README.md`, 'utf8');

const PUBLIC_API = [
  'BUILTIN_IGNORES',
  'DEFAULT_COLLECTION_MARGIN_MS',
  'DEFAULT_KDF',
  'Library',
  'MIN_SECRET_LENGTH',
  'STORAGE_ERROR_CODES',
  'SYNC_ERROR_CODES',
  'StorageError',
  'SyncError',
  'TokenBucket',
  'checkAuthorName',
  'checkedStorage',
  'compareKeys',
  'defineAdapter',
  'isPermanent',
  'isPermanentHttpStatus',
  'isStorageError',
  'isSyncError',
  'isTransient',
  'isUtf8',
  'keyProblem',
  'mountPointProblem',
  'listAll',
  'listPages',
  'openLibrary',
  'parseRetryAfter',
  'parseSpanMs',
  'permanentCause',
  'probeCapabilities',
  'redactSecrets',
  'registerSecret',
  'registerSecretValues',
  'restoreFromRemote',
  'spelledBytes',
  'withBandwidthLimit',
  'withCounting',
  'withRetry',
  'withTracing',
  'z',
];
const TEST_ONLY = ['createMemoryStorage', 'withFaults', 'withEventualConsistency', 'withIgnoredPreconditions', 'withCheckThenWrite', 'createDuplicateNameStorage', 'clearRegisteredSecrets'];

describe('package shape', () => {
  it('every export points at a tsup entry with a source file, and tsconfig resolves it there', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      const src = target.import.replace('./dist/', 'src/').replace(/\.js$/, '.ts');
      expect(existsSync(`${root}/${src}`), subpath).toBe(true);
      expect(tsup).toContain(`'${src}'`);
      expect(target.types).toBe(target.import.replace(/\.js$/, '.d.ts'));
      const name = `@syncacross/sync-core${subpath.slice(1)}`;
      expect(tsconfig).toContain(`"${name}": ["./packages/sync-core/${src}"]`);
    }
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './adapter-kit', './emulator-kit', './http', './testing']);
  });

  it('the main entry exports the public API and nothing else, each listed in README.md', () => {
    expect(Object.keys(main).sort()).toEqual([...PUBLIC_API].sort());
    for (const name of PUBLIC_API) expect(readme, name).toMatch(new RegExp(`\`${name}[(\`]`));
  });

  it('test doubles and test-only helpers are on /testing only', () => {
    for (const name of TEST_ONLY) {
      expect(name in main, name).toBe(false);
      expect(typeof (testing as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('/adapter-kit is what adapters import at run time, without vitest, and README.md lists it', async () => {
    const kit = await import('../src/adapter-kit/index.js');
    for (const name of Object.keys(kit)) expect(readme, name).toContain(`\`${name}`);
    const { readdirSync } = await import('node:fs');
    for (const file of readdirSync(`${root}/src/adapter-kit`)) expect(readFileSync(`${root}/src/adapter-kit/${file}`, 'utf8'), file).not.toContain("from 'vitest'");
  });

  it('/emulator-kit is what emulators import at run time, without vitest or msw, and /testing re-exports it', async () => {
    const kit = await import('../src/emulator-kit/index.js');
    for (const name of Object.keys(kit)) expect((testing as Record<string, unknown>)[name], name).toBe((kit as Record<string, unknown>)[name]);
    const { readdirSync } = await import('node:fs');
    for (const file of readdirSync(`${root}/src/emulator-kit`)) expect(readFileSync(`${root}/src/emulator-kit/${file}`, 'utf8'), file).not.toMatch(/from '(vitest|msw)/);
  });

  it('/http is what emulators import at run time, without vitest', () => {
    expect(Object.keys(http).sort()).toEqual(['parseEmulatorArgs', 'serveFetchHandler']);
    const source = readFileSync(`${root}/src/http/serve-fetch-handler.ts`, 'utf8') + readFileSync(`${root}/src/http/emulator-args.ts`, 'utf8');
    expect(source).not.toContain("from 'vitest'");
  });
});
