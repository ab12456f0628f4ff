/**
 * list_folder, list_folder/continue, get_latest_cursor and longpoll. A cursor names the folder,
 * recursion and the journal position it has seen; `continue` pages through the rest of a listing,
 * then answers the changes since (files as metadata, removals as `deleted` entries). An
 * invalidated cursor answers 409 `reset` (ListFolderContinueError.reset: "the cursor has been
 * invalidated. Call list_folder to obtain a new cursor").
 */
import { randomBytes } from 'node:crypto';
import { nest, routeError, tag } from './errors.js';
import type { View } from './namespace.js';
import { lower, pathProblem } from './paths.js';

interface CursorState {
  ns: string;
  folder: string; // internal, lower-cased
  recursive: boolean;
  seq: number;
  epoch: number;
  /** The `limit` of the list_folder call: continuation pages keep it. */
  limit: number;
  page?: string;
}

const MAX_LIMIT = 2000;

export class Listings {
  /** Bumped by `resetCursors()`: every older cursor then answers `reset`. */
  epoch = 0;
  private readonly pages = new Map<string, unknown[]>();

  private encode(c: CursorState): string {
    return Buffer.from(JSON.stringify(c)).toString('base64url');
  }

  private decode(cursor: unknown, view: View): CursorState {
    let c: CursorState;
    try {
      c = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8')) as CursorState;
    } catch {
      throw routeError(tag('reset'));
    }
    if (c.epoch !== this.epoch || c.ns !== view.ns.id) throw routeError(tag('reset'));
    return c;
  }

  /** Resolves the folder a listing is about, or throws the LookupError. */
  private folderOf(view: View, path: unknown): { folder: string; exists: boolean } {
    if (typeof path !== 'string') throw routeError(nest('path', tag('malformed_path')));
    const problem = pathProblem(path, false);
    if (problem) throw routeError(nest('path', problem));
    const internal = view.inside(path);
    if (internal === '') return { folder: '', exists: true };
    const node = view.ns.get(internal);
    if (path === '' && !node) return { folder: lower(internal), exists: false }; // an app folder not created yet
    if (!node) throw routeError(nest('path', tag('not_found')));
    if (node.kind === 'file') throw routeError(nest('path', tag('not_folder')));
    return { folder: lower(internal), exists: true };
  }

  private page(state: CursorState, entries: unknown[]): unknown {
    const size = Math.max(1, Math.min(state.limit, MAX_LIMIT));
    if (entries.length <= size) return { entries, cursor: this.encode(state), has_more: false };
    const id = randomBytes(9).toString('base64url');
    this.pages.set(id, entries.slice(size));
    return { entries: entries.slice(0, size), cursor: this.encode({ ...state, page: id }), has_more: true };
  }

  listFolder(view: View, arg: Record<string, unknown>): unknown {
    const { folder, exists } = this.folderOf(view, arg.path);
    const recursive = arg.recursive === true;
    const limit = typeof arg.limit === 'number' ? arg.limit : MAX_LIMIT;
    const entries = exists ? view.ns.list(folder, recursive).map(([, n]) => view.metadata(n)) : [];
    if (recursive && arg.path !== '') entries.unshift(view.metadata(view.ns.get(folder)!));
    return this.page({ ns: view.ns.id, folder, recursive, seq: view.ns.seq, epoch: this.epoch, limit }, entries);
  }

  continue(view: View, arg: Record<string, unknown>): unknown {
    const c = this.decode(arg.cursor, view);
    if (c.page !== undefined) {
      const rest = this.pages.get(c.page);
      if (!rest) throw routeError(tag('reset'));
      this.pages.delete(c.page);
      return this.page({ ...c, page: undefined }, rest);
    }
    const entries = view.ns.changedSince(c.seq, c.folder, c.recursive).map((k) => {
      const n = view.ns.nodes.get(k);
      return n ? view.metadata(n) : view.deleted(k);
    });
    return this.page({ ...c, seq: view.ns.seq }, entries);
  }

  latestCursor(view: View, arg: Record<string, unknown>): unknown {
    const { folder } = this.folderOf(view, arg.path);
    const limit = typeof arg.limit === 'number' ? arg.limit : MAX_LIMIT;
    return { cursor: this.encode({ ns: view.ns.id, folder, recursive: arg.recursive === true, seq: view.ns.seq, epoch: this.epoch, limit }) };
  }

  /**
   * Whether anything changed since the cursor, waiting up to `timeout` seconds for a change
   * (ListFolderLongpollResult `{changes, backoff?}`). Dropbox takes 30-480 s and adds up to 90 s
   * of jitter; the emulator takes any timeout, without jitter, so tests can wait briefly. A
   * change already made after the cursor answers at once; a client that hangs up (`signal`)
   * ends the wait. `backoffSeconds` plays Dropbox asking the client to wait before it polls again.
   */
  async longpoll(viewOf: (namespaceId: string) => View | undefined, arg: Record<string, unknown>, signal?: AbortSignal, backoffSeconds?: number): Promise<unknown> {
    // longpoll takes no auth: the cursor alone says which namespace and folder to watch.
    let ns = '';
    try {
      ns = (JSON.parse(Buffer.from(String(arg.cursor), 'base64url').toString('utf8')) as CursorState).ns;
    } catch {
      /* decode() below answers reset */
    }
    const view = viewOf(ns);
    if (!view) throw routeError(tag('reset'));
    const c = this.decode(arg.cursor, view);
    const deadline = Date.now() + 1000 * (typeof arg.timeout === 'number' ? arg.timeout : 30);
    const answer = (changes: boolean) => (backoffSeconds === undefined ? { changes } : { changes, backoff: backoffSeconds });
    for (;;) {
      if (view.ns.changedSince(c.seq, c.folder, c.recursive).length > 0) return answer(true);
      if (Date.now() >= deadline || signal?.aborted) return answer(false);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
