/** `service --json` (commands/service.ts): its own file, so json-output.ts stays one screen of shapes. */
import { z } from 'zod';

const serviceFields = {
  action: z.enum(['install', 'uninstall', 'status']),
  roots: z.array(z.string()).describe('the libraries the service watches'),
  platform: z.enum(['systemd', 'launchd']),
  name: z.string().describe('the unit (systemd) or agent (launchd) name, and its file'),
  file: z.string(),
  ran: z.array(z.string()).describe('the service manager commands run'),
  installed: z.boolean().optional(),
  active: z.boolean().optional().describe('whether the service manager says it runs'),
  logs: z.string().describe('where its output goes: a journalctl command, or a file'),
};
export const serviceOutput = z.object({ ok: z.literal(true), command: z.literal('service'), ...serviceFields }).strict();
