/** `service --json` (commands/service.ts): its own file, so json-output.ts stays one screen of shapes. */
import { z } from '@syncacross/sync-core';
import { commandName, succeeded } from './json-output-fields.js';

const serviceFields = {
  action: z.enum(['install', 'uninstall', 'status']).describe('what was done'),
  roots: z.array(z.string()).describe('the libraries the service watches'),
  platform: z.enum(['systemd', 'launchd']).describe('the service manager: systemd (Linux) or launchd (macOS)'),
  name: z.string().describe('the unit (systemd) or agent (launchd) name, and its file'),
  file: z.string().describe('the unit or agent file'),
  ran: z.array(z.string()).describe('the service manager commands run'),
  installed: z.boolean().optional().describe('status: whether the file is there'),
  active: z.boolean().optional().describe('whether the service manager says it runs'),
  logs: z.string().describe('where its output goes: a journalctl command, or a file'),
};
export const serviceOutput = z.object({ ok: succeeded, command: commandName('service'), ...serviceFields }).strict();
