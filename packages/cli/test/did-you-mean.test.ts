/**
 * A misspelt command, subcommand, option or adapter option stops with exit 2 (usage) and names
 * the closest valid one, as rclone and restic users expect.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, run, runJson, tempDir } from './helpers.js';

afterAll(cleanup);

describe('did you mean', () => {
  it.each([
    [['synk'], "unknown command 'synk'", 'sync'],
    [['sync', '--retires', '3'], "unknown option '--retires'", '--retries'],
    [['key', 'lst'], "unknown command 'lst'", 'list'],
    [['init', '--remtoe', 'fs:/x'], "unknown option '--remtoe'", '--remote'],
    [['completion', 'bsh'], "'bsh' is invalid", 'bash'],
    [['remote', 'ad', 'nas', 'fs:/x'], "unknown command 'ad'", 'add'],
  ])('%j names the mistake and the closest valid name', async (args, mistake, meant) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(mistake);
    expect(r.stderr).toMatch(new RegExp(`(Did you mean|choices are).*${meant.replace(/-/g, '\\-')}`, 'i'));
  });

  it('a misspelt adapter option (-o regoin=…) names the option meant, also in --json', async () => {
    const base = await tempDir();
    const r = await runJson(['init', `${base}/lib`, '--remote', 's3:my-bucket/lib', '-o', 'regoin=eu-west-1']);
    expect(r.code).toBe(2);
    expect(r.json.error).toMatchObject({ code: 'BadOption', exitCode: 2 });
    expect(r.json.error.message).toContain('"regoin" (did you mean region?)');
    const fs = await run(['init', `${base}/lib`, '--remote', `fs:${base}/r`, '-o', 'creatRoot=true']);
    expect(fs.code).toBe(2);
    expect(fs.stderr).toContain('did you mean createRoot?');
  });

  it('a misspelt setting (config get usr) names the one meant', async () => {
    const r = await run(['config', 'get', 'usr']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown setting "usr" (did you mean user?)');
  });

  it('an option nothing resembles gets no guess', async () => {
    const base = await tempDir();
    const r = await run(['init', `${base}/lib`, '--remote', `fs:${base}/r`, '-o', 'zzzzqqq=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"zzzzqqq"');
    expect(r.stderr).not.toContain('did you mean');
  });
});
