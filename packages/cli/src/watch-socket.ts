/**
 * While `syncacross watch` runs, it owns the library (its lock); a `sync` started meanwhile asks
 * it for a round through a local socket instead of failing as busy, and prints that round's
 * summary. The socket lives in the library's state folder (mode 0600), or under the temporary
 * folder, named by a hash of the library, when that path is too long for a socket (about 100
 * bytes on Linux and macOS). One request per connection: a line `sync` (or `sync confirm-deletions`,
 * for `sync --confirm-deletions`), answered by one line of JSON: `{"summary": …, "storage": …}` or
 * `{"error": {"code", "message"}}`; or a line `seen` (`status`), answered by `{"seenMounted": […]}`:
 * the folders where the watch saw a disk mounted, which its rounds count as mount points.
 */
import { createHash } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncSummary, WatchTrigger } from '@syncacross/sync-core';

const MAX_SOCKET_PATH = 100;
const CONFIRMED = 'sync confirm-deletions';
const SEEN = 'seen';

function watchSocketPath(root: string): string {
  const beside = join(root, '.syncacross', 'watch.sock');
  if (process.platform === 'win32') return `\\\\.\\pipe\\syncacross-${createHash('sha256').update(root).digest('hex').slice(0, 16)}`;
  return Buffer.byteLength(beside) < MAX_SOCKET_PATH ? beside : join(tmpdir(), `syncacross-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.sock`);
}

/** Serves `sync` requests for a running watch; close it when the watch ends. */
export async function serveWatchSocket(root: string, storage: string, trigger: WatchTrigger): Promise<Server> {
  const path = watchSocketPath(root);
  // Left by a watcher that was killed: this process holds the library's lock, so no other serves it.
  if (process.platform !== 'win32') rmSync(path, { force: true });
  const server = createServer((socket) => {
    let line = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      line += chunk;
      if (!line.includes('\n')) return;
      const request = line.trim();
      if (request === SEEN) return void socket.end(`${JSON.stringify({ seenMounted: trigger.seenMounted() })}\n`);
      if (request !== 'sync' && request !== CONFIRMED) return void socket.end(`${JSON.stringify({ error: { code: 'InvalidArgument', message: 'unknown request' } })}\n`);
      trigger.roundNow({ confirmDeletions: request === CONFIRMED }).then(
        (summary) => socket.end(`${JSON.stringify({ summary, storage })}\n`),
        (e: Error & { code?: string }) => socket.end(`${JSON.stringify({ error: { code: e.code ?? 'Unavailable', message: e.message } })}\n`),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  return server;
}

export type WatchAnswer = { summary: SyncSummary; storage: string } | { error: { code: string; message: string } };

/** Asks a running watch of this library for a round; undefined when none is running. */
export async function askWatcher(root: string, signal?: AbortSignal, confirmDeletions = false): Promise<WatchAnswer | undefined> {
  return ask<WatchAnswer>(root, confirmDeletions ? CONFIRMED : 'sync', signal);
}

/** Whether a watch of this library runs and, if it said, the folders it counts as mount points (it saw a disk mounted there). */
export type WatchState = { running: false } | { running: true; seenMounted?: string[] };

/**
 * Asks a running watch of this library which folders it counts as mount points. One that listens
 * but does not say (busy past 2 s, or a release that does not know the request) still runs.
 */
export async function watchState(root: string): Promise<WatchState> {
  let answer: { seenMounted?: unknown } | undefined;
  try {
    answer = await ask<{ seenMounted?: unknown }>(root, SEEN, AbortSignal.timeout(2_000));
  } catch {
    return { running: true }; // it took the connection, then gave no answer
  }
  if (answer === undefined) return { running: false };
  const seen = answer.seenMounted;
  return Array.isArray(seen) && seen.every((p) => typeof p === 'string') ? { running: true, seenMounted: seen } : { running: true };
}

/** One request to the running watch, its one-line JSON answer; undefined when nobody listens. */
async function ask<T>(root: string, request: string, signal?: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(watchSocketPath(root));
    let answer = '';
    let connected = false;
    const onAbort = () => socket.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      socket.write(`${request}\n`);
    });
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', (e) => (connected ? reject(e) : resolve(undefined))); // nobody listening: no watcher
    socket.on('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (!connected) return;
      try {
        resolve(JSON.parse(answer) as T);
      } catch {
        reject(new Error('the running watch gave no answer (was it stopped?)'));
      }
    });
  });
}
