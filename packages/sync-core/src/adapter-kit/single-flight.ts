/**
 * One call in flight per key, shared by everyone who asks meanwhile (Go's `singleflight`): racing
 * uploads into one new folder share one "create folder" request instead of each sending theirs.
 * Unlike KeyedQueue, a caller does not wait for the earlier call and then run its own: it gets
 * the earlier call's answer (or failure). Once the call settles the key is free again.
 */
export class KeyedSingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  /** Calls `fn`, unless a call on `key` is in flight: then answers with that call's result or failure (`fn` is not called). */
  run(key: string, fn: () => Promise<T>): Promise<T> {
    let call = this.inFlight.get(key);
    if (!call) {
      call = fn().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, call);
    }
    return call;
  }
}
