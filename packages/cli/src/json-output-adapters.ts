/** `adapters --json`: the adapters known here, their options, and a probe's findings. */
import { z } from '@syncacross/sync-core';
import { commandName, succeeded } from './json-output-fields.js';
import { adapterOptionOutput } from './json-output-remote.js';

const capabilities = z.record(z.string(), z.union([z.boolean(), z.number()]));

export const adaptersOutput = z
  .object({
    ok: succeeded,
    command: commandName('adapters'),
    adapters: z
      .array(
        z
          .object({
            name: z.string().describe('the name used in --remote NAME:…'),
            source: z.string().describe('where it is loaded from (a package or a path)'),
            builtin: z.boolean().describe('shipped with syncacross'),
            loaded: z.boolean().describe('it loaded (else see error)'),
            description: z.string().optional().describe('what it stores to'),
            secretOptions: z.array(z.string()).optional().describe('options that hold secrets (never printed)'),
            interactiveAuth: z.boolean().optional().describe('`syncacross auth` can sign in to it'),
            options: z.array(adapterOptionOutput).optional().describe('with `adapters NAME`: its options'),
            error: z.string().optional().describe('why it did not load'),
          })
          .strict(),
      )
      .describe('the adapters known here'),
    probe: z
      .object({
        storage: z.string().describe('the remote probed'),
        declared: capabilities.describe('what the adapter claims'),
        effective: capabilities.describe('what held when tried'),
        measured: z.record(z.string(), z.boolean().optional()).describe('each measurement (absent: not measured)'),
        notes: z.array(z.string()).describe('what the probe noticed'),
      })
      .strict()
      .optional()
      .describe('with --probe: the capabilities declared and measured'),
  })
  .strict();
