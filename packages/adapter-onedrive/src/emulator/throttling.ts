/**
 * Injectable throttling. Graph answers 429 (and 503 when overloaded) with an error body and,
 * usually, a Retry-After header in seconds; clients must wait that long before *any* further
 * request, and without the header fall back to exponential back-off
 * (https://learn.microsoft.com/graph/throttling, "Best practices to handle throttling";
 * https://learn.microsoft.com/answers/questions/922050/no-retry-after-in-header).
 *
 * A storm throttles every request until it ends. The emulator also records requests that
 * arrive while a Retry-After it announced is still running: a client that honors Retry-After
 * for every request (not just the throttled one) sends none after a short grace period.
 */
export type RetryAfterStyle = 'seconds' | 'http-date' | 'missing';

export interface StormSpec {
  /**
   * 429 and 503 are Graph's throttles; 509 Bandwidth Limit Exceeded is SharePoint's when an app
   * or tenant exceeds its bandwidth (real-world mode `bandwidthThrottle`, see index.ts; source:
   * https://learn.microsoft.com/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online).
   */
  status?: 429 | 503 | 509;
  /** How long the storm lasts (and what Retry-After announces), ms. Rounded up to whole seconds on the wire. */
  durationMs: number;
  retryAfter?: RetryAfterStyle;
}

export interface ScheduleSpec extends StormSpec {
  /** Start a storm after every N requests that were served normally. */
  everyRequests: number;
  /** Alternate these Retry-After styles from storm to storm (overrides `retryAfter`). */
  styles?: RetryAfterStyle[];
}

export interface ThrottleStats {
  storms: number;
  throttledResponses: number;
  /** Requests that arrived after the grace period while an announced Retry-After was running. */
  earlyRequests: number;
  styles: RetryAfterStyle[];
}

const THROTTLE_BODIES = {
  429: ['activityLimitReached', 'The request has been throttled'],
  503: ['serviceNotAvailable', 'Service unavailable'],
  509: ['bandwidthLimitExceeded', 'Bandwidth Limit Exceeded'],
} as const;

/** In-flight requests sent before the client saw the first 429 may still land: allow for them. */
const GRACE_MS = 150;

export class Throttler {
  private stormUntil = 0;
  private announcedUntil = 0;
  private windowStart = 0;
  private current: StormSpec | undefined;
  private schedule: ScheduleSpec | undefined;
  private servedSinceStorm = 0;
  private pendingCount = 0;
  private pending: StormSpec | undefined;
  readonly stats: ThrottleStats = { storms: 0, throttledResponses: 0, earlyRequests: 0, styles: [] };

  /** Throttles the next `count` requests (each answered with `spec`), regardless of time. */
  throttleNext(count: number, spec: Omit<StormSpec, 'durationMs'> & { durationMs?: number }): void {
    this.pendingCount = count;
    this.pending = { durationMs: 1000, ...spec };
  }

  startStorm(spec: StormSpec, now = Date.now()): void {
    this.current = spec;
    this.stormUntil = now + spec.durationMs;
    this.stats.storms++;
    this.stats.styles.push(spec.retryAfter ?? 'seconds');
  }

  scheduleStorms(spec: ScheduleSpec | undefined): void {
    this.schedule = spec;
    this.servedSinceStorm = 0;
  }

  /** Returns a throttling response for this request, or undefined to serve it. */
  check(now = Date.now()): Response | undefined {
    if (now < this.announcedUntil && now > this.windowStart + GRACE_MS) this.stats.earlyRequests++;
    if (this.pendingCount > 0 && this.pending) {
      this.pendingCount--;
      return this.respond(this.pending, now, now + this.pending.durationMs);
    }
    if (now < this.stormUntil && this.current) return this.respond(this.current, now, this.stormUntil);
    if (this.schedule && ++this.servedSinceStorm > this.schedule.everyRequests) {
      this.servedSinceStorm = 0;
      const styles = this.schedule.styles;
      const style = styles ? styles[this.stats.storms % styles.length] : this.schedule.retryAfter;
      this.startStorm({ ...this.schedule, retryAfter: style }, now);
      return this.respond(this.current!, now, this.stormUntil);
    }
    return undefined;
  }

  private respond(spec: StormSpec, now: number, until: number): Response {
    this.stats.throttledResponses++;
    if (now >= this.announcedUntil) this.windowStart = now;
    const headers = new Headers({ 'content-type': 'application/json' });
    const style = spec.retryAfter ?? 'seconds';
    if (style === 'seconds') {
      const seconds = Math.max(1, Math.ceil((until - now) / 1000));
      headers.set('retry-after', String(seconds));
      this.announcedUntil = Math.max(this.announcedUntil, now + seconds * 1000);
    } else if (style === 'http-date') {
      // HTTP dates have one-second resolution: round up so the announced time covers the storm.
      const at = Math.ceil(until / 1000) * 1000;
      headers.set('retry-after', new Date(at).toUTCString());
      this.announcedUntil = Math.max(this.announcedUntil, at);
    }
    const status = spec.status ?? 429;
    const [code, message] = THROTTLE_BODIES[status];
    const body = { error: { code, message } };
    return new Response(JSON.stringify(body), { status, headers });
  }
}
