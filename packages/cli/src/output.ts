/**
 * Where the CLI writes. Human results go to stdout, diagnostics and progress to stderr. With
 * --json, stdout carries exactly one JSON object (the command's summary, or `{ok:false,error}`).
 * Every write is redacted (see redact.ts), and every human line made safe for a terminal
 * (terminal-text.ts).
 */
import type { CliError } from './cli-error.js';
import { jsonPieces } from './json-pieces.js';
import { redact } from './redact.js';
import { terminalSafe } from './terminal-text.js';

/** How much of a long --json result is written at once (characters). */
const WRITE_CHARS = 64 * 1024;

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  /** -v: 1 names what each file did; -vv: 2 also traces each storage request (on stderr). */
  verbose?: number;
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: number;
  /** Progress bars only on a terminal, and never mixed into --json. */
  readonly interactive: boolean;

  constructor(
    options: OutputOptions,
    readonly stdout: NodeJS.WriteStream = process.stdout,
    readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? 0;
    this.interactive = !this.json && !this.quiet && stderr.isTTY === true;
  }

  /** A line of human output (suppressed under --json and --quiet). */
  info(line = ''): void {
    if (!this.json && !this.quiet) this.stdout.write(terminalSafe(redact(line)) + '\n');
  }

  /** A diagnostic: always on stderr, so it never corrupts --json. */
  warn(line: string): void {
    this.stderr.write(terminalSafe(redact(line)) + '\n');
  }

  /** Progress lines for logs and pipes (not under --json or --quiet). */
  progressLine(line: string): void {
    if (!this.json && !this.quiet) this.stderr.write(terminalSafe(redact(line)) + '\n');
  }

  /**
   * The command's machine-readable result (only under --json), redacted in pieces (json-pieces.ts)
   * and written WRITE_CHARS characters at a time: one write for an ordinary summary, as before.
   */
  result(value: object): void {
    if (!this.json) return;
    let pending = '';
    for (const piece of jsonPieces({ ok: true, ...value })) {
      pending += redact(piece);
      if (pending.length < WRITE_CHARS) continue;
      this.stdout.write(pending);
      pending = '';
    }
    this.stdout.write(pending + '\n');
  }

  failure(error: CliError): void {
    this.warn(`syncacross: ${error.message}`);
    if (this.json) this.stdout.write(redact(JSON.stringify({ ok: false, error: { code: error.code, exitCode: error.exitCode, message: error.message } })) + '\n');
  }
}

/** `1 file`, `2 files`. */
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`; // a rate in B/s is fractional
}
