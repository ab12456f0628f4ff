/**
 * `syncacross adapters NAME`: one adapter's options, read from its own option schema (see
 * adapter-options.ts): type, default, required, secret (and its environment variable) and the
 * adapter's description of each.
 */
import { adapterOptions, type AdapterOptionInfo } from '../adapter-options.js';
import { BUILTIN_ADAPTERS, loadAdapter } from '../adapter-loader.js';
import type { Output } from '../output.js';

function optionHeading(o: AdapterOptionInfo): string {
  const facts = [o.type];
  if (o.required) facts.push('required');
  if (o.default !== undefined) facts.push(`default ${JSON.stringify(o.default)}`);
  if (o.secret) facts.push(`secret: from ${o.env}, or -o ${o.name}='\${env:NAME}'`);
  return `  ${o.name} (${facts.join('; ')})`;
}

/** Prints the adapter's options; the result is the adapters entry for --json. */
export async function describeAdapterOptions(name: string, searchFrom: string[], out: Output) {
  const adapter = await loadAdapter(name, searchFrom);
  const { module } = adapter;
  const options = adapterOptions(module);
  out.info(`${module.name}: ${module.description}`);
  out.info(`from ${adapter.source}${typeof module.auth === 'function' ? `; sign in with: syncacross auth ${module.name}` : ''}`);
  if (options === undefined) {
    out.info('its option schema is not a zod schema: see the adapter’s own documentation for its options');
  } else {
    out.info(`options (set with -o name=value; the location after "${module.name}:" fills some of them):`);
    for (const o of options) {
      out.info(optionHeading(o));
      if (o.description) out.info(`      ${o.description}`);
    }
  }
  return {
    name: module.name,
    source: adapter.source,
    builtin: BUILTIN_ADAPTERS[name] !== undefined,
    loaded: true,
    description: module.description,
    secretOptions: [...module.secretOptions],
    interactiveAuth: typeof module.auth === 'function',
    ...(options ? { options } : {}),
  };
}
