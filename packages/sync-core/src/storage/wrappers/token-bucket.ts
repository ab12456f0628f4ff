/**
 * A token bucket over bytes, shared by every request that takes from it (concurrent ones too):
 * it refills at `bytesPerSecond` up to `burstBytes`, and a taker that finds it short waits until
 * its bytes are earned. Tokens are reserved when asked for (the balance may go below zero), so
 * takers are served in the order they asked and an object larger than the burst still passes,
 * after waiting as long as its size takes at the rate.
 */
/** How a `TokenBucket` fills. */
export interface TokenBucketOptions {
  /** The rate it refills at. */
  bytesPerSecond: number;
  /** What may go at once after a quiet moment (default: one second's worth). */
  burstBytes?: number;
  /** Injected in tests, with `sleep`, so nothing really waits. */
  now?: () => number;
  /** How a taker waits (injected in tests). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const realSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** A token bucket over bytes (see the file's comment); `take` waits until its bytes are earned. */
export class TokenBucket {
  /** The rate it refills at. */
  readonly bytesPerSecond: number;
  /** What it holds when full. */
  readonly burstBytes: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private tokens: number;
  private updatedAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.bytesPerSecond > 0) || !Number.isFinite(options.bytesPerSecond))
      throw new RangeError(`a bandwidth limit must be a number of bytes per second above 0, got ${options.bytesPerSecond}`);
    this.bytesPerSecond = options.bytesPerSecond;
    this.burstBytes = Math.max(1, options.burstBytes ?? options.bytesPerSecond);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.tokens = this.burstBytes; // a fresh process may send its first burst at once
    this.updatedAt = this.now();
  }

  /** Reserves `bytes` and resolves once they are earned (at once while the bucket holds them). */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (bytes <= 0) return;
    const waitMs = this.reserve(bytes);
    if (waitMs > 0) await this.sleep(waitMs, signal);
  }

  /** How long the caller must wait for `bytes` it reserves now (0: none). */
  reserve(bytes: number): number {
    const now = this.now();
    this.tokens = Math.min(this.burstBytes, this.tokens + ((now - this.updatedAt) * this.bytesPerSecond) / 1000);
    this.updatedAt = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.bytesPerSecond);
  }
}
