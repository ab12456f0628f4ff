/**
 * Validates an adapter's options against its zod schema once, at creation. A failure is
 * `StorageError('InvalidConfig')` whose message names every bad field
 * (`s3: invalid options: bucket: Too small…; endpoint: Invalid URL`), so the user can fix them
 * all at once. The message never holds an option's value: zod's messages do not quote inputs, and
 * in case a custom message does, any string value found in it is replaced by `<redacted>` (a
 * misplaced password must not reach a terminal or a log).
 */
import type { z } from 'zod';
import { StorageError } from '../storage/errors.js';

/** The parsed options, or InvalidConfig naming each problem; `adapter` prefixes the message. */
export function parseOptions<S extends z.ZodType>(adapter: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const values = stringValues(input);
  const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(options)'}: ${redact(issue.message, values)}`);
  throw new StorageError('InvalidConfig', `${adapter}: invalid options: ${problems.join('; ')}`);
}

/** Every string in the options (nested ones too: headers, arrays), longest first. */
function stringValues(input: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof input === 'string') out.push(input);
  else if (input !== null && typeof input === 'object' && depth < 4) for (const v of Object.values(input)) stringValues(v, out, depth + 1);
  return out.sort((a, b) => b.length - a.length);
}

function redact(message: string, values: string[]): string {
  // Values of one or two characters would redact ordinary words; they hide nothing anyway.
  return values.reduce((text, v) => (v.length > 2 ? text.split(v).join('<redacted>') : text), message);
}
