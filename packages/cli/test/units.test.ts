/** The small pure pieces: --remote and -o parsing, secret names, redaction, error → exit code. */
import { StorageError, SyncError } from '@syncacross/sync-core';
import { describe, expect, it } from 'vitest';
import { EXIT, toCliError } from '../src/exit-codes.js';
import { addSecret, redact } from '../src/redact.js';
import { parseOptionPairs, parseRemoteSpec } from '../src/remote-spec.js';
import { envNameFor, maskOptions, resolveSecrets } from '../src/secrets.js';

describe('--remote and -o', () => {
  it('splits at the first colon, keeping URLs and Windows-free paths whole', () => {
    expect(parseRemoteSpec('webdav:https://host/dav/lib')).toEqual({ adapter: 'webdav', location: 'https://host/dav/lib' });
    expect(parseRemoteSpec('file:///opt/a.mjs:/data')).toEqual({ adapter: 'file:///opt/a.mjs', location: '/data' });
    expect(() => parseRemoteSpec('/just/a/path')).toThrow(/expected <adapter>:<location>/);
  });

  it('parses numbers and booleans, keeps other text, and quoted JSON strings', () => {
    expect(parseOptionPairs(['a=1', 'b=true', 'c=x=y', 'd="80"', 'e=${env:X}'])).toEqual({ a: 1, b: true, c: 'x=y', d: '80', e: '${env:X}' });
    expect(() => parseOptionPairs(['novalue'])).toThrow(/key=value/);
  });
});

describe('secrets', () => {
  const mod = { name: 's3', secretOptions: ['secretAccessKey'] } as never;

  it('derive environment names from the adapter and option', () => {
    expect(envNameFor('s3', 'secretAccessKey')).toBe('SYNCACROSS_S3_SECRET_ACCESS_KEY');
    expect(envNameFor('my-adapter', 'token')).toBe('SYNCACROSS_MY_ADAPTER_TOKEN');
  });

  it('resolve references and environment fallbacks, and mask for display', () => {
    expect(resolveSecrets(mod, { bucket: 'b', secretAccessKey: '${env:K}' }, { K: 'kkkk-1' })).toEqual({ bucket: 'b', secretAccessKey: 'kkkk-1' });
    expect(resolveSecrets(mod, { bucket: 'b' }, { SYNCACROSS_S3_SECRET_ACCESS_KEY: 'kkkk-2' })).toEqual({ bucket: 'b', secretAccessKey: 'kkkk-2' });
    expect(() => resolveSecrets(mod, { secretAccessKey: '${env:NOPE}' }, {})).toThrow(/NOPE, which is not set/);
    expect(maskOptions(mod, { bucket: 'b', secretAccessKey: 'raw' })).toEqual({ bucket: 'b', secretAccessKey: '***' });
    expect(redact('failed with kkkk-1 and kkkk-2')).toBe('failed with *** and ***');
  });

  it('redaction ignores values too short to be secrets', () => {
    addSecret('ab');
    expect(redact('abc')).toBe('abc');
  });
});

describe('exit codes', () => {
  it.each([
    [new StorageError('Unavailable', 'x'), EXIT.unreachable],
    [new StorageError('RateLimited', 'x'), EXIT.unreachable],
    [new StorageError('AuthFailed', 'x'), EXIT.auth],
    [new StorageError('NoSpace', 'x'), EXIT.diskFull],
    [new StorageError('InvalidConfig', 'x'), EXIT.usage],
    [new SyncError('LibraryBusy', 'x'), EXIT.busy],
    [new SyncError('RepositoryMismatch', 'x'), EXIT.repository],
    [new SyncError('NotARepository', 'x'), EXIT.repository],
    [new SyncError('RemoteEmptied', 'x'), EXIT.repository],
    [new SyncError('CorruptRemote', 'x'), EXIT.completedWithErrors],
    [new SyncError('Aborted', 'x'), EXIT.interrupted],
    [new SyncError('StateDamaged', 'x'), EXIT.usage],
    [Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }), EXIT.usage],
    [Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' }), EXIT.usage],
    [Object.assign(new Error('write failed'), { code: 'ENOSPC' }), EXIT.diskFull],
    [new Error('wrapped', { cause: Object.assign(new Error('db'), { code: 'SQLITE_FULL' }) }), EXIT.diskFull],
    [new TypeError('a bug'), EXIT.unexpected],
  ])('%s → %i', (error, code) => {
    expect(toCliError(error).exitCode).toBe(code);
  });
});
