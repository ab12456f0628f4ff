/**
 * `syncacross remote add|list|show|remove`: named remotes (named-remotes.ts). Nothing printed
 * here holds a secret: options hold only `${env:NAME}` references, and any other value of a
 * secret option is shown as `***`.
 */
import { loadAdapter } from '../adapter-loader.js';
import { usageError } from '../cli-error.js';
import { checkRemoteName, getNamedRemote, namedRemoteIn, readRemotes, remotesFile, writeRemotes, type NamedRemote } from '../named-remotes.js';
import type { Output } from '../output.js';
import { resolveRemoteSpec } from '../remote.js';
import { librariesUsing } from '../remote-target.js';
import { maskOptions } from '../secrets.js';
import { persistentOptions } from './init.js';

type Action = 'add' | 'list' | 'show' | 'remove';

/** A remote as printed and in --json: options masked, and the libraries here that use it. */
async function shown(name: string, entry: NamedRemote) {
  const secretOptions = await loadAdapter(entry.adapter, [process.cwd()]).then(
    (a) => a.module.secretOptions,
    () => Object.keys(entry.options), // not loadable: treat every option as secret
  );
  return { name, remote: entry.remote, adapter: entry.adapter, options: maskOptions({ secretOptions }, entry.options), libraries: await librariesUsing(name, entry) };
}

type Shown = Awaited<ReturnType<typeof shown>>;

function print(r: Shown, out: Output, detailed: boolean): void {
  if (!detailed) {
    out.info(`${r.name.padEnd(16)} ${r.remote}${r.libraries.length > 0 ? `   (${r.libraries.length} ${r.libraries.length === 1 ? 'library' : 'libraries'} here)` : ''}`);
    return;
  }
  out.info(`name         ${r.name}`);
  out.info(`remote       ${r.remote} (adapter ${r.adapter})`);
  out.info(`options      ${JSON.stringify(r.options)}`);
  out.info(`libraries    ${r.libraries.length > 0 ? r.libraries.join(', ') : '(none on this machine)'}`);
}

/** Stand-ins for `${env:NAME}` variables not set now, so `remote add` checks the options' shape anyway. */
function withStandIns(pairs: readonly string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const pair of pairs) for (const m of pair.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)) env[m[1]!] ??= 'unset-at-remote-add';
  return env;
}

export async function remoteAddCommand(name: string, spec: string, opts: { option?: string[]; replace?: boolean }, out: Output): Promise<number> {
  checkRemoteName(name);
  const remotes = await readRemotes();
  const existing = Object.hasOwn(remotes.remotes, name) ? remotes.remotes[name] : undefined;
  if (existing && !opts.replace) {
    throw usageError('RemoteExists', `a remote named ${name} exists (${existing.remote}): to change it for every library that uses it, run the same with --replace`);
  }
  if (!spec.includes(':') || namedRemoteIn(spec, remotes) !== undefined) {
    throw usageError('BadRemote', `remote add ${name} ${spec}: expected <adapter>:<location>, e.g. fs:/mnt/nas/library or s3:my-bucket/library`);
  }
  const { adapter, stored } = await resolveRemoteSpec(spec, opts.option ?? [], [process.cwd()], withStandIns(opts.option ?? []));
  remotes.remotes[name] = { remote: spec, adapter: adapter.specifier, options: persistentOptions(adapter.module.name, stored), libraries: existing?.libraries ?? [] };
  await writeRemotes(remotes);
  const r = await shown(name, remotes.remotes[name]);
  out.info(
    `${existing ? 'Changed' : 'Added'} remote ${name}: ${spec}, in ${remotesFile()}.${r.libraries.length > 0 ? ` ${r.libraries.length} libraries here use it from their next command.` : ` Use it with: syncacross init DIR --remote ${name}`}`,
  );
  out.result({ command: 'remote', action: 'add', remotes: [r] });
  return 0;
}

export async function remoteListCommand(action: Extract<Action, 'list' | 'show'>, name: string | undefined, out: Output): Promise<number> {
  const remotes = await readRemotes();
  const names = name !== undefined ? [name] : Object.keys(remotes.remotes).sort();
  const result: Shown[] = [];
  for (const n of names) result.push(await shown(n, getNamedRemote(n, remotes)));
  if (result.length === 0) out.info(`no named remotes yet: add one with syncacross remote add NAME <adapter>:<location>`);
  for (const r of result) print(r, out, action === 'show');
  out.result({ command: 'remote', action, remotes: result });
  return 0;
}

export async function remoteRemoveCommand(name: string, opts: { force?: boolean }, out: Output): Promise<number> {
  const remotes = await readRemotes();
  const r = await shown(name, getNamedRemote(name, remotes));
  const consequence = `they stop with exit 2, naming it, until a remote named ${name} is added again (syncacross remote add ${name} <adapter>:<location>)`;
  if (r.libraries.length > 0 && !opts.force) {
    throw usageError('RemoteInUse', `remote ${name} is used by ${r.libraries.join(', ')}: removed, ${consequence}. Nothing was changed; to remove it anyway: syncacross remote remove ${name} --force`);
  }
  delete remotes.remotes[name];
  await writeRemotes(remotes);
  out.info(`Removed remote ${name} (${r.remote}); nothing on the remote itself was touched.`);
  if (r.libraries.length > 0) out.warn(`syncacross: ${r.libraries.join(', ')} used it: ${consequence}`);
  out.result({ command: 'remote', action: 'remove', remotes: [r] });
  return 0;
}
