/** The command line: commands, options, help (with exit codes), and error → exit code. */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { EXIT, EXIT_CODE_HELP, toCliError } from './exit-codes.js';
import { debugEnabled, debugTrace } from './debug-trace.js';
import { Output, type OutputOptions } from './output.js';
import { redact } from './redact.js';
import { usageError } from './cli-error.js';
import { adaptersCommand } from './commands/adapters.js';
import { authCommand } from './commands/auth.js';
import { conflictsCommand } from './commands/conflicts.js';
import { demoCommand } from './commands/demo.js';
import { initCommand } from './commands/init.js';
import { logCommand } from './commands/log.js';
import { lsCommand } from './commands/ls.js';
import { restoreCommand } from './commands/restore.js';
import { verifyCommand } from './commands/verify.js';
import { watchCommand } from './commands/watch.js';
import { serviceCommand } from './commands/service.js';
import { statusCommand } from './commands/status.js';
import { configCommand } from './commands/config.js';
import { syncCommand } from './commands/sync.js';
import { bwlimitFlag, patternFlags } from './filter-flags.js';
import { addNodeRulesCommands } from './program-node-rules.js';
import { addLifecycleCommands } from './program-lifecycle.js';
import { addCompletionCommand } from './completion.js';
import { addNamedRemoteCommands } from './program-remote.js';
import { addKeyCommands } from './program-key.js';
import { allDirs, dirOption, dirsOption, libraryDirOption, oneDir } from './program-dir.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const integer = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CommanderError(EXIT.usage, 'commander.invalidArgument', `${name} must be a whole number, got ${JSON.stringify(value)}`);
  return n;
};

const number = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CommanderError(EXIT.usage, 'commander.invalidArgument', `${name} must be a number above 0, got ${JSON.stringify(value)}`);
  return n;
};

const optionFlag = () => new Option('-o, --option <key=value>', 'an adapter option (repeatable); secrets as key=${env:NAME}').argParser(collect);
/** Where an encrypted repository's passphrase comes from; a remembered key is used first. */
const passwordFlags = (command: Command): Command =>
  command
    .option('--password-file <file>', 'read the passphrase of an encrypted repository from this file (else SYNCACROSS_PASSWORD, or a prompt on a terminal)')
    .option('--password-command <command>', 'run this command and read the passphrase from its output')
    .option('--no-remember-key', 'do not keep (or use) the repository key in the credentials folder: ask for the passphrase every time');
const retriesFlag = () => new Option('--retries <n>', 'retries of a failing request before giving up (default 8)').argParser(integer('--retries'));
const stagingFlag = () => new Option('--staging-limit <size>', 'while the remote is unreachable, changes are staged here up to this size (e.g. 500M, 2G; default a quarter of the free disk; 0: none)');

// Commander passes each command its own arguments and options: the handlers type their own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (out: Output, ...args: any[]) => Promise<number>;

/** Runs a command and turns whatever it throws into a message and an exit code. */
function run(handler: Handler) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const out = new Output(command.optsWithGlobals() as OutputOptions);
    try {
      if (out.quiet && out.verbose > 0) throw usageError('QuietAndVerbose', '-q (print nothing but errors) and -v (say more) contradict each other: give one');
      process.exitCode = await handler(out, ...args.slice(0, -1));
    } catch (e) {
      const error = toCliError(e);
      out.failure(error);
      if (debugEnabled()) out.warn(debugTrace(e));
      process.exitCode = error.exitCode;
    }
  };
}

/** `config get|set|unset`: this machine's settings. */
function addConfigCommands(program: Command): void {
  const config = program.command('config').description("this machine's settings, for all its libraries (today: user, the name the log shows)");
  config
    .command('get <key>')
    .description('show a setting')
    .action(run((out, key) => configCommand('get', key, undefined, out)));
  config
    .command('set <key> <value>')
    .description('change a setting, e.g. config set user "Ana Lima"')
    .action(run((out, key, value) => configCommand('set', key, value, out)));
  config
    .command('unset <key>')
    .description('forget a setting')
    .action(run((out, key) => configCommand('unset', key, undefined, out)));
}

