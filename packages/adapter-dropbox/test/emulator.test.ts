/** The emulator's own fidelity, driven through the official SDK (behind msw) and raw HTTP. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Dropbox } from 'dropbox';
import { summaryOf, tagChain } from '../src/emulator/index.js';
import { mswEmulator } from './support/emulator.js';

const env = mswEmulator();
beforeAll(() => env.server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => env.server.close());
let dbx: Dropbox;
beforeEach(() => {
  env.reset();
  dbx = new Dropbox({ accessToken: env.emulator.issueAccessToken() });
});
const upload = (path: string, text: string) => dbx.filesUpload({ path, contents: Buffer.from(text) });

describe('arguments and results', () => {
  it('decodes \\uXXXX escapes in Dropbox-API-Arg (the SDK escapes non-ASCII) and escapes Dropbox-API-Result', async () => {
    const meta = (await upload('/Ünï/日本語 😀.txt', 'hello')).result;
    expect(meta.path_display).toBe('/Ünï/日本語 😀.txt');
    const down = await dbx.filesDownload({ path: '/ünï/日本語 😀.txt' });
    expect(down.result.name).toBe('日本語 😀.txt');
    expect((down.headers as unknown as Headers).get('dropbox-api-result')).toMatch(/^[\x20-\x7e]+$/);
  });

  it('refuses a raw non-ASCII Dropbox-API-Arg header the way Dropbox does (400)', async () => {
    const r = await env.emulator.handle(
      new Request('https://content.dropboxapi.com/2/files/upload', {
        method: 'POST',
        headers: { authorization: `Bearer ${env.emulator.issueAccessToken()}`, 'dropbox-api-arg': Buffer.from('{"path":"/é"}', 'utf8').toString('latin1') },
        body: 'x',
      }),
    );
    expect(r.status).toBe(400);
  });

  it('answers content routes only on the content host', async () => {
    const r = await env.emulator.handle(new Request('https://api.dropboxapi.com/2/files/upload', { method: 'POST', headers: { authorization: 'Bearer x', 'dropbox-api-arg': '{}' } }));
    expect(r.status).toBe(400);
  });
});

describe('paths', () => {
  it('is case-insensitive, keeping the first case for display', async () => {
    await upload('/Docs/File.TXT', 'one');
    const meta = (await dbx.filesGetMetadata({ path: '/docs/file.txt' })).result;
    expect(meta).toMatchObject({ path_lower: '/docs/file.txt', path_display: '/Docs/File.TXT' });
    await expect(upload('/DOCS/FILE.txt', 'two')).rejects.toMatchObject({ status: 409 });
  });

  it('answers errors with error_summary and nested tags', async () => {
    const e = (await dbx.filesDownload({ path: '/missing' }).catch((x: unknown) => x)) as { status: number; error: { error_summary: string; error: unknown } };
    expect(e.status).toBe(409);
    expect(e.error).toEqual({ error_summary: 'path/not_found/..', error: { '.tag': 'path', path: { '.tag': 'not_found' } } });
    expect(tagChain({ '.tag': 'path', reason: { '.tag': 'conflict', conflict: { '.tag': 'file' } }, upload_session_id: 's' })).toEqual(['path', 'conflict', 'file']);
    expect(summaryOf({ '.tag': 'path_lookup', path_lookup: { '.tag': 'not_found' } })).toBe('path_lookup/not_found/..');
  });

  it('autorenames on request, as "name (1).ext"', async () => {
    await upload('/a/doc.txt', 'one');
    const renamed = await dbx.filesUpload({ path: '/a/doc.txt', contents: Buffer.from('two'), mode: { '.tag': 'add' }, autorename: true });
    expect(renamed.result.path_display).toBe('/a/doc (1).txt');
  });

  it('keeps an app-folder app inside /Apps/<name>', async () => {
    const app = new Dropbox({ accessToken: env.emulator.issueAccessToken('emulator-app-folder') });
    await app.filesUpload({ path: '/x.txt', contents: Buffer.from('x') });
    expect(env.emulator.home.get('/Apps/syncacross/x.txt')).toBeDefined();
    expect((await app.filesListFolder({ path: '' })).result.entries.map((e) => e.path_display)).toEqual(['/x.txt']);
  });
});

describe('upload sessions and batches', () => {
  it('commits closed sessions with finish_batch, an async job polled with finish_batch/check', async () => {
    const ids: string[] = [];
    for (const name of ['one', 'two']) ids.push((await dbx.filesUploadSessionStart({ close: true, contents: Buffer.from(name) })).result.session_id);
    await upload('/b/two', 'different');
    const launch = (
      await dbx.filesUploadSessionFinishBatch({
        entries: ['one', 'two'].map((name, i) => ({
          cursor: { session_id: ids[i]!, offset: name.length },
          commit: { path: `/b/${name}`, mode: { '.tag': 'add' }, autorename: false, strict_conflict: true },
        })),
      })
    ).result;
    expect(launch['.tag']).toBe('async_job_id');
    const jobId = (launch as { async_job_id: string }).async_job_id;
    expect((await dbx.filesUploadSessionFinishBatchCheck({ async_job_id: jobId })).result['.tag']).toBe('in_progress');
    const done = (await dbx.filesUploadSessionFinishBatchCheck({ async_job_id: jobId })).result as unknown as { '.tag': string; entries: Array<Record<string, unknown>> };
    expect(done['.tag']).toBe('complete');
    expect(done.entries[0]).toMatchObject({ '.tag': 'success', path_display: '/b/one' });
    expect(done.entries[1]).toMatchObject({ '.tag': 'failure', failure: { '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'file' } } } });
  });

  it('answers incorrect_offset with the offset it has', async () => {
    const id = (await dbx.filesUploadSessionStart({ contents: Buffer.from('abc') })).result.session_id;
    const e = (await dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 1 }, contents: Buffer.from('d') }).catch((x: unknown) => x)) as { error: { error: unknown } };
    expect(e.error.error).toEqual({ '.tag': 'incorrect_offset', correct_offset: 3 });
  });
});

describe('cursors', () => {
  it('get_latest_cursor + continue report only later changes, including deletions; longpoll sees them', async () => {
    await upload('/w/a', '1');
    const cursor = (await dbx.filesListFolderGetLatestCursor({ path: '/w', recursive: true })).result.cursor;
    expect((await dbx.filesListFolderLongpoll({ cursor, timeout: 0 })).result.changes).toBe(false);
    await upload('/w/b', '1');
    await dbx.filesDeleteV2({ path: '/w/a' });
    expect((await dbx.filesListFolderLongpoll({ cursor, timeout: 1 })).result.changes).toBe(true);
    const changes = (await dbx.filesListFolderContinue({ cursor })).result.entries.map((e) => [e['.tag'], e.path_lower]);
    expect(changes).toEqual([
      ['file', '/w/b'],
      ['deleted', '/w/a'],
    ]);
  });
});
