/** `--json` shapes for `remote …` and for `adapters NAME`'s options (json-output.ts is near the size limit). */
import { z } from 'zod';

export const adapterOptionOutput = z
  .object({
    name: z.string(),
    type: z.string().describe('e.g. string, integer, boolean, url, auto|link|rename, list of string'),
    required: z.boolean(),
    default: z.unknown().optional(),
    secret: z.boolean(),
    env: z.string().optional().describe('for a secret: the environment variable read when the option is absent'),
    description: z.string().optional(),
  })
  .strict();

export const remoteOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('remote'),
    action: z.enum(['add', 'list', 'show', 'remove']),
    remotes: z.array(
      z
        .object({
          name: z.string(),
          remote: z.string().describe('as given to remote add: adapter:location'),
          adapter: z.string(),
          options: z.record(z.string(), z.unknown()).describe('secrets only as ${env:NAME} references, or ***'),
          libraries: z.array(z.string()).describe('libraries on this machine initialised from it'),
        })
        .strict(),
    ),
  })
  .strict();
