/**
 * Parent collections, created with MKCOL on first use and remembered, so a big upload into
 * `packs/<writer>/` sends MKCOL once per process rather than once per object.
 *
 * MKCOL answers seen on real servers (../../shared/recipes/dav-check.sh): 201 created; 405 when
 * it exists (Apache, nginx, nephele, webdav-server); 201 again when it exists (rclone); 409 when
 * the parent is missing (all five); 403 to the loser of a MKCOL race (Apache). A collection deleted behind our back is noticed by the PUT
 * that fails (409, 404 on rclone, 500 on nginx) and forgotten (see `forget`).
 */
import { StorageError } from '@syncacross/sync-core';
import { KeyedSingleFlight } from '@syncacross/sync-core/adapter-kit';
import { errorFromStatus } from './errors.js';
import type { DavTransport } from './client.js';

export class Collections {
  private readonly known = new Set<string>();
  private readonly creating = new KeyedSingleFlight<void>();

  constructor(private readonly transport: DavTransport) {}

  /** Makes sure the collection at `names` (below the root) exists, creating missing ancestors. */
  async ensure(names: readonly string[]): Promise<void> {
    const id = names.join('/');
    if (this.known.has(id)) return;
    // Racing uploads into one new collection share one MKCOL.
    await this.creating.run(id, () => this.create(names));
  }

  /** Forgets a collection (and everything below it) after a request showed it is gone. */
  forget(names: readonly string[]): void {
    const id = names.join('/');
    for (const k of [...this.known]) if (k === id || k.startsWith(`${id}/`) || id === '') this.known.delete(k);
  }

  private async create(names: readonly string[]): Promise<void> {
    const components = [...this.transport.rootComponents, ...names];
    await this.mkcol(components, this.transport.rootComponents.length === 0 && names.length === 0);
    this.known.add(names.join('/'));
  }

  private async exists(url: string): Promise<boolean> {
    const answer = await this.transport.request('PROPFIND', url, `check collection ${url}`, { headers: { Depth: '0' } }).catch(() => undefined);
    return answer?.status === 207;
  }

  /** MKCOL `components` (from the base URL); on 409, creates the parent first and tries again. */
  private async mkcol(components: readonly string[], isBase: boolean): Promise<void> {
    const url = this.transport.urlFromBase(components);
    for (let attempt = 0; ; attempt++) {
      const answer = await this.transport.request('MKCOL', url, `create collection ${url}`);
      if (answer.status === 201 || answer.status === 200 || answer.status === 204 || answer.status === 405) return;
      const parentMissing = answer.status === 409 || answer.status === 404;
      if (!parentMissing || attempt > 0) {
        // Apache answers 403 to the loser of two racing MKCOLs of one collection (seen with two
        // nodes creating `packs~/` at once): if the collection is there now, that is success.
        if (await this.exists(url)) return;
        throw errorFromStatus(answer, `create collection ${url} (MKCOL)`);
      }
      if (isBase || components.length === 0) {
        throw new StorageError('InvalidConfig', `${url}: the server says the folder above the WebDAV URL does not exist; check the url option`);
      }
      await this.mkcol(components.slice(0, -1), components.length === 1);
    }
  }
}
