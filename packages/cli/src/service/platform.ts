/**
 * Installing, removing and asking after the service on this platform: the unit or agent file,
 * and the service manager's own commands (systemctl --user, launchctl), run without a shell.
 * What was run is returned, so the command can say exactly what it did and how to undo it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../cli-error.js';
import { launchdPlist, serviceName, systemdUnit, type ServiceSpec } from './units.js';

export interface ServiceReport {
  platform: 'systemd' | 'launchd';
  name: string;
  file: string;
  /** The service manager commands run, as typed in a shell. */
  ran: string[];
  /** Whether the service manager says it runs (status, and after install). */
  active?: boolean;
  /** Where its output goes. */
  logs: string;
}

interface Manager {
  platform: ServiceReport['platform'];
  file(name: string): string;
  logs(name: string): string;
  write(spec: ServiceSpec, name: string): string;
  start(name: string, file: string): string[][];
  stop(name: string, file: string): string[][];
  active(name: string): boolean;
}

function run(argv: string[]): { ok: boolean; out: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.error) throw usageError('ServiceManager', `could not run ${argv[0]}: ${r.error.message}`);
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

const systemd: Manager = {
  platform: 'systemd',
  file: (name) => join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'systemd', 'user', `${name}.service`),
  logs: (name) => `journalctl --user -u ${name}`,
  write: (spec) => systemdUnit(spec),
  start: (name) => [
    ['systemctl', '--user', 'daemon-reload'],
    ['systemctl', '--user', 'enable', '--now', `${name}.service`],
  ],
  stop: (name) => [
    ['systemctl', '--user', 'disable', '--now', `${name}.service`],
    ['systemctl', '--user', 'daemon-reload'],
  ],
  active: (name) => run(['systemctl', '--user', 'is-active', `${name}.service`]).out === 'active',
};

const label = (name: string) => `com.syncacross.${name}`;
const logDir = () => join(homedir(), 'Library', 'Logs', 'syncacross');
const launchd: Manager = {
  platform: 'launchd',
  file: (name) => join(homedir(), 'Library', 'LaunchAgents', `${label(name)}.plist`),
  logs: (name) => join(logDir(), `${label(name)}.log`),
  write: (spec, name) => {
    mkdirSync(logDir(), { recursive: true });
    return launchdPlist(spec, label(name), logDir());
  },
  start: (_name, file) => [['launchctl', 'bootstrap', `gui/${userInfo().uid}`, file]],
  stop: (_name, file) => [['launchctl', 'bootout', `gui/${userInfo().uid}`, file]],
  active: (name) => run(['launchctl', 'print', `gui/${userInfo().uid}/${label(name)}`]).out.includes('state = running'),
};

function manager(): Manager {
  if (process.platform === 'linux') return systemd;
  if (process.platform === 'darwin') return launchd;
  throw usageError('Unsupported', 'service supports Linux (a systemd user unit) and macOS (a launchd agent); elsewhere, start `syncacross watch DIR` at login yourself (Task Scheduler on Windows)');
}

/** Runs each command; the first that fails stops it with what the service manager said. */
function runAll(commands: string[][], ran: string[]): void {
  for (const argv of commands) {
    const r = run(argv);
    ran.push(argv.join(' '));
    if (!r.ok) throw usageError('ServiceManager', `\`${argv.join(' ')}\` failed${r.out ? `: ${r.out}` : ''}`);
  }
}

export function installService(spec: ServiceSpec): ServiceReport {
  const m = manager();
  const name = serviceName(spec.roots);
  const file = m.file(name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, m.write(spec, name), { mode: 0o644 });
  const ran: string[] = [];
  runAll(m.start(name, file), ran);
  return { platform: m.platform, name, file, ran, active: m.active(name), logs: m.logs(name) };
}

export function uninstallService(roots: string[]): ServiceReport {
  const m = manager();
  const name = serviceName(roots);
  const file = m.file(name);
  if (!existsSync(file)) throw usageError('NotInstalled', `no service for ${roots.join(', ')} is installed (${file} does not exist)`);
  const ran: string[] = [];
  runAll(m.stop(name, file), ran);
  rmSync(file);
  return { platform: m.platform, name, file, ran, logs: m.logs(name) };
}

export function serviceStatus(roots: string[]): ServiceReport & { installed: boolean } {
  const m = manager();
  const name = serviceName(roots);
  const file = m.file(name);
  const installed = existsSync(file);
  return { platform: m.platform, name, file, ran: [], installed, active: installed && m.active(name), logs: m.logs(name) };
}
