/**
 * Loopback ports for tests: one that was free a moment ago (for a server that must be told its
 * port), and one where nothing listens (for the conformance suite's `unreachable` storage).
 * Both bind port 0, read the port the kernel chose and release it.
 */
import { createServer } from 'node:net';

/** A loopback port that was free a moment ago (for servers that cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A loopback port nothing listens on: connections are refused at once. */
export const closedPort: () => Promise<number> = freePort;

/** `http://127.0.0.1:<closedPort>`, for adapters configured by URL. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`;
}
