/**
 * `--json` prints one object per command that matches schema/json-output.schema.json, the file
 * scripts are told to read. The file is generated from src/json-output.ts and must not drift.
 * Regenerate it with: SYNCACROSS_UPDATE_SCHEMA=1 npx vitest run packages/cli/test/json-output.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOutputSchemaDocument } from '../src/json-output.js';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

const SCHEMA_FILE = fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url));
const generated = JSON.stringify(jsonOutputSchemaDocument(), null, 2) + '\n';
if (process.env.SYNCACROSS_UPDATE_SCHEMA) writeFileSync(SCHEMA_FILE, generated);
const published = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $defs: Record<string, object> };

function expectMatches(def: string, value: unknown) {
  expect(checkJsonSchema(published.$defs[def]!, value)).toEqual([]);
}

let dir: string;
beforeAll(async () => {
  const base = await tempDir();
  dir = join(base, 'lib');
  await writeFiles(dir, { 'a.md': 'a\n', 'b/c.md': 'c\n' });
});
afterAll(cleanup);

describe('the published JSON schema', () => {
  it('is what src/json-output.ts generates', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(generated);
  });

  it('the checker rejects what the schema forbids (so passing means something)', () => {
    expect(checkJsonSchema(published.$defs.error!, { ok: false, error: { code: 'X', exitCode: 2, message: 'm' } })).toEqual([]);
    expect(checkJsonSchema(published.$defs.error!, { ok: false, error: { code: 'X', exitCode: 2, message: 'm' }, password: 'p' })).not.toEqual([]);
    expect(checkJsonSchema(published.$defs.error!, { ok: false, error: { code: 'X', exitCode: 'two', message: 'm' } })).not.toEqual([]);
    expect(checkJsonSchema(published.$defs.sync!, { ok: true, command: 'sync' })).not.toEqual([]);
    const entry = { path: 'a', kind: 'file', size: 1, mtime: 't', time: 't', writer: 'w', version: 'v' };
    const ls = { ok: true, command: 'ls', library: '/l', path: '', at: 't', entries: [entry] };
    expect(checkJsonSchema(published.$defs.ls!, ls)).toEqual([]);
    expect(checkJsonSchema(published.$defs.ls!, { ...ls, entries: [{ ...entry, kind: 'symlink' }] })).not.toEqual([]);
  });

  it('describes every field: the schema is the reference scripts read (no zod .describe(), no entry)', () => {
    expect(undescribedFields(published as unknown as SchemaNode)).toEqual([]);
    // And the walk finds one: a field without a description is named.
    expect(undescribedFields({ properties: { ok: { description: 'x' }, nested: { description: 'y', items: { properties: { bare: {} } } } } })).toEqual(['nested[].bare']);
  });
});

interface SchemaNode {
  properties?: Record<string, SchemaNode & { description?: string }>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  additionalProperties?: SchemaNode | boolean;
  $defs?: Record<string, SchemaNode>;
}

/** The path of every property in `node` (nested objects, arrays and unions too) that has no description. */
function undescribedFields(node: SchemaNode, path = ''): string[] {
  const out: string[] = [];
  for (const [name, def] of Object.entries(node.$defs ?? {})) out.push(...undescribedFields(def, name));
  for (const [name, prop] of Object.entries(node.properties ?? {})) {
    const at = path ? `${path}.${name}` : name;
    if (!prop.description) out.push(at);
    out.push(...undescribedFields(prop, at));
  }
  if (node.items) out.push(...undescribedFields(node.items, `${path}[]`));
  for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) out.push(...undescribedFields(alt, path));
  if (typeof node.additionalProperties === 'object') out.push(...undescribedFields(node.additionalProperties, `${path}{}`));
  return out;
}

describe('every command’s --json output matches it', () => {
  it('init, sync, status, log, conflicts, adapters, and an error', async () => {
    const remote = join(dir, '..', 'remote');
    const init = await runJson(['init', dir, '--remote', `fs:${remote}`, '-o', 'createRoot=true']);
    expectMatches('init', init.json);
    const sync = await runJson(['sync', dir, ...FAST]);
    expect(sync.code).toBe(0);
    expectMatches('sync', sync.json);
    expectMatches('status', (await runJson(['status', dir])).json);
    expectMatches('log', (await runJson(['log', '-d', dir])).json);
    expectMatches('log', (await runJson(['log', '-d', dir, 'b/c.md'])).json);
    expectMatches('conflicts', (await runJson(['conflicts', dir])).json);
    const adapters = await runJson(['adapters', '--probe', '-d', dir]);
    expect(adapters.code, adapters.stderr).toBe(0);
    expectMatches('adapters', adapters.json);
    const failed = await runJson(['sync', join(dir, '..')]);
    expect(failed.code).toBe(2);
    expectMatches('error', failed.json);
  });

  it('adapters NAME and remote add, list, show, remove', async () => {
    expectMatches('adapters', (await runJson(['adapters', 's3'])).json);
    const added = await runJson(['remote', 'add', 'json-nas', `fs:${dir}/../remote`]);
    expect(added.code, added.stderr).toBe(0);
    expectMatches('remote', added.json);
    for (const action of [['list'], ['show', 'json-nas'], ['remove', 'json-nas']]) expectMatches('remote', (await runJson(['remote', ...action])).json);
  });

  it('nothing but the one object reaches stdout, even with progress and warnings', async () => {
    const r = await run(['--json', 'sync', dir, ...FAST]);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });
});
