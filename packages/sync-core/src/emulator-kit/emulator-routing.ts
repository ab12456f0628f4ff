/**
 * What an msw handler hands requests to, for emulators reached on made-up host names: one
 * emulator at a time that a test swaps for a fresh one, or one emulator per host. msw itself is
 * wired in each adapter's test/support/emulator.ts, because it is a development dependency of the
 * workspace and not of sync-core (whose `/testing` build must not bundle it):
 *
 *   const emulators = new EmulatorSwitch(createDropboxEmulator());
 *   const server = setupServer(http.all(HOSTS, ({ request }) => emulators.handle(request)));
 */

/** An emulator: a fetch-style handler (what `serveFetchHandler` serves on a real port). */
export interface HandlesRequests {
  /** Answers one request. */
  handle(request: Request): Response | Promise<Response>;
}

const noEmulator = () => new Response('no emulator on this host', { status: 502 });

/**
 * One emulator answers at a time; `use` swaps in a fresh one (a test starts from a clean state).
 * Until the first emulator arrives, requests are answered 502 rather than reaching the network.
 */
export class EmulatorSwitch<E extends HandlesRequests> {
  constructor(private current?: E) {}

  /** The emulator answering now; throws before the first one. */
  get emulator(): E {
    if (!this.current) throw new Error('no emulator yet: call use() first');
    return this.current;
  }

  /** Makes `next` the one answering from now on, and returns it. */
  use(next: E): E {
    this.current = next;
    return next;
  }

  /** Hands a request to the current emulator (502 without one): what the msw handler calls. */
  readonly handle = (request: Request): Response | Promise<Response> => this.current?.handle(request) ?? noEmulator();
}

/**
 * One emulator per made-up host, so tests in a file (and files running at once) never share
 * state. A request to a host with no emulator is answered 502 rather than reaching the network.
 */
export class EmulatorsByHost<E extends HandlesRequests> {
  private readonly byHost = new Map<string, E>();
  private counter = 0;

  /** `domain`: the made-up domain the hosts live under, e.g. `gdrive.test`. */
  constructor(private readonly domain: string) {}

  /** Puts `emulator` on a host of its own and returns that host's origin, ending in `/`. */
  add(emulator: E): string {
    const host = `emu-${process.pid}-${++this.counter}.${this.domain}`;
    this.byHost.set(host, emulator);
    return `https://${host}/`;
  }

  /** Hands a request to the emulator of its host (502 for an unknown host): what the msw handler calls. */
  readonly handle = (request: Request): Response | Promise<Response> => this.byHost.get(new URL(request.url).host)?.handle(request) ?? noEmulator();
}
