/** Parsing of `--remote <adapter>:<location>` and `-o key=value` pairs. */
import { usageError } from './cli-error.js';

export interface RemoteSpec {
  adapter: string;
  location: string;
}

/**
 * Splits at the first colon, except inside a `file:` URL naming a module
 * (`file:///opt/my-adapter.mjs:/data`), so custom adapters given as URLs work too.
 */
export function parseRemoteSpec(spec: string): RemoteSpec {
  const from = spec.startsWith('file://') ? 'file://'.length : 0;
  const colon = spec.indexOf(':', from);
  if (colon <= 0) {
    throw usageError('BadRemote', `--remote ${JSON.stringify(spec)}: expected <adapter>:<location>, e.g. fs:/mnt/nas/library or s3:my-bucket/library`);
  }
  return { adapter: spec.slice(0, colon), location: spec.slice(colon + 1) };
}

/** Numbers and booleans become JSON values; everything else stays a string (quote to force a string: -o port='"80"'). */
function parseValue(text: string): unknown {
  if (/^(true|false|null|-?\d+(\.\d+)?)$/.test(text) || /^".*"$/.test(text)) return JSON.parse(text);
  return text;
}

export function parseOptionPairs(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError('BadOption', `-o ${JSON.stringify(pair)}: expected key=value`);
    out[pair.slice(0, eq)] = parseValue(pair.slice(eq + 1));
  }
  return out;
}
