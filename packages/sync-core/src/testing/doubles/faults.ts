/**
 * Fault injection for tests and the simulation: failures before the request takes effect,
 * failures *after* it took effect (the caller sees Unavailable but the write happened: an
 * unknown outcome), throttling, latency, and truncated listing pages (a page that silently drops
 * entries but claims to be complete is a broken server; one that drops entries and says so must
 * be treated as unavailable: we model the honest kind plus short pages with a cursor).
 */
import type { ListPage, Storage } from '../../storage/contract.js';
import { StorageError } from '../../storage/errors.js';
import { forwardAll } from '../../storage/wrappers/forward.js';

/** Which faults `withFaults` injects, and how often; every field is optional (none: a faithful store). */
export interface FaultPlan {
  /** Probability that a request fails before it takes effect. */
  failBefore?: number;
  /** Probability that a write fails after it took effect (unknown outcome). */
  failAfter?: number;
  /** Probability that a request is answered with RateLimited. */
  rateLimit?: number;
  /** The Retry-After an injected RateLimited carries, in ms (default 10). */
  retryAfterMs?: number;
  /** Latency added to each request, in ms (random in [0, latencyMs]). */
  latencyMs?: number;
  /** Cut listing pages to at most this many objects (the cursor still leads to the rest). Needs a sorted inner listing. */
  shortPages?: number;
  /** Every request fails with Unavailable (a backend that cannot be reached at all). */
  down?: boolean;
}

/** A storage that injects faults (`withFaults`). */
export interface FaultyStorage extends Storage {
  /** The faults injected from the next request on: change it to turn faults on or off mid-test. */
  plan: FaultPlan;
  /** How many faults were injected so far, by kind. */
  readonly injected: {
    /** Requests failed before taking effect. */
    before: number;
    /** Writes failed after taking effect (the outcome hidden from the caller). */
    after: number;
    /** Requests answered RateLimited. */
    rateLimited: number;
  };
}

/** Wraps a storage so its requests fail, lag or get throttled as `plan` says; `random` decides each fault (seed it for a repeatable run). */
export function withFaults(inner: Storage, plan: FaultPlan = {}, random: () => number = Math.random, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): FaultyStorage {
  const injected = { before: 0, after: 0, rateLimited: 0 };
  const hit = (p: number | undefined) => p !== undefined && p > 0 && random() < p;

  async function before(op: string) {
    const p = faulty.plan;
    if (p.latencyMs) await sleep(random() * p.latencyMs);
    if (p.down) throw new StorageError('Unavailable', `injected: backend unreachable (${op})`);
    if (hit(p.rateLimit)) {
      injected.rateLimited++;
      throw new StorageError('RateLimited', `injected: throttled (${op})`, { retryAfterMs: p.retryAfterMs ?? 10 });
    }
    if (hit(p.failBefore)) {
      injected.before++;
      throw new StorageError('Unavailable', `injected: failed before ${op} took effect`);
    }
  }
  async function after<T>(op: string, value: T): Promise<T> {
    if (hit(faulty.plan.failAfter)) {
      injected.after++;
      throw new StorageError('Unavailable', `injected: ${op} took effect but the answer was lost`);
    }
    return value;
  }

  const s = forwardAll(inner, {
    name: `faulty(${inner.name})`,
    putIfAbsent: async (key, bytes) => {
      await before('putIfAbsent');
      return after('putIfAbsent', await inner.putIfAbsent(key, bytes));
    },
    get: async (key, o) => {
      await before('get');
      return inner.get(key, o);
    },
    list: async (prefix, o = {}) => {
      await before('list');
      // A short page continues from its last key: cursors of the inner storage are opaque, so
      // the continuation restarts the inner listing with startAfter (valid for any adapter).
      const resumed = o.cursor?.startsWith(SHORT) ? { ...o, cursor: undefined, startAfter: o.cursor.slice(SHORT.length) } : o;
      const page: ListPage = await inner.list(prefix, resumed);
      const n = faulty.plan.shortPages;
      if (n !== undefined && n > 0 && page.objects.length > n) {
        const objects = page.objects.slice(0, n);
        return { objects, cursor: SHORT + objects[objects.length - 1]!.key };
      }
      return page;
    },
    delete:
      inner.delete &&
      (async (key) => {
        await before('delete');
        await inner.delete!(key);
        return after('delete', undefined);
      }),
    putIfMatch:
      inner.putIfMatch &&
      (async (key, bytes, etag) => {
        await before('putIfMatch');
        return after('putIfMatch', await inner.putIfMatch!(key, bytes, etag));
      }),
  });
  const faulty = Object.assign(s, { plan, injected }) as FaultyStorage;
  return faulty;
}

const SHORT = '\u0000short:';
