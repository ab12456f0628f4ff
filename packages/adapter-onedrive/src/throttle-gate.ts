/**
 * One gate per drive: when Graph answers 429/503 with Retry-After, every request to that drive
 * waits, not just the one that was throttled. Graph's guidance is to wait the Retry-After delay
 * before retrying, since requests sent meanwhile still count against the limit and extend it
 * (https://learn.microsoft.com/graph/throttling, "Best practices to handle throttling"). Gates
 * are shared by every storage instance of this process that talks to the same drive.
 */
export class ThrottleGate {
  private pausedUntil = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Resolves once no pause is running. */
  async wait(): Promise<void> {
    for (;;) {
      const delay = this.pausedUntil - this.now();
      if (delay <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  get remainingMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }
}

const gates = new Map<string, ThrottleGate>();

/** The gate of one drive (keyed by Graph base URL and drive identity). */
export function gateFor(key: string): ThrottleGate {
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = new ThrottleGate()));
  return gate;
}
