/** `key list|add|remove --json` (commands/key.ts): its own file, so json-output.ts stays one screen of shapes. */
import { z } from 'zod';

export const keyOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('key'),
    action: z.enum(['list', 'add', 'remove']),
    library: z.string(),
    repository: z.string(),
    keys: z.array(z.object({ id: z.string(), created: z.string(), current: z.boolean().describe('the key this node opened the repository with') }).strict()),
    added: z.string().optional(),
    removed: z.string().optional(),
  })
  .strict();
