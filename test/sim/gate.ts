/**
 * The scheduler's hold on storage: every request of a node waits at the gate until the scheduler
 * releases it, and the scheduler decides its fate (go through; fail before it takes effect; take
 * effect but lose the answer; crash the node right here). Nodes fetch with concurrency 1, so a
 * node is either running local work or waiting here: only one node runs at a time, and the
 * interleaving is a function of the seed.
 */
import { StorageError, type Storage } from '@syncacross/sync-core';

export type Fate = 'ok' | 'fail-before' | 'fail-after' | 'crash';

export class CrashError extends Error {
  override name = 'SimulatedCrash';
}

interface Waiter {
  op: string;
  key: string;
  resolve: (fate: Fate) => void;
}

export class Gate {
  private waiter: Waiter | undefined;
  private notify: (() => void) | undefined;
  /** The node cannot reach the storage at all (a laptop offline): each request fails at once, with no release. */
  offline = false;

  /** Resolves when the node arrives at the gate (or `done` settles). */
  async arrival(done: Promise<unknown>): Promise<void> {
    if (this.waiter) return;
    await Promise.race([
      new Promise<void>((r) => (this.notify = r)),
      done.then(
        () => undefined,
        () => undefined,
      ),
    ]);
    this.notify = undefined;
  }

  get waiting(): Waiter | undefined {
    return this.waiter;
  }

  release(fate: Fate): void {
    const w = this.waiter!;
    this.waiter = undefined;
    w.resolve(fate);
  }

  wrap(inner: Storage): Storage {
    const pass = async <T>(op: string, key: string, fn: () => Promise<T>): Promise<T> => {
      if (this.offline) throw new StorageError('Unavailable', `sim: ${op} failed: this node is offline`);
      const fate = await new Promise<Fate>((resolve) => {
        if (this.waiter) throw new Error('simulation: a node issued two concurrent requests');
        this.waiter = { op, key, resolve };
        this.notify?.();
      });
      if (fate === 'crash') throw new CrashError(`crash at ${op} ${key}`);
      if (fate === 'fail-before') throw new StorageError('Unavailable', `sim: ${op} failed before taking effect`);
      const result = await fn();
      if (fate === 'fail-after') throw new StorageError('Unavailable', `sim: ${op} took effect, answer lost`);
      return result;
    };
    const s: Storage = {
      name: `gated(${inner.name})`,
      capabilities: inner.capabilities,
      putIfAbsent: (k, b) => pass('putIfAbsent', k, () => inner.putIfAbsent(k, b)),
      get: (k, o) => pass('get', k, () => inner.get(k, o)),
      list: (p, o) => pass('list', p, () => inner.list(p, o)),
    };
    if (inner.delete) s.delete = (k) => pass('delete', k, () => inner.delete!(k));
    return s;
  }
}
