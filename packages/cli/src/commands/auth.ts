/**
 * `syncacross auth <adapter>[:location] [-o key=value…]`: interactive authorization (OAuth) for
 * adapters that need it; tokens are stored by the adapter under the credentials folder
 * ($SYNCACROSS_CONFIG_DIR, $XDG_CONFIG_HOME/syncacross or ~/.config/syncacross).
 *
 * How to sign in, decided here for every adapter alike:
 * - `--device`: the device authorization grant (RFC 8628: a code to enter on any device; Dropbox,
 *   which has none, shows a code to paste back);
 * - `--no-browser`: the browser flow, but the address is only printed (open it yourself, e.g.
 *   through an SSH port forward);
 * - neither: on a desktop the browser opens (and the address is printed too); where no browser can
 *   be opened (SSH, no display) the adapter uses the device flow, since a redirect to this
 *   machine's loopback address could not come back from another one.
 */
import { createInterface } from 'node:readline/promises';
import type { AuthContext } from '@syncacross/sync-core';
import { CliError, usageError } from '../cli-error.js';
import { loadAdapter } from '../adapter-loader.js';
import type { Output } from '../output.js';
import { credentialsDir, validateOptions } from '../remote.js';
import { canOpenBrowser, openInBrowser } from '../browser.js';
import { withInterrupt } from '../interrupt.js';
import { parseOptionPairs } from '../remote-spec.js';
import { existingNamedRemote } from '../remote-target.js';
import { rejectLiteralSecrets, resolveSecrets } from '../secrets.js';

export async function authCommand(target: string, opts: AuthFlags, out: Output): Promise<number> {
  const named = await existingNamedRemote(target); // `auth nas`: the named remote's adapter and options
  const colon = target.indexOf(':', target.startsWith('file://') ? 7 : 0);
  const name = colon > 0 ? target.slice(0, colon) : target;
  const adapter = await loadAdapter(named?.adapter ?? name, [process.cwd()]);
  const { auth } = adapter.module;
  if (typeof auth !== 'function')
    throw usageError('NoInteractiveAuth', `the ${adapter.module.name} adapter needs no \`syncacross auth\`: give its credentials as options or environment variables (see \`syncacross adapters\`)`);
  const fromLocation = named ? named.options : colon > 0 ? adapter.module.parseLocation(target.slice(colon + 1)) : {};
  const given = parseOptionPairs(opts.option ?? []);
  // As with init: a literal secret typed here would stay in the shell history.
  rejectLiteralSecrets(adapter.module, given);
  let options: unknown;
  try {
    options = validateOptions(adapter.module, resolveSecrets(adapter.module, { ...fromLocation, ...given }));
  } catch (e) {
    // gdrive chooses the permission it asks for from the folder: it needs the location too.
    if (colon > 0 || !(e instanceof CliError) || e.code !== 'BadOption') throw e;
    throw usageError('BadOption', `${e.message}. Give the location as in init's --remote: syncacross auth ${name}:<location>`);
  }
  const ctx = authContext(opts, out);
  await withInterrupt('auth', (signal) => auth.call(adapter.module, options, { ...ctx, signal }));
  out.info(`authorized ${adapter.module.name}; credentials are stored under ${ctx.credentialsDir}`);
  out.result({ command: 'auth', adapter: adapter.module.name, credentialsDir: ctx.credentialsDir });
  return 0;
}

export interface AuthFlags {
  option?: string[];
  device?: boolean;
  /** Commander's `--no-browser`: false when given. */
  browser?: boolean;
}

/** What the adapter may use to talk to the person signing in; no secret goes through it. */
function authContext(opts: AuthFlags, out: Output): AuthContext {
  const interactive = process.stdin.isTTY === true;
  const browser = opts.browser !== false && canOpenBrowser();
  const flow = opts.device ? 'device' : opts.browser === false ? 'browser' : undefined;
  return {
    credentialsDir: credentialsDir(),
    log: (line) => out.warn(line),
    flow,
    browser,
    openUrl: async (url) => {
      out.warn(`Open this address in a browser to authorize syncacross:\n  ${url}`);
      if (browser) await openInBrowser(url, out);
    },
    ...(interactive
      ? {
          prompt: async (question: string) => {
            const rl = createInterface({ input: process.stdin, output: process.stderr });
            try {
              return await rl.question(question);
            } finally {
              rl.close();
            }
          },
        }
      : {}),
  };
}
