/** A state database written by an earlier release (raw meta strings) reads the same through the typed round state. */
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { LocalState } from '../../src/local/state.js';
import { cleanup, tempDir } from './helpers.js';

afterEach(cleanup);

let path = '';
async function openState(): Promise<LocalState> {
  path = join(await tempDir('syncacross-state-'), 'state.db');
  return new LocalState(path);
}

/** The `meta` table as an earlier release's code wrote and read it: raw rows, through a second connection. */
function setRawMeta(k: string, v: string): void {
  const db = new Database(path);
  db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v').run(k, v);
  db.close();
}
function rawMeta(k: string): string | undefined {
  const db = new Database(path, { readonly: true });
  const row = db.prepare('SELECT v FROM meta WHERE k = ?').get(k) as { v: string } | undefined;
  db.close();
  return row?.v;
}

describe('the round state keeps the meta table as it was', () => {
  it('reads the strings earlier releases stored', async () => {
    const state = await openState();
    const raw: Record<string, string> = {
      repo: 'r1',
      node: 'laptop-ab12',
      writer: 'laptop-ab12.0011aa22',
      seq: '7',
      lastSegment: 'log/w/0000000007-0123456789abcdef',
      retired: '["laptop-ab12.ffff0000"]',
      repoIds: '["r1","r0"]',
      hlc: '1700000000123',
      lastSync: '2026-01-02T03:04:05.000Z',
      checkPacks: '1',
      verifyPacks: '["packs/a"]',
      announceLost: '["packs/b","packs/c"]',
      resupply: '0',
      materialize: 'pending',
    };
    for (const [k, v] of Object.entries(raw)) setRawMeta(k, v);
    expect(state.round.get('seq')).toBe(7);
    expect(state.round.get('hlc')).toBe(1700000000123);
    expect(state.round.get('lastSegment')).toBe(raw.lastSegment);
    expect(state.round.get('retired')).toEqual(['laptop-ab12.ffff0000']);
    expect(state.round.get('repoIds')).toEqual(['r1', 'r0']);
    expect(state.round.get('checkPacks')).toBe(true);
    expect(state.round.get('resupply')).toBe(false);
    expect(state.round.get('announceLost')).toEqual(['packs/b', 'packs/c']);
    expect(state.round.get('materialize')).toBe(true);
    state.close();
  });

  it('reads absent and cleared rows as nothing to do', async () => {
    const state = await openState();
    expect(state.round.get('seq')).toBe(0);
    expect(state.round.get('repoIds')).toEqual([]);
    expect(state.round.get('lastSync')).toBeUndefined();
    for (const k of ['lastSegment', 'verifyPacks', 'announceLost']) setRawMeta(k, '');
    expect(state.round.get('lastSegment')).toBeNull();
    expect(state.round.get('verifyPacks')).toEqual([]);
    expect(state.round.get('announceLost')).toEqual([]);
    state.close();
  });

  it('writes the same strings earlier releases wrote', async () => {
    const state = await openState();
    state.round.set('seq', 8);
    state.round.set('checkPacks', false);
    state.round.set('resupply', true);
    state.round.set('lastSegment', null);
    state.round.set('announceLost', []);
    state.round.set('verifyPacks', ['packs/a']);
    state.round.set('materialize', false);
    state.round.set('retired', ['w1']);
    expect(['seq', 'checkPacks', 'resupply', 'lastSegment', 'announceLost', 'verifyPacks', 'materialize', 'retired'].map((k) => rawMeta(k))).toEqual([
      '8',
      '0',
      '1',
      '',
      '',
      '["packs/a"]',
      'done',
      '["w1"]',
    ]);
    state.close();
  });
});
