/**
 * Each adapter's emulator can be started by hand (`node packages/adapter-X/dist/emulator/main.js`):
 * `--help` says what its options are, and a mistyped option is a usage error (exit 2, no stack).
 * Runs the built files, as a person would (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ADAPTERS = ['s3', 'gdrive', 'onedrive', 'dropbox'];
const main = (adapter: string) => fileURLToPath(new URL(`../packages/adapter-${adapter}/dist/emulator/main.js`, import.meta.url));
const run = (adapter: string, args: string[]) => spawnSync(process.execPath, [main(adapter), ...args], { encoding: 'utf8', timeout: 30_000 });

describe.each(ADAPTERS)('the %s emulator on the command line', (adapter) => {
  it('--help lists every option and exits 0', () => {
    const r = run(adapter, ['--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/emulator/i);
    expect(r.stdout).toContain('--port PORT');
    expect(r.stdout).toContain('--host HOST');
    expect(r.stderr).toBe('');
  });

  it('a mistyped option is a usage error, exit 2, with no stack trace', () => {
    const r = run(adapter, ['--prot', '8080']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--prot'");
    expect(r.stderr).toContain('--port PORT');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
