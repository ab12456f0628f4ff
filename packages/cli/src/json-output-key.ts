/** `key list|add|remove --json` (commands/key.ts): its own file, so json-output.ts stays one screen of shapes. */
import { z } from '@syncacross/sync-core';
import { commandName, libraryDir, repositoryId, succeeded } from './json-output-fields.js';

export const keyOutput = z
  .object({
    ok: succeeded,
    command: commandName('key'),
    action: z.enum(['list', 'add', 'remove']).describe('what was done'),
    library: libraryDir,
    repository: repositoryId,
    keys: z
      .array(
        z
          .object({
            id: z.string().describe('the key id'),
            created: z.string().describe('when it was added (ISO 8601)'),
            current: z.boolean().describe('the key this node opened the repository with'),
          })
          .strict(),
      )
      .describe('the passphrases that open the repository'),
    added: z.string().optional().describe('add: the new key id'),
    removed: z.string().optional().describe('remove: the key id removed'),
  })
  .strict();
