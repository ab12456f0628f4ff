/** `--json` shapes for `remote …` and for `adapters NAME`'s options (json-output.ts is near the size limit). */
import { z } from '@syncacross/sync-core';
import { adapterName, commandName, succeeded } from './json-output-fields.js';

export const adapterOptionOutput = z
  .object({
    name: z.string().describe('the option, as given with -o NAME=VALUE'),
    type: z.string().describe('e.g. string, integer, boolean, url, auto|link|rename, list of string'),
    required: z.boolean().describe('the adapter needs it'),
    default: z.unknown().optional().describe('its value when not given'),
    secret: z.boolean().describe('it holds a secret (never printed; give it as ${env:NAME})'),
    env: z.string().optional().describe('for a secret: the environment variable read when the option is absent'),
    description: z.string().optional().describe('what it does'),
  })
  .strict();

export const remoteOutput = z
  .object({
    ok: succeeded,
    command: commandName('remote'),
    action: z.enum(['add', 'list', 'show', 'remove']).describe('what was done'),
    remotes: z
      .array(
        z
          .object({
            name: z.string().describe('the name given to remote add'),
            remote: z.string().describe('as given to remote add: adapter:location'),
            adapter: adapterName,
            options: z.record(z.string(), z.unknown()).describe('secrets only as ${env:NAME} references, or ***'),
            libraries: z.array(z.string()).describe('libraries on this machine initialised from it'),
          })
          .strict(),
      )
      .describe('the named remotes concerned (for list: all of them)'),
  })
  .strict();
