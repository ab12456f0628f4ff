/**
 * The Graph drive API routes of the emulator (`/v1.0/...`). Behaviour follows the Graph docs:
 * - conflictBehavior fail/replace/rename as a query parameter (or in the upload-session body);
 *   fail on an existing name → 409 `nameAlreadyExists`
 *   (https://learn.microsoft.com/graph/api/resources/driveitem, "Instance attributes";
 *   https://learn.microsoft.com/graph/api/driveitem-put-content).
 * - If-Match with an eTag or cTag → 412 when stale.
 * - GET /content → 302 to a pre-authenticated download URL; Range honored there
 *   (https://learn.microsoft.com/graph/api/driveitem-get-content, "Partial range downloads").
 * - /children pages with `@odata.nextLink` and `$top`; /delta (delta.ts).
 */
import type { DriveItemState } from './drive-state.js';
import { DriveState } from './drive-state.js';
import { serveDelta } from './delta.js';
import { parseGraphPath, type GraphPath } from './graph-path.js';
import { foldName, nameProblem, sharePointProblem } from './names.js';
import { driveItemJson, graphError, json } from './responses.js';
import { ifMatchFails, REAL_FRAGMENT_LIMIT, UploadSessions } from './upload-sessions.js';

export interface GraphRoutesOptions {
  /** Default and maximum `/children` page sizes (Graph: 200 by default). */
  pageSize?: number;
  maxPageSize?: number;
  /** Simulates the field reports: `conflictBehavior=fail` silently treated as `replace`. */
  ignoreConflictBehavior?: boolean;
  /**
   * Real-world mode (OneDrive for Business): `conflictBehavior=fail` in an upload session body
   * is ignored (the session overwrites), while simple PUTs and renames still honor it.
   * Source: https://github.com/microsoftgraph/microsoft-graph-docs/issues/3276 ("conflict
   * behavior does not fail resumable uploads": the returned upload URL carries `overwrite=True`).
   */
  sessionIgnoresConflictBehavior?: boolean;
  /**
   * Real-world mode: refuse upload fragments of 60 MiB or more (true), or above a given size (for
   * tests), with 413 (https://learn.microsoft.com/graph/api/driveitem-createuploadsession).
   */
  fragmentLimit?: boolean | number;
  /** Real-world mode: folder names starting with `~` and paths over 400 characters refused (names.ts, sharePointProblem). */
  sharePointLimits?: boolean;
  /** Real-world mode: the first N requests to each upload URL answer a transient 404 (upload-sessions.ts). */
  transientUploadNotFound?: number;
  /** Largest body a simple PUT /content accepts (the documented 4 MB limit by default). */
  simpleUploadLimit?: number;
  /**
   * Real-world mode (OneDrive for Business, SharePoint): delta only on the drive root; a folder's
   * delta on a business drive answers 501 notSupported (delta.ts).
   */
  deltaOnlyAtRoot?: boolean;
  /** Name of the app folder under `Apps/` (created on first access, like Graph does). */
  appFolderName?: string;
  /**
   * Where `/content`'s 302 sends a download: this emulator's origin by default. Graph's download
   * URLs are on another host (SharePoint's, or 1drv.com's); a test points them at a server of its own.
   */
  downloadOrigin?: string;
}

type Behavior = 'fail' | 'replace' | 'rename';

export class GraphRoutes {
  readonly drives = new Map<string, DriveState>();
  readonly me: DriveState;
  readonly uploads = new UploadSessions();
  private readonly sites = new Map<string, DriveState>();

  constructor(readonly options: GraphRoutesOptions = {}) {
    this.me = this.addDrive('me-drive-0001', 'personal');
    this.uploads.transientNotFound = options.transientUploadNotFound ?? 0;
    if (options.fragmentLimit !== undefined && options.fragmentLimit !== false) this.uploads.maxFragmentBytes = options.fragmentLimit === true ? REAL_FRAGMENT_LIMIT : options.fragmentLimit;
  }

  addDrive(id: string, type: DriveState['driveType'] = 'business', siteId?: string): DriveState {
    const drive = new DriveState(id, type, siteId);
    this.drives.set(id, drive);
    if (siteId) this.sites.set(siteId, drive);
    return drive;
  }

