/** Objects above the single-request limit travel in upload sessions, resumably. */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { createDropboxStorage } from '@syncacross/adapter-dropbox';
import { mswEmulator } from './support/emulator.js';

const MiB = 1024 * 1024;
const env = mswEmulator();
beforeAll(() => env.server.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => env.server.resetHandlers());
afterAll(() => env.server.close());

async function sessionStorage() {
  env.reset({ maxRequestBytes: MiB });
  return createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library', singleUploadLimitBytes: MiB, chunkBytes: MiB });
}

it('writes a large object as start + append_v2 + finish, no request above the limit', async () => {
  const storage = await sessionStorage();
  const bytes = randomBytes(5 * MiB + 123);
  expect(await storage.putIfAbsent('big', bytes)).toBe('created');
  expect(env.emulator.requests('files/upload')).toBe(0);
  expect(env.emulator.requests('files/upload_session/start')).toBe(1);
  expect(env.emulator.requests('files/upload_session/append_v2')).toBe(4);
  expect(env.emulator.requests('files/upload_session/finish')).toBe(1);
  expect(Buffer.from(await storage.get('big')).equals(bytes)).toBe(true);
  expect(await storage.putIfAbsent('big', bytes)).toBe('exists'); // a conflict at finish is still "exists"
});

it('reports TooLarge when a single request exceeds what Dropbox accepts', async () => {
  env.reset({ maxRequestBytes: MiB });
  const storage = await createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library' });
  await expect(storage.putIfAbsent('big', randomBytes(2 * MiB))).rejects.toMatchObject({ code: 'TooLarge' });
});

it('resumes a session when a chunk landed but its answer was lost', async () => {
  const storage = await sessionStorage();
  let dropped = 0;
  env.server.use(
    http.post('https://content.dropboxapi.com/2/files/upload_session/append_v2', async ({ request }) => {
      const answer = await env.emulator.handle(request);
      if (dropped++ === 1) return HttpResponse.error(); // the server took the chunk; the client never hears
      return answer;
    }),
  );
  const bytes = randomBytes(4 * MiB + 5);
  expect(await storage.putIfAbsent('resumed', bytes)).toBe('created');
  expect(Buffer.from(await storage.get('resumed')).equals(bytes)).toBe(true);
  expect(env.emulator.requests('files/upload_session/append_v2')).toBe(4); // 3 chunks + 1 resent, answered incorrect_offset
});

it('sends the content_hash so Dropbox rejects bytes damaged in transit', async () => {
  env.reset();
  const storage = await createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library' });
  env.server.use(
    http.post('https://content.dropboxapi.com/2/files/upload', async ({ request }) => {
      const body = new Uint8Array(await request.arrayBuffer());
      body[0]! ^= 0xff; // a flipped byte on the wire
      return env.emulator.handle(new Request(request.url, { method: 'POST', headers: request.headers, body }));
    }),
  );
  await expect(storage.putIfAbsent('k', new TextEncoder().encode('payload'))).rejects.toMatchObject({ code: 'Unavailable' });
  expect(env.emulator.home.get('/library/k')).toBeUndefined();
});
