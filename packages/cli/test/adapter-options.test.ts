/**
 * `syncacross adapters NAME`: an adapter's options, read from its own option schema: type,
 * default, secret (with its environment variable) and description; the same in --json.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adaptersOutput } from '../src/json-output.js';
import { cleanup, CUSTOM_ADAPTER, run, runJson, tempDir } from './helpers.js';

afterAll(cleanup);

const BUILTINS = ['fs', 's3', 'webdav', 'gdrive', 'onedrive', 'dropbox'];

describe('adapters NAME', () => {
  it('prints each option with type, default, secret and what it does', async () => {
    const r = await run(['adapters', 's3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('bucket (string; required)');
    expect(r.stdout).toContain('concurrency (integer; default 8)');
    expect(r.stdout).toContain('conditionalWrites (auto|require|off; default "auto")');
    expect(r.stdout).toContain("secretAccessKey (string; secret: from SYNCACROSS_S3_SECRET_ACCESS_KEY, or -o secretAccessKey='${env:NAME}')");
    expect(r.stdout).toContain('maximum simultaneous HTTP connections');
  });

  it.each(BUILTINS)('--json for %s: every option typed and described', async (name) => {
    const r = await runJson(['adapters', name]);
    expect(r.code, r.stderr).toBe(0);
    const [adapter] = adaptersOutput.parse(r.json).adapters;
    expect(adapter).toMatchObject({ name, builtin: true, loaded: true });
    expect(adapter!.options!.length).toBeGreaterThan(0);
    for (const option of adapter!.options!) {
      expect(option.description, `${name} option ${option.name} has no .describe() text`).toBeTruthy();
      expect(option.type).not.toBe('any');
      expect(option.secret).toBe(adapter!.secretOptions!.includes(option.name));
      if (option.secret) expect(option.env).toMatch(/^SYNCACROSS_[A-Z0-9_]+$/);
    }
  });

  it('an unknown name is a usage error with the closest adapter', async () => {
    const r = await runJson(['adapters', 's4']);
    expect(r.code).toBe(2);
    expect(r.json.error).toMatchObject({ code: 'UnknownAdapter', exitCode: 2 });
    expect(r.json.error.message).toContain('(did you mean s3?)');
  });

  it('a custom adapter without a zod schema is listed, and said to have no readable options', async () => {
    const base = await tempDir();
    await cp(CUSTOM_ADAPTER, join(base, 'node_modules', 'syncacross-adapter-flatdir'), { recursive: true });
    const r = await runJson(['adapters', 'flatdir'], { cwd: base });
    expect(r.code, r.stderr).toBe(0);
    expect(adaptersOutput.parse(r.json).adapters[0]).toMatchObject({ name: 'flatdir', builtin: false, secretOptions: ['token'] });
    expect(r.json.adapters[0].options).toBeUndefined();
    expect((await run(['adapters', 'flatdir'], { cwd: base })).stdout).toContain('not a zod schema');
  });
});
