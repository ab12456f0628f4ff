/**
 * `syncacross service`: the systemd user unit it writes is checked by systemd's own
 * `systemd-analyze verify` (where the machine has it), and what it asks of systemctl is
 * recorded by a stand-in `systemctl` on PATH (a container has no user session to enable units
 * in). The launchd agent is checked as XML with the keys launchd reads.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchdPlist, serviceName, systemdUnit } from '../src/service/units.js';
import { fileURLToPath } from 'node:url';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, run, runJson, tempDir, writeFiles } from './helpers.js';

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, object> };

afterAll(cleanup);

const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;

async function machine(): Promise<{ lib: string; env: Record<string, string>; log: string; units: string }> {
  const base = await tempDir();
  const lib = join(base, 'my library');
  await writeFiles(lib, { 'a.md': 'a\n' });
  expect((await run(['init', lib, '--remote', `fs:${join(base, 'remote')}`, '-o', 'createRoot=true'])).code).toBe(0);
  const bin = join(base, 'bin');
  mkdirSync(bin);
  const log = join(base, 'systemctl.log');
  writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "$@" >> "${log}"\ncase "$*" in *is-active*) echo active;; esac\nexit 0\n`);
  chmodSync(join(bin, 'systemctl'), 0o755);
  const xdg = join(base, 'xdg');
  return { lib, log, units: join(xdg, 'systemd', 'user'), env: { PATH: `${bin}:${process.env.PATH}`, XDG_CONFIG_HOME: xdg } };
}

describe.runIf(process.platform === 'linux')('syncacross service (systemd)', () => {
  it('install writes a unit that runs watch over the library, enables and starts it, and says how to undo it', async () => {
    const m = await machine();
    const r = await run(['service', 'install', m.lib], { env: m.env });
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(m.units);
    expect(files).toHaveLength(1);
    const unit = readFileSync(join(m.units, files[0]!), 'utf8');
    expect(unit).toContain(`"watch" "${m.lib}"`); // the space in the name is quoted
    expect(unit).toMatch(/^ExecStart="\/.*node.*" "\/.*bin\.js"/m);
    expect(readFileSync(m.log, 'utf8').trim().split('\n')).toEqual(['--user daemon-reload', `--user enable --now ${files[0]}`, `--user is-active ${files[0]}`]);
    expect(r.stdout).toContain(`Undo: syncacross service uninstall ${m.lib}`);
    expect(r.stdout).toMatch(/Logs: journalctl --user -u syncacross-my-library-[0-9a-f]{8}/);
    if (analyze) {
      const v = spawnSync('systemd-analyze', ['verify', join(m.units, files[0]!)], { encoding: 'utf8' });
      expect(v.status, v.stderr).toBe(0);
    } else console.warn('systemd-analyze is not installed: the unit file was not verified by systemd');

    // The library as -d is the same library: the same service.
    const status = await runJson(['service', 'status', '-d', m.lib], { env: m.env });
    expect(status.json).toMatchObject({ command: 'service', action: 'status', installed: true, active: true, platform: 'systemd' });
    expect(checkJsonSchema(schema.$defs.service!, status.json)).toEqual([]);

    const removed = await run(['service', 'uninstall', '--dir', m.lib], { env: m.env });
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(join(m.units, files[0]!))).toBe(false);
    expect(readFileSync(m.log, 'utf8')).toContain(`--user disable --now ${files[0]}`);
    const again = await run(['service', 'uninstall', m.lib], { env: m.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/no service .* is installed/);
  });

  it('a folder that is not a library is refused before anything is written', async () => {
    const m = await machine();
    const r = await run(['service', 'install', join(m.lib, '..')], { env: m.env });
    expect(r.code).toBe(2);
    expect(existsSync(m.units)).toBe(false);
    expect(existsSync(m.log)).toBe(false);
  });
});

describe('the unit and agent files', () => {
  it('quote what systemd and XML would read otherwise: spaces, quotes, $, %, &', () => {
    const roots = ['/home/ana/50% $HOME "quoted" & more'];
    const unit = systemdUnit({ roots, command: ['/usr/bin/node', '/opt/syncacross/bin.js'] });
    expect(unit).toContain('"/home/ana/50%% $$HOME \\"quoted\\" & more"');
    const plist = launchdPlist({ roots, command: ['/usr/bin/node', '/opt/syncacross/bin.js'] }, 'com.syncacross.x', '/Users/ana/Library/Logs/syncacross');
    expect(plist).toContain('<string>/home/ana/50% $HOME &quot;quoted&quot; &amp; more</string>');
    for (const key of ['Label', 'ProgramArguments', 'RunAtLoad', 'KeepAlive', 'StandardOutPath', 'StandardErrorPath']) expect(plist).toContain(`<key>${key}</key>`);
  });

  it('one name for the same libraries in any order, another for others', () => {
    expect(serviceName(['/a/notes', '/b/papers'])).toBe(serviceName(['/b/papers', '/a/notes']));
    expect(serviceName(['/a/notes'])).not.toBe(serviceName(['/b/notes']));
  });
});
