/**
 * `syncacross service install|uninstall|status [DIR…]`: runs `syncacross watch` over the given
 * libraries from login on (a systemd user unit on Linux, a launchd agent on macOS), so backups
 * happen without anyone remembering to sync. Says what it wrote and ran, and how to undo it.
 */
import { realpathSync } from 'node:fs';
import { distinctLibraryRoots } from '../config.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { installService, serviceStatus, uninstallService } from '../service/platform.js';

/** How this very CLI is started: the same Node and the same bin.js, whatever PATH holds at login. */
const selfCommand = () => [process.execPath, realpathSync(process.argv[1]!)];

export async function serviceCommand(action: 'install' | 'uninstall' | 'status', dirs: string[], out: Output): Promise<number> {
  const roots = distinctLibraryRoots(dirs);
  const undo = `syncacross service uninstall ${roots.join(' ')}`;
  if (action === 'install') {
    const r = installService({ roots, command: selfCommand() });
    out.info(`Installed ${r.name}: wrote ${r.file}`);
    for (const c of r.ran) out.info(`  ran: ${c}`);
    out.info(`It runs \`syncacross watch\` over ${roots.join(', ')} from login on (${r.active ? 'running now' : 'not running yet: see its logs'}).`);
    out.info(`Logs: ${r.logs}`);
    out.info(`Undo: ${undo}`);
    out.result({ command: 'service', action, roots, ...r });
    return EXIT.ok;
  }
  if (action === 'uninstall') {
    const r = uninstallService(roots);
    for (const c of r.ran) out.info(`ran: ${c}`);
    out.info(`Removed ${r.name} (${r.file}): ${roots.join(', ')} sync only when asked now.`);
    out.result({ command: 'service', action, roots, ...r });
    return EXIT.ok;
  }
  const r = serviceStatus(roots);
  out.info(`${r.name}: ${!r.installed ? 'not installed' : r.active ? 'installed, running' : 'installed, not running'}${r.installed ? ` (${r.file}; logs: ${r.logs})` : ''}`);
  if (!r.installed) out.info(`Install it with: syncacross service install ${roots.join(' ')}`);
  out.result({ command: 'service', action, roots, ...r });
  return EXIT.ok;
}
