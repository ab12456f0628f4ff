/** `exclude --json` and `mount-point --json` (commands/exclude.ts, commands/mount-point.ts): their own file, so json-output.ts stays one screen of shapes. */
import { z } from '@syncacross/sync-core';
import { commandName, libraryDir, succeeded } from './json-output-fields.js';

export const excludeOutput = z
  .object({
    ok: succeeded,
    command: commandName('exclude'),
    action: z.enum(['list', 'add', 'remove']).describe('what was done'),
    library: libraryDir,
    patterns: z.array(z.string()).describe("this node's exclude patterns (config.json), after the change"),
    shared: z.array(z.string()).describe("the library's .syncacrossignore patterns (shared by every node)"),
    builtin: z.array(z.string()).describe('what every library ignores'),
  })
  .strict();

export const mountPointOutput = z
  .object({
    ok: succeeded,
    command: commandName('mount-point'),
    action: z.enum(['list', 'add', 'remove']).describe('what was done'),
    library: libraryDir,
    mountPoints: z
      .array(
        z
          .object({
            path: z.string().describe('the folder, relative to the library'),
            mounted: z.boolean().describe('whether a sync would find it there now (a folder with something in it); false: it leaves it alone'),
          })
          .strict(),
      )
      .describe("this node's mount points (config.json), after the change"),
  })
  .strict();
