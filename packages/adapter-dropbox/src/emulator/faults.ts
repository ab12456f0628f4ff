/**
 * Injectable failures: one-shot faults for error-mapping tests and probabilistic storms for load
 * tests. Dropbox throttles with 429 `too_many_requests` / `too_many_write_operations` plus
 * `Retry-After` (seconds), and reports namespace write-lock contention *inside* write errors too
 * (`{".tag":"path","reason":{".tag":"too_many_write_operations"}}` from files/upload, a
 * `too_many_write_operations` failure entry from finish_batch: dropbox/dropbox-sdk-js#270).
 */
import { FaultRules, seededRandom, type FaultRuleBase } from '@syncacross/sync-core/emulator-kit';

export type FaultKind =
  | 'too_many_requests'
  | 'too_many_write_operations'
  /** Write contention reported inside the route's own error (409), with no Retry-After. */
  | 'nested_too_many_write_operations'
  | 'server_error'
  | 'service_unavailable'
  /**
   * The route runs (a write commits) and then its answer is lost: the client gets a 500, as when
   * a proxy or the connection fails after Dropbox committed. Real-world mode `lostAnswerProbability`.
   */
  | 'answer_lost';

export interface FaultRule extends FaultRuleBase {
  /** Which routes (e.g. `files/upload`) it applies to; all when absent. */
  routes?: RegExp;
  kind: FaultKind;
  /** For 429s: the Retry-After value in seconds (fractions allowed, for fast tests); none when absent. */
  retryAfterSeconds?: number;
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

/**
 * Dropbox's fault rules: the shared counting and chance (`FaultRules`), plus the penalty box a
 * throttled Dropbox namespace keeps until its Retry-After has passed.
 */
export class Faults {
  private readonly rules: FaultRules<FaultRule, string>;
  private readonly penalties = new Map<FaultRule, number>();
  readonly issued: IssuedFault[] = [];
  /** Requests that arrived while their route was in the penalty box. */
  penaltyHits = 0;

  constructor(seed = 1) {
    this.rules = new FaultRules<FaultRule, string>((rule, route) => !rule.routes || rule.routes.test(route), seededRandom(seed));
  }

  inject(rule: FaultRule): void {
    this.rules.inject(rule);
  }

  clear(): void {
    this.rules.clear();
    this.penalties.clear();
  }

  /** The fault to answer `route` with, if any. */
  pick(route: string, now = Date.now()): FaultRule | undefined {
    for (const [rule, until] of this.penalties) {
      if (now >= until) this.penalties.delete(rule);
      else if (!rule.routes || rule.routes.test(route)) {
        this.penaltyHits++;
        return this.record(route, { ...rule, retryAfterSeconds: Math.max(0.001, (until - now) / 1000) }, now);
      }
    }
    const rule = this.rules.take(route);
    if (!rule) return undefined;
    if (rule.penalty && rule.retryAfterSeconds !== undefined) this.penalties.set(rule, now + rule.retryAfterSeconds * 1000);
    return this.record(route, rule, now);
  }

  private record(route: string, rule: FaultRule, at: number): FaultRule {
    this.issued.push({ route, kind: rule.kind, retryAfterSeconds: rule.retryAfterSeconds, at });
    return rule;
  }
}