/** `init`: create or join a repository. */
function addInitCommand(program: Command): void {
  const init = program
    .command('init [dir]')
    .description('create or join a repository and make DIR (default .) a library')
    // Checked by init itself: commander checks required options before unknown ones, so `--remtoe` would get no "did you mean".
    .option(
      '-r, --remote <adapter:location>',
      '(required) e.g. fs:/mnt/nas/library, s3:my-bucket/library, webdav:https://host/dav/library, my-adapter:location, or a named remote (syncacross remote list)',
    )
    .addOption(optionFlag())
    .option('-n, --name <node>', 'a name for this machine (default: the host name)')
    .option('--encrypt', 'encrypt everything on the remote (a new repository only): names, paths and content; asks for a passphrase')
    .option('-u, --user <name>', "your name, shown in every node's log for versions made on this machine (kept for all its libraries; see config set user)")
    .addOption(new Option('--exclude <pattern>', "leave out what matches this gitignore pattern on this node, kept in the library's config (repeatable; see exclude)").argParser(collect))
    .addOption(
      new Option(
        '--format <n>',
        'format of a new repository: 7 (compressed, small chunks with a dictionary; its history and unneeded packs can be collected, and pruned by a retention policy: default), 6 (readable by the previous release), 5, 4 (packs are not collected), 3, 2 (by releases before 0.3) or 1 (by releases before 0.2)',
      )
        .choices(['1', '2', '3', '4', '5', '6', '7'])
        .argParser(Number),
    )
    .addOption(retriesFlag())
    .addOption(dirOption());
  passwordFlags(init).action(run((out, dir, opts) => initCommand(oneDir(dir, opts), opts, out)));
}

/** The commands that act on a library: sync, status, log, config, conflicts. */
function addLibraryCommands(program: Command): void {
  addInitCommand(program);

  passwordFlags(
    patternFlags(program.command('sync [dir]'))
      .description('sync the library containing DIR (default .) once')
      .addOption(bwlimitFlag())
      .addOption(retriesFlag())
      .addOption(stagingFlag())
      .addOption(dirOption())
      .option('-n, --dry-run', 'say what a sync would send, receive and delete, and change nothing (remote, folder, state)')
      .option('--confirm-deletions', 'publish deletions a sync holds back because most of the library is gone from this disk at once')
      .addOption(
        new Option('--stable-after <ms>', 'wait for files modified less than this long ago to stop changing (default 2000; SQLite databases are taken at once)').argParser(integer('--stable-after')),
      ),
  ).action(run((out, dir, opts) => syncCommand(oneDir(dir, opts), opts, out)));

  program
    .command('status [dir]')
    .description('what the library knows, and what changed here since the last sync (no remote request)')
    .addOption(dirOption())
    .action(run((out, dir, opts) => statusCommand(oneDir(dir, opts), out)));

  program
    .command('log [path]')
    .description('history of the library, or of a file or folder: when, who (person and machine) and what')
    .option('--author <text>', 'only versions whose person, machine or writer id contains this (any case)')
    .option('--since <when>', 'only versions made at or after this moment (as for ls --at)')
    .option('--until <when>', 'only versions made at or before this moment')
    .addOption(libraryDirOption())
    .action(run((out, path, opts) => logCommand(path, opts, out)));

  addConfigCommands(program);

  program
    .command('conflicts [dir]')
    .description('list conflict copies and how to resolve them')
    .addOption(dirOption())
    .action(run((out, dir, opts) => conflictsCommand(oneDir(dir, opts), out)));
}

/** `watch`: sync until stopped. */
function addWatchCommand(program: Command): void {
  passwordFlags(
    patternFlags(program.command('watch [dirs...]'))
      .addOption(bwlimitFlag())
      .description('keep libraries in sync until stopped: a round when a local change settles and every --interval seconds (Ctrl-C stops, exit 0)')
      .option('--interval <seconds>', 'how often to look at the remote when nothing changes here (default 60; 5 for a folder remote; 15 with a delta feed)', number('--interval'))
      .option('--settle <ms>', 'how long a local change must be quiet before it is taken (default 1000)', integer('--settle'))
      .addOption(retriesFlag())
      .addOption(stagingFlag())
      .addOption(dirsOption()),
  ).action(run((out, dirs, opts) => watchCommand(allDirs(dirs, opts), opts, out)));
}

/** `service install|uninstall|status`: watch from login on. */
function addServiceCommands(program: Command): void {
  const service = program.command('service').description('run `syncacross watch` over libraries from login on: a systemd user unit (Linux) or a launchd agent (macOS)');
  service
    .command('install [dirs...]')
    .description('write and start the service for these libraries (default: the one containing .)')
    .addOption(dirsOption())
    .action(run((out, dirs, opts) => serviceCommand('install', allDirs(dirs, opts), out)));
  service
    .command('uninstall [dirs...]')
    .description('stop and remove it')
    .addOption(dirsOption())
    .action(run((out, dirs, opts) => serviceCommand('uninstall', allDirs(dirs, opts), out)));
  service
    .command('status [dirs...]')
    .description('whether it is installed and running, and where its logs are')
    .addOption(dirsOption())
    .action(run((out, dirs, opts) => serviceCommand('status', allDirs(dirs, opts), out)));
}

