/**
 * A small JSON Schema checker for the keywords schema/json-output.schema.json uses, so tests
 * validate outputs against the published FILE (not only against the zod schemas it comes from).
 * Unknown keywords fail loudly rather than pass silently.
 */
type Schema = Record<string, any>;

const KNOWN = new Set(['type', 'properties', 'required', 'additionalProperties', 'anyOf', 'const', 'enum', 'items', 'minimum', 'maximum', 'propertyNames', 'description', 'title', '$schema']);

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'null':
      return v === null;
    default:
      return typeof v === type;
  }
}

export function checkJsonSchema(schema: Schema, value: unknown, path = '$'): string[] {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) return [`${path}: schema keyword ${k} is not supported by this checker`];
  const errors: string[] = [];
  if (schema.anyOf) {
    const branches = (schema.anyOf as Schema[]).map((s) => checkJsonSchema(s, value, path));
    if (!branches.some((b) => b.length === 0)) errors.push(`${path}: matches no branch of anyOf (${branches.map((b) => b[0]).join(' | ')})`);
  }
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeOk(t, value))) return [...errors, `${path}: expected ${types.join('|')}, got ${JSON.stringify(value)}`];
  }
  if ('const' in schema && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !(schema.enum as unknown[]).includes(value)) errors.push(`${path}: expected one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...checkJsonSchema(schema.items, v, `${path}[${i}]`)));
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) errors.push(`${path}: missing ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k];
      if (sub) errors.push(...checkJsonSchema(sub, v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...checkJsonSchema(schema.additionalProperties, v, `${path}.${k}`));
      if (schema.propertyNames) errors.push(...checkJsonSchema(schema.propertyNames, k, `${path}{${k}}`));
    }
  }
  return errors;
}
