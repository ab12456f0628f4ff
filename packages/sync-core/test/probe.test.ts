import { describe, expect, it } from 'vitest';
import { probeCapabilities } from '@syncacross/sync-core';
import { createDuplicateNameStorage, createMemoryStorage, withCheckThenWrite, withEventualConsistency, withIgnoredPreconditions } from '@syncacross/sync-core/testing';

describe('probeCapabilities measures what adapters only claim', () => {
  it('confirms atomic create on the reference adapter', async () => {
    const r = await probeCapabilities(createMemoryStorage());
    expect(r.measured).toEqual({ preconditionsHonored: true, racingCreateSafe: true, listedAtOnce: true, compareAndSwapHonored: true });
    expect(r.effective.atomicCreate).toBe(true);
  });

  it('reports the truth for a backend that ignores preconditions while claiming atomic create', async () => {
    const liar = withIgnoredPreconditions(createMemoryStorage());
    expect(liar.capabilities.atomicCreate).toBe(true); // what it claims
    const r = await probeCapabilities(liar);
    expect(r.measured.preconditionsHonored).toBe(false);
    expect(r.measured.compareAndSwapHonored).toBe(false);
    expect(r.effective.atomicCreate).toBe(false);
    expect(r.effective.compareAndSwap).toBe(false);
    expect(r.notes.join('\n')).toMatch(/ignores create-if-absent/);
  });

  it('catches a check-then-write backend that claims atomicity by racing it', async () => {
    const r = await probeCapabilities(withCheckThenWrite(createMemoryStorage(), { claimAtomic: true }));
    expect(r.measured.preconditionsHonored).toBe(true);
    expect(r.measured.racingCreateSafe).toBe(false);
    expect(r.effective.atomicCreate).toBe(false);
  });

  it('detects listings that lag behind writes', async () => {
    const r = await probeCapabilities(withEventualConsistency(createMemoryStorage(), { listDelayMs: 60_000 }));
    expect(r.measured.listedAtOnce).toBe(false);
    expect(r.effective.consistentListing).toBe(false);
  });

  it('cleans up after itself', async () => {
    const m = createMemoryStorage();
    await probeCapabilities(m);
    expect(m.debug.keys()).toEqual([]);
    const d = createDuplicateNameStorage();
    await probeCapabilities(d);
  });
});
