/**
 * `syncacross adapters [NAME] [--probe] [--remote A:LOC -o k=v… | -d DIR]`: the installed adapters
 * (built-in, and `syncacross-adapter-*` packages found in node_modules), and with --probe the
 * declared and measured capabilities of one remote; with NAME, that adapter's options.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { probeCapabilities, type ProbeReport, type Storage } from '@syncacross/sync-core';
import { BUILTIN_ADAPTERS, loadAdapter } from '../adapter-loader.js';
import { usageError } from '../cli-error.js';
import { toCliError } from '../exit-codes.js';
import { describeAdapterOptions } from './adapter-detail.js';
import { findLibraryRoot } from '../config.js';
import type { Output } from '../output.js';
import { adapterContext, openRemote } from '../remote.js';
import { readEffectiveConfig, resolveRemoteArg } from '../remote-target.js';

export interface AdaptersOptions {
  probe?: boolean;
  remote?: string;
  option?: string[];
  dir?: string;
}

/** Package names matching `syncacross-adapter-*` in every node_modules above `from`. */
function discoverInstalled(from: string): string[] {
  const found = new Set<string>();
  let dir = resolve(from);
  for (;;) {
    const nm = join(dir, 'node_modules');
    if (existsSync(nm)) {
      for (const entry of readdirSync(nm)) {
        if (entry.startsWith('syncacross-adapter-')) found.add(entry);
        if (entry.startsWith('@') && !entry.startsWith('@syncacross')) {
          for (const sub of readdirSync(join(nm, entry))) if (sub.startsWith('syncacross-adapter-')) found.add(`${entry}/${sub}`);
        }
      }
    }
    if (dirname(dir) === dir) return [...found].sort();
    dir = dirname(dir);
  }
}

async function describeAdapter(name: string, builtin: boolean, searchFrom: string[]) {
  try {
    const a = await loadAdapter(name, searchFrom);
    return {
      name: a.module.name,
      source: a.source,
      builtin,
      loaded: true,
      description: a.module.description,
      secretOptions: [...a.module.secretOptions],
      interactiveAuth: typeof a.module.auth === 'function',
    };
  } catch (e) {
    return { name, source: BUILTIN_ADAPTERS[name] ?? name, builtin, loaded: false, error: toCliError(e).message };
  }
}

async function storageToProbe(opts: AdaptersOptions, out: Output): Promise<Storage> {
  const ctx = adapterContext((line) => out.warn(line));
  if (opts.remote) {
    const { adapter, options } = await resolveRemoteArg(opts.remote, opts.option ?? [], [process.cwd()]);
    return adapter.module.create(options, ctx);
  }
  const root = findLibraryRoot(opts.dir ?? '.');
  return (await openRemote(await readEffectiveConfig(root), root, ctx)).storage;
}

/** What the probe measured for a declared capability (undefined: the probe does not test it). */
function measuredFor(report: ProbeReport, capability: string): boolean | undefined {
  const m = report.measured;
  if (capability === 'atomicCreate') return m.preconditionsHonored && m.racingCreateSafe;
  if (capability === 'consistentListing') return m.listedAtOnce;
  if (capability === 'compareAndSwap') return m.compareAndSwapHonored;
  return undefined;
}

/** As the docs say: what the adapter declares, what the probe measured, and what the engine uses (both). */
function printProbe(report: ProbeReport, storage: string, out: Output): void {
  out.info(`\ncapabilities of ${storage} (declared by the adapter, measured by this probe, used by the engine):`);
  out.info(`  ${'capability'.padEnd(22)} ${'declared'.padEnd(10)} ${'measured'.padEnd(14)} used`);
  for (const [k, v] of Object.entries(report.declared)) {
    const used = report.effective[k as keyof typeof report.effective];
    const measured = measuredFor(report, k);
    out.info(
      `  ${k.padEnd(22)} ${String(v).padEnd(10)} ${(measured === undefined ? '(not probed)' : String(measured)).padEnd(14)} ${used}${used !== v ? '   (declared but not measured: not used)' : ''}`,
    );
  }
  for (const n of report.notes) out.info(`  note: ${n}`);
}

export async function adaptersCommand(name: string | undefined, opts: AdaptersOptions, out: Output): Promise<number> {
  const searchFrom = [...new Set([process.cwd(), ...(opts.dir ? [resolve(opts.dir)] : [])])];
  if (name !== undefined) {
    if (opts.probe) throw usageError('BadOption', `adapters ${name} lists the adapter's options; to probe a remote: syncacross adapters --probe --remote ${name}:<location>`);
    out.result({ command: 'adapters', adapters: [await describeAdapterOptions(name, searchFrom, out)] });
    return 0;
  }
  const adapters = [];
  for (const name of Object.keys(BUILTIN_ADAPTERS)) adapters.push(await describeAdapter(name, true, searchFrom));
  for (const pkg of searchFrom.flatMap(discoverInstalled)) adapters.push(await describeAdapter(pkg, false, searchFrom));

  for (const a of adapters) {
    const status = a.loaded ? `${a.description ?? ''}${a.interactiveAuth ? ' [syncacross auth ' + a.name + ']' : ''}` : `NOT LOADABLE: ${a.error}`;
    out.info(`${a.name.padEnd(10)} ${status}`);
    out.info(`${''.padEnd(10)} from ${a.source}${a.secretOptions?.length ? `; secrets: ${a.secretOptions.join(', ')}` : ''}`);
  }

  let probe;
  if (opts.probe) {
    const storage = await storageToProbe(opts, out);
    try {
      const report = await probeCapabilities(storage);
      printProbe(report, storage.name, out);
      probe = { storage: storage.name, declared: { ...report.declared }, effective: { ...report.effective }, measured: { ...report.measured }, notes: report.notes };
    } finally {
      await storage.close?.();
    }
  }
  out.result({ command: 'adapters', adapters, ...(probe ? { probe } : {}) });
  return 0;
}
