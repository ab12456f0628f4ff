/** `exclude --json` (commands/exclude.ts): its own file, so json-output.ts stays one screen of shapes. */
import { z } from 'zod';

export const excludeOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('exclude'),
    action: z.enum(['list', 'add', 'remove']),
    library: z.string(),
    patterns: z.array(z.string()).describe("this node's exclude patterns (config.json), after the change"),
    shared: z.array(z.string()).describe("the library's .syncacrossignore patterns (shared by every node)"),
    builtin: z.array(z.string()).describe('what every library ignores'),
  })
  .strict();