  async handle(request: Request, url: URL, origin: string, graphPathname: string): Promise<Response> {
    const p = parseGraphPath(graphPathname);
    if (!p) return graphError(400, 'invalidRequest', `Unsupported resource ${graphPathname}`);
    const drive = p.drive.kind === 'me' ? this.me : p.drive.kind === 'id' ? this.drives.get(p.drive.id) : this.sites.get(p.drive.siteId);
    if (!drive) return graphError(404, 'itemNotFound', 'The drive or site was not found');
    if (p.base.kind === 'drive') {
      if (request.method !== 'GET') return graphError(405, 'invalidRequest', 'Method not allowed');
      return json({ id: drive.id, driveType: drive.driveType, root: driveItemJson(drive, drive.items.get(drive.rootId)!, origin) });
    }
    const base = this.baseItem(drive, p);
    if (!base) return graphError(404, 'itemNotFound', 'Item not found');
    const m = request.method;
    const creating = (m === 'PUT' && p.action === 'content') || (m === 'POST' && p.action === 'createUploadSession');
    if (creating && p.segments.length > 0) return this.createByPath(request, url, origin, drive, base, p.segments, p.action);
    const item = this.walk(drive, base, p.segments);
    if (!item) return graphError(404, 'itemNotFound', 'The resource could not be found.');
    if (m === 'GET' && p.action === '') return json(driveItemJson(drive, item, origin));
    if (m === 'GET' && p.action === 'children') return this.children(url, origin, drive, item);
    if (m === 'POST' && p.action === 'children') return this.createFolder(request, url, origin, drive, item);
    if (m === 'GET' && p.action === 'content') {
      if (item.isFolder) return graphError(404, 'itemNotFound', 'Only files have content');
      return new Response(null, { status: 302, headers: { location: `${this.options.downloadOrigin ?? origin}/_download/${encodeURIComponent(drive.id)}/${item.id}?v=${item.contentVersion}` } });
    }
    if (m === 'GET' && p.action === 'delta') {
      const excludeParents = request.headers.has('deltaexcludeparent');
      return serveDelta({ url, origin, drive, folder: item, pageSize: this.pageSize(url), excludeParents, rootOnly: this.options.deltaOnlyAtRoot === true });
    }
    if (m === 'PUT' && p.action === 'content') return this.replaceById(request, origin, drive, item);
    if (m === 'POST' && p.action === 'createUploadSession') {
      const ifMatch = request.headers.get('if-match');
      if (ifMatchFails(item, ifMatch)) return graphError(412, 'preconditionFailed', 'ETag does not match');
      return this.uploads.create(origin, drive, (bytes) => {
        if (!drive.live(item.id)) return graphError(404, 'itemNotFound', 'The item was deleted during the upload');
        if (ifMatchFails(item, ifMatch)) return graphError(412, 'preconditionFailed', 'ETag does not match');
        drive.replaceContent(item, bytes);
        return json(driveItemJson(drive, item, origin), 200);
      });
    }
    if (m === 'PATCH' && p.action === '' && p.segments.length === 0) return this.update(request, url, origin, drive, item);
    if (m === 'DELETE' && p.action === '') {
      if (item.parentId === undefined) return graphError(403, 'accessDenied', 'The root cannot be deleted');
      if (ifMatchFails(item, request.headers.get('if-match'))) return graphError(412, 'preconditionFailed', 'ETag does not match');
      drive.remove(item);
      return new Response(null, { status: 204 });
    }
    return graphError(405, 'invalidRequest', `${m} is not supported on this resource`);
  }

  private baseItem(drive: DriveState, p: GraphPath): DriveItemState | undefined {
    if (p.base.kind === 'root') return drive.live(drive.rootId);
    if (p.base.kind === 'approot') {
      const apps = drive.ensureFolder(drive.rootId, 'Apps');
      return drive.ensureFolder(apps.id, this.options.appFolderName ?? 'syncacross');
    }
    if (p.base.kind === 'item') return drive.live(p.base.id);
    return undefined;
  }

  private walk(drive: DriveState, base: DriveItemState, segments: string[]): DriveItemState | undefined {
    let cur: DriveItemState | undefined = base;
    for (const s of segments) {
      if (!cur || !cur.isFolder) return undefined;
      cur = drive.childByName(cur.id, s);
    }
    return cur;
  }

