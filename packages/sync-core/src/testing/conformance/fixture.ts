/** What an adapter's test hands the conformance suite, and the knobs it may turn. */
import type { Storage } from '../../storage/contract.js';

/** One check's storage and what else it needs: made fresh by the `setup` function for every check. */
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
  /** Called after the check, passed or failed: remove what it wrote, stop servers. */
  teardown?: () => Promise<void>;
}

/** How hard the suite pushes the adapter; every field is optional. */
export interface ConformanceOptions {
  /** Size of the large round-trip and in-flight objects. Default 20 MiB. */
  largeObjectBytes?: number;
  /** Concurrent creates on one key. Default 16. */
  racers?: number;
  /** Per-check timeout for vitest, ms. Default 120 s. */
  timeoutMs?: number;
}

/** One property of the storage contract, checked on a fresh fixture. */
export interface ConformanceCheck {
  /** The check's name, as the contract cites it in brackets (e.g. `racingCreates`). */
  name: string;
  /** Throws (an assertion error) when the storage breaks the property. */
  run(fixture: ConformanceFixture, options: Required<ConformanceOptions>): Promise<void>;
}

/** One check's outcome, from `checkStorageConformance`. */
export interface ConformanceResult {
  /** The check's name. */
  name: string;
  /** Whether the storage passed it. */
  ok: boolean;
  /** Why it failed: the thrown error's code (or name) and message; absent when it passed. */
  error?: string;
}

/** The options with their defaults filled in (20 MiB objects, 16 racers, 120 s per check). */
export const defaultConformanceOptions = (o: ConformanceOptions = {}): Required<ConformanceOptions> => ({
  largeObjectBytes: o.largeObjectBytes ?? 20 * 1024 * 1024,
  racers: o.racers ?? 16,
  timeoutMs: o.timeoutMs ?? 120_000,
});
