/**
 * `syncacross completion bash|zsh|fish|powershell`: a shell completion script. It is made by
 * @bomb.sh/tab from this very program: the script asks `syncacross complete -- <words>` at each
 * Tab, which walks the commander tree, so commands, subcommands and options never go stale.
 * We only add what the tree cannot know: what a `--remote` value may be (named remotes, adapters).
 */
import type { Command } from 'commander';
import tab from '@bomb.sh/tab/commander';
import { BUILTIN_ADAPTERS } from './adapter-loader.js';
import { remoteNamesForCompletion } from './named-remotes.js';

/** Adds `completion <shell>` (and the hidden `complete` that the scripts call); the program must be complete. */
export function addCompletionCommand(program: Command): void {
  const root = tab(program, { completionCommandName: 'completion' });
  const completion = program.commands.find((c) => c.name() === 'completion');
  completion
    ?.description('print a shell completion script (bash needs the bash-completion package); e.g. in ~/.bashrc: source <(syncacross completion bash)')
    .addHelpText('after', '\nzsh: source <(syncacross completion zsh)\nfish: syncacross completion fish | source');
  const adapters = Object.keys(BUILTIN_ADAPTERS);
  const namedRemotes = (complete: Complete) => {
    for (const name of remoteNamesForCompletion()) complete(name, 'a named remote');
  };
  for (const command of root.commands.values()) {
    const remote = command.options.get('remote');
    if (!remote) continue;
    remote.handler = (complete) => {
      namedRemotes(complete);
      for (const name of adapters) complete(`${name}:`, `the ${name} adapter`);
    };
  }
  for (const path of ['remote show', 'remote remove', 'auth']) {
    const argument = root.commands.get(path)?.arguments.values().next().value;
    if (!argument) continue;
    argument.handler = (complete) => {
      namedRemotes(complete);
      if (path === 'auth') for (const name of adapters) complete(name, `the ${name} adapter`);
    };
  }
  const adapterName = root.commands.get('adapters')?.arguments.get('name');
  if (adapterName) adapterName.handler = (complete) => adapters.forEach((name) => complete(name, `the ${name} adapter's options`));
}

type Complete = (value: string, description: string) => void;
