/**
 * What an adapter package exports (as `default`) so the CLI can load it by name, validate its
 * options and create a storage, with no change to syncacross. Built-in adapters and custom ones
 * follow the same shape.
 */
import type { Storage } from './contract.js';

/** The part of a zod schema (or any validator) the CLI uses: `safeParse`. */
export interface OptionsSchema<O> {
  safeParse(input: unknown): { success: true; data: O } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

export interface AdapterContext {
  /** Where credentials (refresh tokens) live: outside any library, files created 0600. */
  credentialsDir: string;
  /** Progress and diagnostics for a person; never pass secrets here. */
  log(message: string): void;
  signal?: AbortSignal;
}

export interface AuthContext extends AdapterContext {
  /** Shows the user a URL to open (and opens a browser where possible). */
  openUrl(url: string): void | Promise<void>;
  /** Asks the user for a line of input (device codes, pasted codes); absent when not interactive. */
  prompt?(question: string): Promise<string>;
  /**
   * How the user asked to sign in: 'device' (a code entered on another device, RFC 8628; where
   * the vendor has no such grant, a code to paste) or 'browser' (a redirect back to this machine).
   * Absent: the adapter chooses (its own option, else 'device' when `browser` is false).
   */
  flow?: 'browser' | 'device';
  /** False when no browser can be opened on this machine (an SSH session, no display). */
  browser?: boolean;
}

/** What an adapter package exports as its default, so the CLI can load it by name (`--remote name:…`). */
export interface AdapterModule<O = Record<string, unknown>> {
  /** The name used in `--remote name:location`. */
  name: string;
  /** One line for `syncacross adapters`. */
  description: string;
  /** Validates and fills in the options (`-o key=value`, the location, the environment). */
  optionsSchema: OptionsSchema<O>;
  /** Option names whose values are secrets: never printed, logged or put in --json output. */
  secretOptions: readonly string[];
  /** Turns the text after `name:` in `--remote` into options, e.g. `my-bucket/library` → {bucket, prefix}. */
  parseLocation(location: string): Record<string, unknown>;
  /** Makes the storage from parsed options. */
  create(options: O, context: AdapterContext): Promise<Storage>;
  /** Interactive authorization (OAuth), for `syncacross auth <name>`; stores tokens under credentialsDir. */
  auth?(options: O, context: AuthContext): Promise<void>;
}

/** Declares an adapter module with its options type checked; returns it unchanged. */
export function defineAdapter<O>(module: AdapterModule<O>): AdapterModule<O> {
  return module;
}
