/**
 * What an adapter's options are, read from its own option schema (never a hand-kept table, so it
 * cannot drift): name, type, default, whether it is required or secret (and the environment
 * variable a secret may come from), and the `.describe()` text. Adapters declare options with
 * zod 4; a custom adapter with another validator (the contract asks only for `safeParse`) has
 * no description to read, and callers say so.
 */
import type { AdapterModule } from '@syncacross/sync-core';
import { z } from '@syncacross/sync-core';
import { envNameFor } from './secrets.js';

export interface AdapterOptionInfo {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  secret: boolean;
  /** For a secret: the variable read when the option is absent. */
  env?: string;
  description?: string;
}

interface JsonSchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  default?: unknown;
  description?: string;
  anyOf?: JsonSchemaNode[];
  items?: JsonSchemaNode;
  additionalProperties?: JsonSchemaNode | boolean;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
}

/** A short type for a person: `string`, `integer`, `boolean`, `auto|link|rename`, `url`, `map of string`… */
function typeName(node: JsonSchemaNode): string {
  if (node.enum) return node.enum.map(String).join('|');
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.anyOf) return [...new Set(node.anyOf.map(typeName))].join('|');
  if (node.format === 'uri') return 'url';
  if (node.type === 'array') return `list of ${node.items ? typeName(node.items) : 'values'}`;
  if (node.type === 'object') return typeof node.additionalProperties === 'object' ? `map of ${typeName(node.additionalProperties)}` : 'object';
  return Array.isArray(node.type) ? node.type.join('|') : (node.type ?? 'any');
}

/** The JSON Schema of a zod 4 schema's input side, or undefined for any other validator. */
function inputJsonSchema(schema: unknown): JsonSchemaNode | undefined {
  if (typeof schema !== 'object' || schema === null || !('_zod' in schema)) return undefined;
  try {
    return z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  } catch {
    return undefined;
  }
}

/** The adapter's options in declaration order, or undefined when its schema cannot be read. */
export function adapterOptions(module: Pick<AdapterModule<unknown>, 'name' | 'optionsSchema' | 'secretOptions'>): AdapterOptionInfo[] | undefined {
  const json = inputJsonSchema(module.optionsSchema);
  if (!json?.properties) return undefined;
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties).map(([name, node]) => {
    const secret = module.secretOptions.includes(name);
    return {
      name,
      type: typeName(node),
      required: required.has(name) && node.default === undefined,
      ...(node.default !== undefined ? { default: node.default } : {}),
      secret,
      ...(secret ? { env: envNameFor(module.name, name) } : {}),
      ...(node.description ? { description: node.description } : {}),
    };
  });
}
