/**
 * Graph's answers, which the SDK reads whole (`response.json()` for a listing page, an item, an
 * upload session; `json()` of an error's body too), read within a limit (adapter-kit's
 * `boundedResponse`): a hostile or broken server sending an answer with no end costs the limit,
 * not all the memory there is. A download's body is not bounded here: read.ts reads it up to the
 * range it asked for.
 */
import { GraphClientError, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { StorageError } from '@syncacross/sync-core';
import { ANSWER_BODY_LIMIT, boundedResponse, ERROR_BODY_LIMIT } from '@syncacross/sync-core/adapter-kit';

// A page of children or of a delta is at most 200 items ("the default page size is 200 items",
// https://learn.microsoft.com/graph/api/driveitem-list-children), about 1 KB each: a few hundred
// KB, far within ANSWER_BODY_LIMIT.
const tooLarge = () => new StorageError('Unavailable', `the server's answer is larger than ${ANSWER_BODY_LIMIT} bytes, more than any Graph answer this adapter reads`);

/** A response within the limits: an error's body cut at a message's worth, any other answer failing past ANSWER_BODY_LIMIT with `past`. */
export function withinLimits(response: Response, past: () => Error = tooLarge): Response {
  return response.ok ? boundedResponse(response, ANSWER_BODY_LIMIT, past) : boundedResponse(response, ERROR_BODY_LIMIT, 'cut');
}

/** Whether a request is a file's download (`…/content`, GET), which read.ts bounds itself. */
function isDownload(context: Context): boolean {
  const url = typeof context.request === 'string' ? context.request : context.request.url;
  const method = (context.options?.method ?? (typeof context.request === 'string' ? 'GET' : context.request.method)).toUpperCase();
  return method === 'GET' && new URL(url).pathname.endsWith('/content');
}

/**
 * In the SDK's chain, every answer but a download's within the limits. The SDK rethrows a
 * GraphClientError as it is, so the StorageError it carries reaches the caller (client.ts `run`).
 */
export class AnswerLimitMiddleware implements Middleware {
  private next!: Middleware;
  setNext(next: Middleware): void {
    this.next = next;
  }
  async execute(context: Context): Promise<void> {
    // Asked before the request goes: the redirect handler puts the download URL in its place.
    const download = isDownload(context);
    await this.next.execute(context);
    if (context.response && !download) {
      context.response = withinLimits(context.response, () => {
        const error = tooLarge();
        return Object.assign(new GraphClientError(error.message), { storageError: error });
      });
    }
  }
}
