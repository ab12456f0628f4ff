/** `key list|add|remove`, registered on the program (their own file: program.ts is at its size limit). */
import type { Command } from 'commander';
import { keyAddCommand, keyListCommand, keyRemoveCommand } from './commands/key.js';
import type { Run } from './program-run.js';
import { libraryDirOption } from './program-dir.js';

/** The passphrases of an encrypted repository. */
export function addKeyCommands(program: Command, run: Run, passwordFlags: (c: Command) => Command): void {
  const key = program.command('key').description('manage the passphrases that open an encrypted repository (one per team member, say)');
  const dirFlag = (c: Command) => c.addOption(libraryDirOption());
  passwordFlags(dirFlag(key.command('list').description("list the repository's keys"))).action(run((out, opts) => keyListCommand(opts, out)));
  passwordFlags(
    dirFlag(key.command('add').description('add a passphrase (asked twice, or --new-password-file, or SYNCACROSS_NEW_PASSWORD)')).option(
      '--new-password-file <file>',
      'read the new passphrase from this file',
    ),
  ).action(run((out, opts) => keyAddCommand(opts, out)));
  passwordFlags(dirFlag(key.command('remove <id>').description('remove a passphrase; the others keep working (not the last one, nor the one this node uses)'))).action(
    run((out, id, opts) => keyRemoveCommand(id, opts, out)),
  );
}
