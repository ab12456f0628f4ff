/**
 * The fault vocabulary every emulator shares: a test injects rules ("the next 3 uploads answer
 * 503", "1 request in 10 is throttled, for ever"), each request asks for the first rule that
 * matches it and still has shots left, and the test reads back how often each rule fired. What a
 * rule matches (a Dropbox route, an S3 operation and key, a Drive method and path) and how a fired
 * rule is answered stay with each vendor's emulator; counting, chance and order live here once.
 */

export interface FaultRuleBase {
  /** How many matching requests it hits before it is used up. Default 1; `Infinity` for a storm. */
  times?: number;
  /** Chance that a matching request is hit. Default 1. */
  probability?: number;
}

/** A live view of one injected rule. */
export interface InjectedFault<Rule> {
  /** The rule as injected. */
  readonly rule: Rule;
  /** How many requests it hit so far. */
  readonly fired: number;
}

/** mulberry32: a small seeded generator, so a storm with `probability` replays the same way. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The faults injected into one emulator: the test adds rules, the emulator `take`s them per request. */
export class FaultRules<Rule extends FaultRuleBase, Request> {
  private rules: { rule: Rule; fired: number }[] = [];

  /**
   * @param matches whether a rule applies to a request (route, operation, key…), before counting and chance.
   * @param random the chance source; seed it to make storms reproducible.
   */
  constructor(
    private readonly matches: (rule: Rule, request: Request) => boolean,
    private readonly random: () => number = Math.random,
  ) {}

  /** Adds a rule after those already there (the first matching rule with shots left wins); returns a live view of it. */
  inject(rule: Rule): InjectedFault<Rule> {
    const entry = { rule, fired: 0 };
    this.rules.push(entry);
    return {
      rule,
      get fired() {
        return entry.fired;
      },
    };
  }

  /** Removes every rule: requests are served normally again. */
  clear(): void {
    this.rules = [];
  }

  /** The first rule that hits this request, counted as fired; undefined to serve it normally. */
  take(request: Request): Rule | undefined {
    for (const entry of this.rules) {
      if (entry.fired >= (entry.rule.times ?? 1)) continue;
      if (!this.matches(entry.rule, request)) continue;
      if ((entry.rule.probability ?? 1) < 1 && this.random() >= entry.rule.probability!) continue;
      entry.fired++;
      return entry.rule;
    }
    return undefined;
  }

  /** Rules that can still fire. */
  get pending(): number {
    return this.rules.filter((e) => e.fired < (e.rule.times ?? 1)).length;
  }
}
