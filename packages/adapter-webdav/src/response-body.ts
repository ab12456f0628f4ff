/**
 * A response's body in one buffer, copied once. The `webdav` client fetches through node-fetch,
 * whose `arrayBuffer()` gathers the body's pieces, concatenates them (`Buffer.concat`), then copies
 * the result again (`ArrayBuffer.prototype.slice`, node-fetch 3's body.js): each 16 MiB range a
 * download reads was held three times over for a moment, and a download runs several at once.
 * Here the pieces go straight into a buffer of the declared length, where the server declares one
 * and nothing decodes the body on the way (node-fetch would inflate a Content-Encoding to another
 * length); how, and where reading stops, is sync-core's `readBodyWithin`. A body of no declared
 * length is read as before, unless the caller sets a limit.
 */
import { declaredLength, readBodyWithin } from '@syncacross/sync-core/adapter-kit';

/** What is read of a fetch response: its status, headers and body as a stream of pieces. */
export interface FetchedBody {
  status: number;
  headers: { get(name: string): string | null };
  body?: AsyncIterable<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * The body of the answer to a `method` request, or its first `limit` bytes: past them the rest is
 * not read and the connection is closed (sync-core's `readBodyWithin`). A ranged read sets the
 * limit to its range, so a server that ignores the Range and sends a whole pack, or a body with no
 * end, costs at most the range (such a body used to be gathered whole, whatever its size).
 */
export async function readBody(response: FetchedBody, method: string, limit = Infinity): Promise<Buffer> {
  const declared = declaredLength((name) => response.headers.get(name), response.status, method);
  if (!response.body || (declared === undefined && limit === Infinity)) return Buffer.from(await response.arrayBuffer());
  return readBodyWithin(response.body, { declared, limit });
}