/** The commands that look back: ls, restore and verify (log is with the library commands). */
function addHistoryCommands(program: Command): void {
  const when = 'an ISO date or time (2026-11-29T14:00), a span back from now (2h, "3 days ago") or a version id from `syncacross log`';
  program
    .command('ls [path]')
    .description('the files as they were at a moment (default now), from local state')
    .option('--at <when>', when)
    .option('--deleted', 'also list what had been deleted by then, with what it last held')
    .addOption(libraryDirOption())
    .action(run((out, path, opts) => lsCommand(path, opts, out)));

  const restore = program
    .command('restore [paths...]')
    .description('bring back files, folders or the whole library as they were at a moment: into another folder (--to) or into the library as new versions that sync (--in-place)')
    .option('--at <when>', `${when} (default now)`)
    .option('--to <dir>', 'write into this folder (new or empty, unless --overwrite)')
    .option('--in-place', 'restore into the library; files changed since the last sync are left alone and named')
    .option('--overwrite', 'with --to: replace files already in the folder')
    .option('-n, --dry-run', 'say what would be restored (and what is already so, or refused), and write nothing')
    .addOption(libraryDirOption())
    .option('-r, --remote <adapter:location>', 'no library here: read the repository straight from this remote (with --to)')
    .addOption(optionFlag())
    .addOption(bwlimitFlag())
    .addOption(retriesFlag());
  passwordFlags(restore).action(run((out, paths, opts) => restoreCommand(paths, opts, out)));

  const verify = program
    .command('verify [dir]')
    .description('check that the remote holds everything the library knows (changes nothing unless --repair); exit 8 names each problem and the files it affects')
    .option('--read-data [percent]', 'also download the packs (all, or this share chosen at random) and check every byte')
    .option('--seed <n>', 'with --read-data=PERCENT: choose the same packs as an earlier run', integer('--seed'))
    .option('--repair', 'upload again what this machine still holds of lost or damaged packs, then check again')
    .addOption(retriesFlag())
    .addOption(dirOption());
  passwordFlags(verify).action(run((out, dir, opts) => verifyCommand(oneDir(dir, opts), opts, out)));
}

/** The commands about remotes and sign-in, and the demo: adapters, auth, demo. */
function addRemoteCommands(program: Command): void {
  program
    .command('adapters [name]')
    .description("installed adapters; with NAME, that adapter's options (type, default, secret, what each does); with --probe, the declared and measured capabilities of a remote")
    .option('--probe', "probe a remote (writes and removes a few objects under probe/): the library's, or --remote")
    .option('-r, --remote <adapter:location>', 'the remote to probe instead of the library’s')
    .addOption(optionFlag())
    .option('-d, --dir <dir>', 'the library whose remote to probe (default: the current one)')
    .action(run((out, name, opts) => adaptersCommand(name, opts, out)));

  program
    .command('auth <adapter[:location]>')
    .description('authorize an adapter that needs a browser sign-in (gdrive, onedrive, dropbox); gdrive needs its folder (gdrive:NAME) to choose the scope')
    .addOption(optionFlag())
    .option('--device', 'sign in with a code entered on another device (the default where no browser can open, e.g. over SSH); Dropbox shows a code to paste instead')
    .option('--no-browser', 'print the sign-in address instead of opening a browser')
    .action(run((out, adapter, opts) => authCommand(adapter, opts, out)));

  program
    .command('demo [dir]')
    .description('two nodes sync a sample library through a local folder, with a conflict, in a few seconds')
    .action(run((out, dir) => demoCommand(dir, out)));
}

/** The `syncacross` command tree (commander), every command registered; `main` parses and runs it. */
export function buildProgram(): Command {
  const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  const program = new Command('syncacross')
    .description('Sync a folder (files and SQLite databases) across machines through storage you already have.')
    .version(version)
    .option('--json', 'print one machine-readable JSON object on stdout (see schema/json-output.schema.json)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('-v, --verbose', 'sync, watch, restore, verify: -v names what each file did; -vv also each storage request, on stderr (not with -q)', (_: unknown, level: number) => level + 1, 0)
    .addHelpText('after', `\n${EXIT_CODE_HELP}\n\nSecrets: set SYNCACROSS_<ADAPTER>_<OPTION> (e.g. SYNCACROSS_WEBDAV_PASSWORD) or -o password='\${env:NAME}'.`)
    .showHelpAfterError('(run syncacross --help for usage)')
    // Commander's own messages quote what was typed, which may be a secret.
    .configureOutput({ writeErr: (text) => process.stderr.write(redact(text)) })
    .exitOverride();

  addLibraryCommands(program);
  addWatchCommand(program);
  addServiceCommands(program);
  addHistoryCommands(program);
  addKeyCommands(program, run, passwordFlags);
  addNodeRulesCommands(program, run);
  addLifecycleCommands(program, run, passwordFlags, retriesFlag);
  addRemoteCommands(program);
  addNamedRemoteCommands(program, run, optionFlag);
  addCompletionCommand(program); // last: it reads the finished command tree
  return program;
}

/** Parses argv and runs; resolves to the exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (argv.includes('--json')) process.stdout.write(redact(JSON.stringify({ ok: false, error: { code: 'Usage', exitCode: EXIT.usage, message: e.message } })) + '\n');
      return EXIT.usage;
    }
    throw e;
  }
}
