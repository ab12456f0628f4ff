/**
 * What this node keeps to itself, registered on the program (its own file: program.ts is near its
 * size limit): `exclude list|add|remove` (patterns left out here) and `mount-point list|add|remove`
 * (folders that are other disks, left alone while not mounted). Both live in the library's config.json.
 */
import type { Command } from 'commander';
import { excludeCommand } from './commands/exclude.js';
import { mountPointCommand } from './commands/mount-point.js';
import type { Output } from './output.js';
import type { Run } from './program-run.js';
import { libraryDirOption } from './program-dir.js';

export function addNodeRulesCommands(program: Command, run: Run): void {
  addExcludeCommands(program, run);
  addMountPointCommands(program, run);
}

const dirFlag = (c: Command) => c.addOption(libraryDirOption());

function addExcludeCommands(program: Command, run: Run): void {
  const exclude = program.command('exclude').description("this node's exclude patterns (gitignore syntax), kept in the library's config: neither sent nor received here, never deleted elsewhere");
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

function addMountPointCommands(program: Command, run: Run): void {
  const mount = program
    .command('mount-point')
    .description("folders of the library that are other disks or shares, kept in this node's config: while one is not mounted (empty or not there), nothing in it is synced or deleted");
  dirFlag(mount.command('list', { isDefault: true }).description('the mount points, and whether each is there now')).action(
    run((out: Output, opts: { dir?: string }) => mountPointCommand('list', [], opts, out)),
  );
  dirFlag(mount.command('add <folders...>').description('add folders of the library, e.g. mount-point add scans')).action(
    run((out: Output, folders: string[], opts: { dir?: string }) => mountPointCommand('add', folders, opts, out)),
  );
  dirFlag(mount.command('remove <folders...>').description('remove them: synced as found from then on (emptied, their files are deleted everywhere)')).action(
    run((out: Output, folders: string[], opts: { dir?: string }) => mountPointCommand('remove', folders, opts, out)),
  );
}
