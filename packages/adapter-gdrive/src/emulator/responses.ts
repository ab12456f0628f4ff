/**
 * Drive's response shapes. Errors follow the two-level format Google documents in "Resolve
 * errors" (https://developers.google.com/drive/api/guides/handle-errors):
 *
 *   {"error": {"code": 403, "message": "...", "errors": [{"domain": "usageLimits",
 *              "reason": "userRateLimitExceeded", "message": "..."}]}}
 */

export interface DriveErrorDetail {
  domain?: string;
  reason: string;
  message?: string;
  location?: string;
  locationType?: string;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=UTF-8', ...headers } });
}

export function driveError(status: number, reason: string, message: string, extra: Partial<DriveErrorDetail> & { headers?: Record<string, string> } = {}): Response {
  const { headers, ...detail } = extra;
  const domain = detail.domain ?? (reason.endsWith('RateLimitExceeded') || reason === 'rateLimitExceeded' ? 'usageLimits' : 'global');
  return json({ error: { code: status, message, errors: [{ ...detail, domain, reason, message }] } }, status, headers);
}

export const notFound = (fileId: string) => driveError(404, 'notFound', `File not found: ${fileId}.`, { location: 'fileId', locationType: 'parameter' });

export const invalidParameter = (location: string, message = 'Invalid Value') => driveError(400, 'invalid', message, { location, locationType: 'parameter' });

export const unauthenticated = () =>
  driveError(401, 'authError', 'Invalid Credentials', {
    location: 'Authorization',
    locationType: 'header',
    headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  });

/** The canned errors the fault injector can produce, with Drive's reasons and messages. */
export function cannedError(kind: InjectableError, retryAfterSeconds?: number): Response {
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  switch (kind) {
    case 'userRateLimitExceeded':
      return driveError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded. Rate of requests for user exceed configured project quota.', { headers });
    case 'rateLimitExceeded':
      return driveError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', { headers });
    case '429':
      return driveError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', { headers });
    case '500':
      return driveError(500, 'backendError', 'Backend Error', { headers });
    case '502':
      return new Response('<html><body>Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html', ...headers } });
    case '503':
      return driveError(503, 'backendError', 'The service is currently unavailable.', { headers });
  }
}

/** The 403s of real-world.ts's modes, with the reasons and messages Drive (and rclone's logs) show. */
export const realWorldErrors = {
  uploadCap: () => driveError(403, 'userRateLimitExceeded', 'User rate limit exceeded.', { domain: 'usageLimits' }),
  downloadQuota: () => driveError(403, 'downloadQuotaExceeded', 'The download quota for this file has been exceeded.', { domain: 'usageLimits' }),
  insufficientFilePermissions: (fileId: string) => driveError(403, 'insufficientFilePermissions', `The user does not have sufficient permissions for file ${fileId}.`),
  folderFull: () => driveError(403, 'numChildrenInNonRootLimitExceeded', "The limit for this folder's number of children (files and folders) has been exceeded."),
};

export type InjectableError = 'userRateLimitExceeded' | 'rateLimitExceeded' | '429' | '500' | '502' | '503';

/**
 * Applies a `fields` selector such as `nextPageToken,files(id,name,size)` to a resource. Unknown
 * field names are ignored here (Drive answers 400 for them; the adapter never sends any).
 */
export function selectFields(resource: Record<string, unknown>, fields: string | null, defaults: string): Record<string, unknown> {
  const selector = parseSelector(fields && fields.trim() !== '' ? fields : defaults);
  return apply(resource, selector);
}

type Selector = Map<string, Selector | true>;

function parseSelector(text: string): Selector {
  let pos = 0;
  function list(): Selector {
    const out: Selector = new Map();
    for (;;) {
      let name = '';
      while (pos < text.length && !',()'.includes(text[pos]!)) name += text[pos++];
      name = name.trim();
      if (text[pos] === '(') {
        pos++;
        out.set(name, list());
        pos++; // ')'
      } else if (name !== '') {
        // `files/id` is the path form of `files(id)`.
        const [head, ...rest] = name.split('/');
        if (rest.length > 0) {
          const sub = (out.get(head!) as Selector | undefined) ?? new Map();
          sub.set(rest.join('/'), true);
          out.set(head!, sub);
        } else out.set(name, true);
      }
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      return out;
    }
  }
  return list();
}

function apply(value: Record<string, unknown>, selector: Selector): Record<string, unknown> {
  if (selector.has('*')) return value;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of selector) {
    if (!(name in value) || value[name] === undefined) continue;
    const v = value[name];
    if (sub === true) out[name] = v;
    else if (Array.isArray(v)) out[name] = v.map((x) => apply(x as Record<string, unknown>, sub));
    else if (v && typeof v === 'object') out[name] = apply(v as Record<string, unknown>, sub);
  }
  return out;
}
