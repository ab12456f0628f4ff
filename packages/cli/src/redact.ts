/**
 * Every line the CLI prints goes through `redact`, so a secret never reaches the terminal, logs
 * or --json, even when an adapter puts it in an error message (a URL with a token, say).
 */
const secrets = new Set<string>();

/** Registers a resolved secret value (very short values are not worth masking and would mangle output). */
export function addSecret(value: unknown): void {
  if (typeof value === 'string' && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}
