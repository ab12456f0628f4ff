/**
 * Command-line options for the emulators' entry points (`emulator/main.js` in each adapter):
 * `--help` prints what the options are, and a mistyped option is a one-line usage error with
 * exit 2, never a Node stack trace (every emulator used to crash on `--help`).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What an emulator's command line accepts, for `parseEmulatorArgs`. */
export interface EmulatorCommand<O extends Options> {
  /** The first line of --help: what this serves, and how to point an adapter at it. */
  summary: string;
  /** The options, as `node:util` `parseArgs` takes them (type, default, multiple). */
  options: O;
  /** One phrase per option, shown after its name. */
  describe: { [K in keyof O]: string };
  /** The arguments to parse (default `process.argv.slice(2)`). */
  argv?: string[];
}

/**
 * Parses an emulator's command line: the options' values. `--help` (or `-h`) prints the usage and
 * exits 0; an unknown option, a positional argument or a missing value prints the error and the
 * usage to stderr and exits 2.
 */
export function parseEmulatorArgs<O extends Options>(command: EmulatorCommand<O>): ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>['values'] {
  const usage = () => {
    const lines = Object.entries(command.options).map(([name, o]) => {
      const value = o.type === 'string' ? ` ${name.toUpperCase().replace(/-/g, '_')}` : '';
      const fallback = o.default === undefined ? '' : ` (default: ${Array.isArray(o.default) ? o.default.join(', ') : String(o.default)})`;
      return `  --${name}${value}${o.multiple ? ' (repeatable)' : ''}: ${command.describe[name as keyof O]}${fallback}`;
    });
    return `${command.summary}\n\nOptions:\n${lines.join('\n')}\n  --help: this text\n`;
  };
  const argv = command.argv ?? process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage());
    process.exit(0);
  }
  try {
    return parseArgs({ args: argv, options: command.options, strict: true, allowPositionals: false }).values as never;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${usage()}`);
    process.exit(2);
  }
}
