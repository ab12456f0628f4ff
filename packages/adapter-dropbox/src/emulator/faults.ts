/**
 * Injectable failures: one-shot faults for error-mapping tests and probabilistic storms for load
 * tests. Dropbox throttles with 429 `too_many_requests` / `too_many_write_operations` plus
 * `Retry-After` (seconds), and reports namespace write-lock contention *inside* write errors too
 * (`{".tag":"path","reason":{".tag":"too_many_write_operations"}}` from files/upload, a
 * `too_many_write_operations` failure entry from finish_batch: dropbox/dropbox-sdk-js#270).
 */
export type FaultKind =
  | 'too_many_requests'
  | 'too_many_write_operations'
  /** Write contention reported inside the route's own error (409), with no Retry-After. */
  | 'nested_too_many_write_operations'
  | 'server_error'
  | 'service_unavailable';

export interface FaultRule {
  /** Which routes (e.g. `files/upload`) it applies to; all when absent. */
  routes?: RegExp;
  kind: FaultKind;
  /** For 429s: the Retry-After value in seconds (fractions allowed, for fast tests); none when absent. */
  retryAfterSeconds?: number;
  /** How many requests it hits before it is used up. Default 1. */
  times?: number;
  /** Chance that a matching request is hit. Default 1. */
  probability?: number;
  /**
   * After a 429, every request to a matching route gets 429 again until Retry-After has passed,
   * as a real throttled namespace does: a client that does not wait only digs deeper.
   */
  penalty?: boolean;
}

export interface IssuedFault {
  route: string;
  kind: FaultKind;
  retryAfterSeconds?: number;
  at: number;
}

/** A small seeded PRNG (mulberry32) so storms are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private rules: { rule: FaultRule; left: number; penaltyUntil: number }[] = [];
  readonly issued: IssuedFault[] = [];
  /** Requests that arrived while their route was in the penalty box. */
  penaltyHits = 0;
  private random: () => number;

  constructor(seed = 1) {
    this.random = seeded(seed);
  }

  inject(rule: FaultRule): void {
    this.rules.push({ rule, left: rule.times ?? 1, penaltyUntil: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault to answer `route` with, if any. */
  pick(route: string, now = Date.now()): FaultRule | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.routes && !rule.routes.test(route)) continue;
      if (rule.penalty && now < entry.penaltyUntil) {
        this.penaltyHits++;
        return this.record(route, { ...rule, retryAfterSeconds: Math.max(0.001, (entry.penaltyUntil - now) / 1000) }, now);
      }
      if (entry.left <= 0) continue;
      if ((rule.probability ?? 1) < 1 && this.random() >= rule.probability!) continue;
      entry.left--;
      if (rule.penalty && rule.retryAfterSeconds !== undefined) entry.penaltyUntil = now + rule.retryAfterSeconds * 1000;
      return this.record(route, rule, now);
    }
    this.rules = this.rules.filter((e) => e.left > 0 || (e.rule.penalty && e.penaltyUntil > now));
    return undefined;
  }

  private record(route: string, rule: FaultRule, at: number): FaultRule {
    this.issued.push({ route, kind: rule.kind, retryAfterSeconds: rule.retryAfterSeconds, at });
    return rule;
  }
}
