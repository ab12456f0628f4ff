/**
 * Optional listing through the `/delta` feed (https://learn.microsoft.com/graph/api/driveitem-delta):
 * the first call enumerates the library folder page by page (`@odata.nextLink`) and ends with an
 * `@odata.deltaLink`; later calls ask only for what changed since, so a listing when nothing
 * changed costs ONE request however many writers and folders there are. Deleted items come with
 * the `deleted` facet. A 410 `resyncRequired` means the token is too old: start over from an
 * empty index (never keep a stale one).
 *
 * Limits (from the same page): on OneDrive for Business and SharePoint, delta is only supported
 * on the drive root folder, so this mode suits personal drives or a library at the drive root;
 * the feed may also lag behind writes, so this mode does not claim consistent listing.
 */
import { compareKeys, StorageError, type ObjectInfo } from '@syncacross/sync-core';
import type { GraphTransport } from './client.js';
import { httpStatusOf } from './errors.js';
import { stripQuotes } from './listing.js';
import type { OneDriveNames } from './names.js';
import type { DriveItemJson } from './upload-session.js';

interface Entry {
  name: string;
  parentId: string | undefined;
  isFolder: boolean;
  info: Omit<ObjectInfo, 'key'>;
}

const SELECT = 'id,name,size,eTag,lastModifiedDateTime,file,folder,deleted,parentReference';

export class DeltaIndex {
  private entries = new Map<string, Entry>();
  private deltaLink: string | undefined;
  private syncing: Promise<void> | undefined;
  /** Full enumerations done (1 + resyncs), for tests and diagnostics. */
  enumerations = 0;

  constructor(
    private readonly t: GraphTransport,
    private readonly basePath: string,
    private readonly folderId: string,
    private readonly pageSize: number,
    private readonly names: OneDriveNames,
  ) {}

  /** Brings the index up to date; concurrent callers share one round of requests. */
  sync(): Promise<void> {
    this.syncing ??= this.catchUp().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async catchUp(): Promise<void> {
    try {
      await this.follow(this.deltaLink);
    } catch (e) {
      if (httpStatusOf(e) !== 410) throw e;
      // resyncRequired: the token expired. Rebuild from scratch rather than trust old state.
      this.deltaLink = undefined;
      await this.follow(undefined);
    }
  }

  private async follow(start: string | undefined): Promise<void> {
    const fresh = start === undefined;
    const staged = fresh ? new Map<string, Entry>() : this.entries;
    if (fresh) this.enumerations++;
    let next: string | undefined = start ?? `${this.basePath}/delta?$top=${this.pageSize}&$select=${SELECT}`;
    // Changes are applied to a copy-on-first-enumeration map and committed only when the feed
    // reaches its deltaLink: a failure mid-way leaves the previous, consistent index.
    const pending: DriveItemJson[] = [];
    for (;;) {
      const link: string = next!;
      const page: { value: DriveItemJson[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string } = await this.t.run('delta', (c) => c.api(link).get());
      pending.push(...page.value);
      if (page['@odata.nextLink']) next = this.t.relative(page['@odata.nextLink']);
      else if (page['@odata.deltaLink']) {
        this.apply(staged, pending);
        this.entries = staged;
        this.deltaLink = this.t.relative(page['@odata.deltaLink']);
        return;
      } else throw new StorageError('Corrupt', 'delta page with neither @odata.nextLink nor @odata.deltaLink');
    }
  }

  private apply(into: Map<string, Entry>, items: DriveItemJson[]): void {
    for (const item of items) {
      if (item.deleted !== undefined) {
        into.delete(item.id);
        continue;
      }
      const info: Omit<ObjectInfo, 'key'> = { size: item.size ?? 0 };
      if (item.eTag) info.etag = stripQuotes(item.eTag);
      if (item.lastModifiedDateTime) info.modified = new Date(item.lastModifiedDateTime);
      into.set(item.id, { name: item.name, parentId: item.parentReference?.id, isFolder: item.folder !== undefined, info });
    }
  }

  /** Keys under `prefix` after `startAfter`, from the index (call sync() first). */
  list(prefix: string, startAfter: string | undefined): ObjectInfo[] {
    const dirKeys = new Map<string, string | null>(); // folder id → key prefix ('' for the base), null if not ours
    const keyDir = (id: string | undefined, depth = 0): string | null => {
      if (id === this.folderId) return '';
      if (id === undefined || depth > 200) return null;
      const known = dirKeys.get(id);
      if (known !== undefined) return known;
      const e = this.entries.get(id);
      const segment = e && e.isFolder ? this.names.parseChildName(e.name, true) : undefined;
      const parent = segment === undefined ? null : keyDir(e!.parentId, depth + 1);
      const result = parent === null || segment === undefined ? null : `${parent}${segment}/`;
      dirKeys.set(id, result);
      return result;
    };
    const out: ObjectInfo[] = [];
    for (const e of this.entries.values()) {
      if (e.isFolder) continue;
      const segment = this.names.parseChildName(e.name, false);
      const dir = segment === undefined ? null : keyDir(e.parentId);
      if (dir === null) continue;
      const key = dir + segment;
      if (key.startsWith(prefix) && (startAfter === undefined || compareKeys(key, startAfter) > 0)) out.push({ key, ...e.info });
    }
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }
}
