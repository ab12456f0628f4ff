/**
 * A fetch `Response` whose body a vendor's SDK may read whole (`json()`, `text()`) without a
 * hostile or broken server making that all the memory there is. Where an adapter reads a body
 * itself, `readBodyWithin` bounds it; where an SDK reads it, the adapter hands the SDK this
 * instead of the response fetch gave.
 *
 * - An error's body (`limit`: ERROR_BODY_LIMIT, `past: 'cut'`) is only ever read for its message:
 *   past the limit it just ends, so the SDK still reports the status (a throttling 503 stays
 *   throttling) with whatever message it can make of what came.
 * - Any other answer (`past: an error`) is data the SDK must have whole: past the limit reading it
 *   fails with that error, never a truncated listing taken for a complete one.
 *
 * Either way the rest is not read: the original body is cancelled, and its connection closed.
 */

/** What happens past the limit: the body ends there (`'cut'`), or reading it fails with the error this makes. */
export type PastLimit = 'cut' | (() => Error);

/** `response` with a body that yields at most `limit` bytes (above); a response without a body as it is. */
export function boundedResponse(response: Response, limit: number, past: PastLimit): Response {
  if (!response.body || NO_BODY.has(response.status)) return response;
  const reader = response.body.getReader();
  let taken = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read(); // a connection cut mid-body rejects, and so errors this stream
      if (done) return controller.close();
      const room = limit - taken;
      if (value.byteLength <= room) {
        taken += value.byteLength;
        return controller.enqueue(value);
      }
      // Not awaited: a cancel may never settle (msw's mocked bodies), and nothing waits on it.
      reader.cancel().catch(() => undefined);
      if (past !== 'cut') return controller.error(past());
      if (room > 0) controller.enqueue(value.subarray(0, room));
      taken = limit;
      controller.close();
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** Statuses whose answer has no body whatever it says (a Response refuses one for them). */
const NO_BODY = new Set([101, 103, 204, 205, 304]);
