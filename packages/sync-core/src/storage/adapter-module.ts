/**
 * What an adapter package exports (as `default`) so the CLI can load it by name, validate its
 * options and create a storage, with no change to syncacross. Built-in adapters and custom ones
 * follow the same shape.
 */
import type { Storage } from './contract.js';

/** The part of a zod schema (or any validator) the CLI uses: `safeParse`. */
export interface OptionsSchema<O> {
  /** Validates `input` and fills in defaults; never throws for bad input. */
  safeParse(input: unknown):
    | {
        /** The input is valid. */
        success: true;
        /** The options, checked and completed. */
        data: O;
      }
    | {
        /** The input is not valid. */
        success: false;
        /** Why. */
        error: {
          /** One entry per problem. */
          issues: ReadonlyArray<{
            /** Where in the input: the option's name (and deeper keys). */
            path: ReadonlyArray<PropertyKey>;
            /** What is wrong, for a person to read (the CLI prints it, so no secret values). */
            message: string;
          }>;
        };
      };
}

/** What the CLI gives an adapter's `create`: where credentials are kept, a log, a signal. */
export interface AdapterContext {
  /** Where credentials (refresh tokens) live: outside any library, files created 0600. */
  credentialsDir: string;
  /** Progress and diagnostics for a person; never pass secrets here. */
  log(message: string): void;
  /** Fires when the operation is cancelled (the CLI: Ctrl-C): stop waiting and give up. */
  signal?: AbortSignal;
}

/** What the CLI gives an adapter's `auth`: the context, plus ways to talk to the user. */
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
