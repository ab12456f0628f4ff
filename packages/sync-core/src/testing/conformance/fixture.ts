/** What an adapter's test hands the conformance suite, and the knobs it may turn. */
import type { Storage } from '../../storage/contract.js';

export interface ConformanceFixture {
  /** A fresh, empty storage (or a fresh prefix of a shared one). */
  storage: Storage;
  /** The same adapter pointed at a backend that cannot be reached (wrong port, unmounted path). */
  unreachable: () => Storage | Promise<Storage>;
  /**
   * A second client of the same location, opened as another process would open it. Checks of
   * what *other* clients observe (an object while it is being written) read through it; without
   * it they read through `storage` itself, which cannot see what an in-process guard hides.
   */
  peer?: () => Storage | Promise<Storage>;
  teardown?: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Size of the large round-trip and in-flight objects. Default 20 MiB. */
  largeObjectBytes?: number;
  /** Concurrent creates on one key. Default 16. */
  racers?: number;
  /** Per-check timeout for vitest, ms. Default 120 s. */
  timeoutMs?: number;
}

export interface ConformanceCheck {
  name: string;
  run(fixture: ConformanceFixture, options: Required<ConformanceOptions>): Promise<void>;
}

export interface ConformanceResult {
  name: string;
  ok: boolean;
  error?: string;
}

export const defaultConformanceOptions = (o: ConformanceOptions = {}): Required<ConformanceOptions> => ({
  largeObjectBytes: o.largeObjectBytes ?? 20 * 1024 * 1024,
  racers: o.racers ?? 16,
  timeoutMs: o.timeoutMs ?? 120_000,
});
