/**
 * Every HTTP request the adapter sends, as `METHOD /path`, seen by msw in pass-through mode (the
 * requests still reach the real server). `listen()` in beforeAll, `close()` in afterAll.
 */
import { setupServer } from 'msw/node';

export function requestLog() {
  const requests: string[] = [];
  const observer = setupServer();
  observer.events.on('request:start', ({ request }) => void requests.push(`${request.method} ${new URL(request.url).pathname}`));
  return {
    requests,
    listen: () => observer.listen({ onUnhandledRequest: 'bypass' }),
    close: () => observer.close(),
    /** The requests `fn` sends, and what it answers. */
    async counting<T>(fn: () => Promise<T>): Promise<{ result: T; requests: string[] }> {
      requests.length = 0;
      const result = await fn();
      return { result, requests: [...requests] };
    },
  };
}