  private behavior(url: URL, fallback: Behavior, body?: unknown, session = false): Behavior {
    const fromBody = (body as { item?: Record<string, unknown> } | undefined)?.item?.['@microsoft.graph.conflictBehavior'];
    const asked = (url.searchParams.get('@microsoft.graph.conflictBehavior') ?? fromBody ?? fallback) as Behavior;
    if (asked === 'fail' && (this.options.ignoreConflictBehavior || (session && this.options.sessionIgnoresConflictBehavior))) return 'replace';
    return asked;
  }

  /**
   * PATCH /items/{id}: rename and/or move (https://learn.microsoft.com/graph/api/driveitem-move,
   * https://learn.microsoft.com/graph/api/driveitem-update); a taken name answers 409
   * nameAlreadyExists unless `@microsoft.graph.conflictBehavior=replace` is in the query.
   */
  private async update(request: Request, url: URL, origin: string, drive: DriveState, item: DriveItemState): Promise<Response> {
    if (item.parentId === undefined) return graphError(403, 'accessDenied', 'The root cannot be renamed');
    if (ifMatchFails(item, request.headers.get('if-match'))) return graphError(412, 'preconditionFailed', 'ETag does not match');
    const body = (await request.json().catch(() => ({}))) as { name?: string; parentReference?: { id?: string } };
    const name = body.name ?? item.name;
    const parent = body.parentReference?.id === undefined ? drive.live(item.parentId) : drive.live(body.parentReference.id);
    if (!parent?.isFolder) return graphError(400, 'invalidRequest', 'The new parent is not a folder');
    const problem = nameProblem(name, drive.business);
    if (problem) return graphError(400, 'invalidRequest', `Invalid name ${JSON.stringify(name)}: ${problem}`);
    const refused = this.sharePointRefuses(drive, parent, [name], item.isFolder);
    if (refused) return refused;
    const existing = drive.childByName(parent.id, name);
    if (existing && existing.id !== item.id) {
      if (this.behavior(url, 'fail') !== 'replace' || existing.isFolder) return graphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
      drive.remove(existing);
    }
    drive.move(item, parent.id, name);
    return json(driveItemJson(drive, item, origin));
  }

  /** PUT …:/a/b:/content and POST …:/a/b:/createUploadSession: parents are created as needed. */
  private async createByPath(request: Request, url: URL, origin: string, drive: DriveState, base: DriveItemState, segments: string[], action: GraphPath['action']): Promise<Response> {
    for (const s of segments) {
      const problem = nameProblem(s, drive.business);
      if (problem) return graphError(400, 'invalidRequest', `Invalid name ${JSON.stringify(s)}: ${problem}`);
    }
    const refused = this.sharePointRefuses(drive, base, segments);
    if (refused) return refused;
    const ifMatch = request.headers.get('if-match');
    const name = segments[segments.length - 1]!;
    const parentOf = (): DriveItemState | Response => {
      let cur = base;
      for (const s of segments.slice(0, -1)) {
        const next = drive.childByName(cur.id, s);
        if (next && !next.isFolder) return graphError(409, 'nameAlreadyExists', `${s} is a file, not a folder`);
        cur = next ?? drive.ensureFolder(cur.id, s);
      }
      return cur;
    };
    const write = (bytes: Uint8Array, behavior: Behavior, created: number): Response => {
      const parent = parentOf();
      if (parent instanceof Response) return parent;
      const existing = drive.childByName(parent.id, name);
      if (ifMatch !== null) {
        if (!existing) return graphError(404, 'itemNotFound', 'The resource could not be found.');
        if (ifMatchFails(existing, ifMatch)) return graphError(412, 'preconditionFailed', 'ETag does not match');
      }
      if (existing && (behavior === 'fail' || existing.isFolder) && behavior !== 'rename') {
        return graphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
      }
      if (existing && behavior === 'replace') {
        drive.replaceContent(existing, bytes);
        return json(driveItemJson(drive, existing, origin), 200);
      }
      const finalName = existing ? this.freeName(drive, parent.id, name) : name;
      return json(driveItemJson(drive, drive.createFile(parent.id, finalName, bytes), origin), created);
    };
    if (action === 'content') {
      const bytes = new Uint8Array(await request.arrayBuffer());
      const limit = this.options.simpleUploadLimit ?? 4 * 1024 * 1024;
      if (bytes.byteLength > limit) return graphError(413, 'requestEntityTooLarge', `Simple upload is limited to ${limit} bytes: use an upload session`);
      return write(bytes, this.behavior(url, 'replace'), 201);
    }
    const body = await request.json().catch(() => ({}));
    const behavior = this.behavior(url, 'replace', body, true);
    // A name that already exists fails at once under `fail`, and again at commit if it appeared meanwhile.
    const parent = parentOf();
    if (parent instanceof Response) return parent;
    const existing = drive.childByName(parent.id, name);
    if (existing && behavior === 'fail') return graphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
    if (ifMatch !== null && ifMatchFails(existing, ifMatch)) return graphError(412, 'preconditionFailed', 'ETag does not match');
    return this.uploads.create(origin, drive, (bytes) => write(bytes, behavior, 201));
  }

