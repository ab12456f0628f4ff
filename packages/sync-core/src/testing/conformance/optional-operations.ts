/** Checks of the optional operations: present exactly when declared, and correct when present. */
import { listAll } from '../../storage/listing.js';
import { assert, expectCode, listInfos, listKeys, same, sameSet, text, use } from './assertions.js';
import type { ConformanceCheck } from './fixture.js';

export const idempotentDelete: ConformanceCheck = {
  name: 'delete is idempotent (or absent when not declared)',
  async run(f) {
    const s = use(f);
    if (!s.capabilities.delete) {
      assert(s.delete === undefined, 'delete exists but capabilities.delete is false');
      return;
    }
    await s.putIfAbsent('del/a', text('a'));
    await s.putIfAbsent('del/b', text('b'));
    await s.delete!('del/a');
    await expectCode(s.get('del/a'), ['NotFound'], 'get after delete');
    const keys = await listKeys(s, 'del/', undefined, sameSet(['del/b']));
    assert(JSON.stringify(keys) === '["del/b"]', `after delete the listing is ${JSON.stringify(keys)}`);
    await s.delete!('del/a');
    await s.delete!('del/never-existed');
    assert((await s.putIfAbsent('del/a', text('again'))) === 'created', 'a deleted key can be created again');
    assert(same(await s.get('del/a'), text('again')), 'recreated content differs');
  },
};

export const compareAndSwap: ConformanceCheck = {
  name: 'compare-and-swap replaces only on a matching etag (or is absent when not declared)',
  async run(f) {
    const s = use(f);
    if (!s.capabilities.compareAndSwap) {
      assert(s.putIfMatch === undefined, 'putIfMatch exists but capabilities.compareAndSwap is false');
      return;
    }
    await s.putIfAbsent('cas/head', text('v1'));
    const etag1 = (await listInfos(s, 'cas/', sameSet(['cas/head']))).find((x) => x.key === 'cas/head')?.etag;
    assert(etag1, 'compareAndSwap is claimed but the listing gives no etag');
    const r = await s.putIfMatch!('cas/head', text('v2'), etag1);
    assert(same(await s.get('cas/head'), text('v2')), 'putIfMatch with the current etag did not replace the content');
    await expectCode(s.putIfMatch!('cas/head', text('v3'), etag1), ['PreconditionFailed'], 'putIfMatch with a stale etag');
    assert(same(await s.get('cas/head'), text('v2')), 'a refused putIfMatch changed the content');
    const etag2 = r.etag ?? (await listAll(s, 'cas/')).find((x) => x.key === 'cas/head')?.etag;
    assert(etag2 && etag2 !== etag1, 'the etag did not change after a replace');
    await expectCode(s.putIfMatch!('cas/missing', text('x'), etag1), ['PreconditionFailed', 'NotFound'], 'putIfMatch on a missing key');
  },
};

/**
 * A change feed, where the adapter has one, tells of a write made after its cursor: at once for
 * a long poll already waiting (`wait`), within a few polls for a delta query (`poll`: a backend's
 * delta may lag its writes by a moment). And a waiting call ends when its signal fires, so a
 * watch stops promptly.
 */
export const changeFeed: ConformanceCheck = {
  name: 'the change feed reports a write made after its cursor (when the adapter has one)',
  async run(f) {
    const s = use(f);
    const feed = s.changeFeed;
    if (!feed) return;
    assert(feed.mode === 'wait' || feed.mode === 'poll', `changeFeed.mode is ${String(feed.mode)}`);
    const start = await feed.next(undefined);
    assert(typeof start.cursor === 'string' && start.cursor !== '' && start.changed === false, `a first call answered ${JSON.stringify(start)}`);
    let answer: { cursor: string; changed: boolean };
    if (feed.mode === 'wait') {
      const waiting = feed.next(start.cursor);
      await s.putIfAbsent('feed/a', text('a'));
      answer = await withinMs(waiting, 60_000, 'a waiting change feed did not answer a write within 60 s');
    } else {
      await s.putIfAbsent('feed/a', text('a'));
      answer = await feed.next(start.cursor);
      for (let i = 0; i < 10 && !answer.changed; i++) {
        await new Promise((r) => setTimeout(r, 500));
        answer = await feed.next(start.cursor);
      }
    }
    assert(answer.changed, `the change feed missed a write: ${JSON.stringify(answer)}`);
    assert(typeof answer.cursor === 'string' && answer.cursor !== '', 'the change feed gave no cursor after a change');
    if (feed.mode === 'wait') {
      const controller = new AbortController();
      const waiting = feed.next(answer.cursor, controller.signal).then(
        (r) => r,
        () => 'stopped' as const,
      );
      setTimeout(() => controller.abort(), 200);
      // It may answer (a change came in meanwhile) or reject; it must not hang on.
      await withinMs(waiting, 5_000, 'a waiting change feed did not end within 5 s of its signal');
    }
  },
};

function withinMs<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
