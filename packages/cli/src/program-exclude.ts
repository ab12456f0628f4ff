/** `exclude list|add|remove`, registered on the program (its own file: program.ts is near its size limit). */
import type { Command } from 'commander';
import { excludeCommand } from './commands/exclude.js';
import type { Output } from './output.js';
import type { Run } from './program-run.js';
import { libraryDirOption } from './program-dir.js';

export function addExcludeCommands(program: Command, run: Run): void {
  const exclude = program.command('exclude').description("this node's exclude patterns (gitignore syntax), kept in the library's config: neither sent nor received here, never deleted elsewhere");
  const dirFlag = (c: Command) => c.addOption(libraryDirOption());
  dirFlag(exclude.command('list', { isDefault: true }).description('every pattern that applies here, in order: built in, .syncacrossignore, this node')).action(
    run((out: Output, opts: { dir?: string }) => excludeCommand('list', [], opts, out)),
  );
  dirFlag(exclude.command('add <patterns...>').description("add patterns, e.g. exclude add '*.iso' 'videos/'")).action(
    run((out: Output, patterns: string[], opts: { dir?: string }) => excludeCommand('add', patterns, opts, out)),
  );
  dirFlag(exclude.command('remove <patterns...>').description('remove patterns: what they covered syncs again')).action(
    run((out: Output, patterns: string[], opts: { dir?: string }) => excludeCommand('remove', patterns, opts, out)),
  );
}