  /** In the sharePointLimits mode: the answer SharePoint gives to creating these folders and file, if any. */
  private sharePointRefuses(drive: DriveState, base: DriveItemState, segments: string[], lastIsFolder = false): Response | undefined {
    if (!this.options.sharePointLimits) return undefined;
    let path = drive.plainPathOf(base.id);
    for (const [i, s] of segments.entries()) {
      path = path === '' ? s : `${path}/${s}`;
      const problem = sharePointProblem(s, i < segments.length - 1 || lastIsFolder, path);
      if (problem) return graphError(400, 'invalidRequest', problem.message, problem.detail);
    }
    return undefined;
  }

  private freeName(drive: DriveState, parentId: string, name: string): string {
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let i = 1; ; i++) if (!drive.childByName(parentId, `${stem} ${i}${ext}`)) return `${stem} ${i}${ext}`;
  }

  private async replaceById(request: Request, origin: string, drive: DriveState, item: DriveItemState): Promise<Response> {
    if (item.isFolder) return graphError(409, 'nameAlreadyExists', 'Cannot write content to a folder');
    if (ifMatchFails(item, request.headers.get('if-match'))) return graphError(412, 'preconditionFailed', 'ETag does not match');
    drive.replaceContent(item, new Uint8Array(await request.arrayBuffer()));
    return json(driveItemJson(drive, item, origin));
  }

  private async createFolder(request: Request, url: URL, origin: string, drive: DriveState, parent: DriveItemState): Promise<Response> {
    const body = (await request.json().catch(() => ({}))) as { name?: string; folder?: unknown; '@microsoft.graph.conflictBehavior'?: Behavior };
    if (!body.name || body.folder === undefined) return graphError(400, 'invalidRequest', 'name and folder are required');
    const problem = nameProblem(body.name, drive.business);
    if (problem) return graphError(400, 'invalidRequest', problem);
    const refused = this.sharePointRefuses(drive, parent, [body.name], true);
    if (refused) return refused;
    const existing = drive.childByName(parent.id, body.name);
    const behavior = body['@microsoft.graph.conflictBehavior'] ?? (url.searchParams.get('@microsoft.graph.conflictBehavior') as Behavior | null) ?? 'fail';
    if (existing && behavior === 'fail') return graphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
    if (existing?.isFolder && behavior === 'replace') return json(driveItemJson(drive, existing, origin), 200);
    return json(driveItemJson(drive, drive.ensureFolder(parent.id, existing ? this.freeName(drive, parent.id, body.name) : body.name), origin), 201);
  }

  private pageSize(url: URL): number {
    const max = this.options.maxPageSize ?? 1000;
    const top = Number(url.searchParams.get('$top') ?? this.options.pageSize ?? 200);
    return Math.max(1, Math.min(Number.isFinite(top) ? top : 200, max));
  }

  private children(url: URL, origin: string, drive: DriveState, folder: DriveItemState): Response {
    if (!folder.isFolder) return json({ value: [] });
    const size = this.pageSize(url);
    const after = url.searchParams.get('$skiptoken');
    const all = drive.childrenOf(folder.id).sort((a, b) => (foldName(a.name) < foldName(b.name) ? -1 : 1));
    const from = after === null ? all : all.filter((c) => foldName(c.name) > Buffer.from(after, 'base64url').toString('utf8'));
    const page = from.slice(0, size);
    const body: Record<string, unknown> = { value: page.map((c) => driveItemJson(drive, c, origin)) };
    if (from.length > size) {
      const next = new URL(url);
      next.searchParams.set('$skiptoken', Buffer.from(foldName(page[page.length - 1]!.name)).toString('base64url'));
      body['@odata.nextLink'] = next.toString();
    }
    return json(body);
  }
}
