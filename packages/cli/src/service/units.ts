/**
 * What `syncacross service install` writes: a systemd user unit on Linux, a launchd agent on
 * macOS, each running `syncacross watch` over the given libraries from login on, restarted if it
 * fails. No secret is written: an encrypted repository opens with the key the CLI remembered at
 * init (its credentials folder, mode 0600). Logs go where the platform keeps them: the journal
 * (`journalctl --user -u <unit>`) and ~/Library/Logs/syncacross/.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';

export interface ServiceSpec {
  /** Library roots, absolute. */
  roots: string[];
  /** The program and arguments that run the CLI (node and its bin.js). */
  command: string[];
}

/** A name for the service, the same for the same libraries whatever order they are given in. */
export function serviceName(roots: string[]): string {
  const sorted = [...roots].sort();
  const hash = createHash('sha256').update(sorted.join('\0')).digest('hex').slice(0, 8);
  const stem =
    basename(sorted[0]!)
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 40) || 'library';
  return `syncacross-${stem}-${hash}`;
}

/** systemd quoting: each argument in double quotes, with backslash, quote, $ and % escaped. */
const systemdArg = (a: string) => `"${a.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%')}"`;

export function systemdUnit(spec: ServiceSpec): string {
  return [
    '# Written by `syncacross service install`; remove with `syncacross service uninstall`.',
    '[Unit]',
    `Description=syncacross: keep ${spec.roots.join(', ')} in sync`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[...spec.command, 'watch', ...spec.roots].map(systemdArg).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=30',
    // SIGTERM stops watch cleanly (exit 0); give a round under way time to be abandoned safely.
    'TimeoutStopSec=60',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function launchdPlist(spec: ServiceSpec, label: string, logDir: string): string {
  const args = [...spec.command, 'watch', ...spec.roots].map((a) => `    <string>${xml(a)}</string>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by `syncacross service install`; remove with `syncacross service uninstall`. -->',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key><string>${xml(label)}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...args,
    '  </array>',
    '  <key>RunAtLoad</key><true/>',
    // Restarted when it fails, not when it was stopped on purpose (watch exits 0 then).
    '  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>',
    '  <key>ThrottleInterval</key><integer>30</integer>',
    `  <key>StandardOutPath</key><string>${xml(join(logDir, `${label}.log`))}</string>`,
    `  <key>StandardErrorPath</key><string>${xml(join(logDir, `${label}.log`))}</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}
