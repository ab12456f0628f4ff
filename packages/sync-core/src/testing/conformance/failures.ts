/** The check that "not there" and "could not ask" are told apart. */
import { checkedStorage } from '../../storage/checked.js';
import { expectCode, text, use } from './assertions.js';
import type { ConformanceCheck } from './fixture.js';

export const notFoundVersusUnreachable: ConformanceCheck = {
  name: 'answers NotFound for a missing key, and never "empty" or NotFound when unreachable',
  async run(f) {
    const s = use(f);
    await expectCode(s.get('missing/key'), ['NotFound'], 'get of a missing key');
    const down = checkedStorage(await f.unreachable());
    await expectCode(down.get('some/key'), ['Unavailable', 'AuthFailed'], 'get on an unreachable backend');
    await expectCode(down.list('some/'), ['Unavailable', 'AuthFailed'], 'list on an unreachable backend (an empty answer would read as "everything deleted")');
    await expectCode(down.putIfAbsent('some/key', text('x')), ['Unavailable', 'AuthFailed'], 'putIfAbsent on an unreachable backend');
    await down.close?.();
  },
};
