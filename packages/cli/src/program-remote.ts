/** The `remote` commands' registration (program.ts is near the file-size limit). */
import type { Command, Option } from 'commander';
import type { Run } from './program-run.js';
import { remoteAddCommand, remoteListCommand, remoteRemoveCommand } from './commands/remote.js';

/** `remote add|list|show|remove`: named remotes, for `init --remote NAME` and the like. */
export function addNamedRemoteCommands(program: Command, run: Run, optionFlag: () => Option): void {
  const remote = program.command('remote').description('named remotes: describe a remote once (adapter, location, options), then use its name: init --remote NAME');
  remote
    .command('add <name> <adapter:location>')
    .description('add a named remote, e.g. remote add nas fs:/mnt/nas/library; secrets as -o key=${env:NAME} or SYNCACROSS_<ADAPTER>_<OPTION>')
    .addOption(optionFlag())
    .option('--replace', 'change an existing remote: every library initialised from it follows')
    .action(run((out, name, spec, opts) => remoteAddCommand(name, spec, opts, out)));
  remote
    .command('list')
    .description('the named remotes (no secrets are shown)')
    .action(run((out) => remoteListCommand('list', undefined, out)));
  remote
    .command('show <name>')
    .description('a named remote: adapter, options, and the libraries on this machine that use it')
    .action(run((out, name) => remoteListCommand('show', name, out)));
  remote
    .command('remove <name>')
    .description('forget a named remote (its data on the remote is untouched); refused while a library here uses it, unless --force')
    .option('--force', 'remove it even though libraries use it (they then stop with exit 2 until it is added again)')
    .action(run((out, name, opts) => remoteRemoveCommand(name, opts, out)));
}
