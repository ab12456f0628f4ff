/**
 * An argument whose bytes are not valid UTF-8 (a folder named on an old Latin-1 system: `lib\xe9`)
 * reaches Node decoded, every invalid byte a U+FFFD, and that string names another path: `init`
 * made a new, empty folder of that name beside the user's, and every later `sync` synced it while
 * the user's folder stayed out of sync, silently. The command refuses such an argument instead,
 * naming its bytes. Only Linux passes arguments as raw bytes (macOS names are UTF-8, Windows'
 * UTF-16); there `/proc/self/cmdline` still holds them, and it is read only when an argument holds
 * U+FFFD, which one typed on purpose nearly never does (and is then let through: its bytes are UTF-8).
 */
import { readFileSync } from 'node:fs';
import { isUtf8, spelledBytes } from '@syncacross/sync-core';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { Output } from './output.js';

/** This process's command line as the kernel holds it (NUL after each argument), where it can be read. */
function ownCommandLine(): Buffer | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return readFileSync('/proc/self/cmdline');
  } catch {
    return undefined;
  }
}

/**
 * The first of the command's arguments (`argv` after node and the script) whose bytes are not valid
 * UTF-8, spelled out (`\xNN`); undefined when there is none, or it cannot be told.
 */
export function undecodableArgument(argv: readonly string[], commandLine: () => Buffer | undefined = ownCommandLine): string | undefined {
  const args = argv.slice(2);
  if (!args.some((a) => a.includes('\uFFFD'))) return undefined;
  const raw = commandLine();
  if (!raw) return undefined;
  const pieces: Buffer[] = [];
  for (let start = 0; start < raw.length;) {
    const end = raw.indexOf(0, start);
    pieces.push(raw.subarray(start, end === -1 ? raw.length : end));
    start = end === -1 ? raw.length : end + 1;
  }
  // The command's own arguments are the last ones: node's options and the script come before them.
  const undecodable = pieces.slice(-args.length).find((piece) => !isUtf8(piece));
  return undecodable && shown(undecodable);
}

/**
 * An argument as the message shows it: a `key=value` one (`-o password=…`) only up to its `=`,
 * since the value may be a secret and nothing is registered yet for redaction to mask.
 */
function shown(piece: Buffer): string {
  const equals = piece.indexOf(0x3d);
  return equals === -1 ? spelledBytes(piece) : `${spelledBytes(piece.subarray(0, equals + 1))}…`;
}

/** Says so and returns true when an argument is not valid UTF-8 (exit code 2: nothing was done). */
export function refusedUndecodableArgument(argv: readonly string[]): boolean {
  const bytes = undecodableArgument(argv);
  if (bytes === undefined) return false;
  const message = `an argument is not valid UTF-8 (its bytes: ${bytes}): syncacross reads paths and names as UTF-8 and would take this one for another. Nothing was done; rename it to a UTF-8 name.`;
  new Output({ json: argv.includes('--json') }).failure(new CliError(EXIT.usage, message, 'ArgumentNotUtf8'));
  return true;
}
