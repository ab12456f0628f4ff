/** Options of the WebDAV adapter: validated once, defaults documented here. */
import { z } from '@syncacross/sync-core';

/** The options of `webdav:` remotes (`-o key=value` in the CLI), validated, with their defaults; README.md describes each. */
export const optionsSchema = z
  .object({
    /** Base URL of the WebDAV share, e.g. https://cloud.example.com/remote.php/dav/files/alice. */
    url: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL')
      .refine((u) => !/^https?:\/\/[^/]*@/i.test(u), 'put credentials in username/password (or bearerToken), not in the URL')
      .describe('Base URL of the WebDAV share, e.g. https://cloud.example.com/remote.php/dav/files/alice'),
    /** Folder inside `url` that holds the library (created if missing), e.g. "syncacross/photos". Default: `url` itself. */
    root: z.string().default('').describe('Folder inside `url` that holds the library (created if missing), e.g. "syncacross/photos". Default: `url` itself'),
    /** User name for HTTP Basic authentication. */
    username: z.string().optional().describe('User name for HTTP Basic authentication'),
    /** Password (or app password) for HTTP Basic authentication. Secret. */
    password: z.string().optional().describe('Password (or app password) for HTTP Basic authentication. Secret'),
    /** OAuth bearer token, sent as `Authorization: Bearer …`, instead of a user name and password. Secret. */
    bearerToken: z.string().optional().describe('OAuth bearer token, sent as `Authorization: Bearer …`, instead of a user name and password. Secret'),
    /** Extra HTTP headers sent with every request. Treated as secret (they often carry credentials). */
    headers: z.record(z.string(), z.string()).optional().describe('Extra HTTP headers sent with every request. Treated as secret (they often carry credentials)'),
    /** Verify the server's TLS certificate. Default true; false only for a test server you trust. */
    rejectUnauthorized: z.boolean().default(true).describe("Verify the server's TLS certificate. Default true; false only for a test server you trust"),
    /** Extra trusted CA certificate(s), PEM, for a self-signed or private-CA server. */
    ca: z.string().optional().describe('Extra trusted CA certificate(s), PEM, for a self-signed or private-CA server'),
    /** Most requests in flight at once. Default 8. */
    concurrency: z.number().int().min(1).max(64).default(8).describe('Most requests in flight at once. Default 8'),
    /** Per-request timeout in ms (a whole upload or download). Default 300000. */
    timeoutMs: z.number().int().positive().default(300_000).describe('Per-request timeout in ms (a whole upload or download). Default 300000'),
    /** Largest object accepted, in bytes (objects are sent in one PUT, from memory). Default 1 GiB. */
    maxObjectSize: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024 * 1024)
      .describe('Largest object accepted, in bytes (objects are sent in one PUT, from memory). Default 1 GiB'),
    /** At creation, measure which preconditions the server honors (about ten requests on hidden `~tmp-` names). false: assume the weakest server (check before create, no compare-and-swap) and send no request until first use. */
    probe: z
      .boolean()
      .default(true)
      .describe(
        'At creation, measure which preconditions the server honors (about ten requests on hidden `~tmp-` names). false: assume the weakest server (check before create, no compare-and-swap) and send no request until first use',
      ),
    /** Display name in messages. Default: webdav:<url>/<root>. */
    name: z.string().optional().describe('Display name in messages. Default: webdav:<url>/<root>'),
  })
  .strict()
  .refine((o) => !(o.bearerToken !== undefined && (o.username !== undefined || o.password !== undefined)), {
    message: 'give either username/password or bearerToken, not both',
    path: ['bearerToken'],
  })
  .refine((o) => o.password === undefined || o.username !== undefined, { message: 'password needs a username', path: ['username'] });

/** WebDAV options as given to `createWebDavStorage`. */
export type WebDavOptions = z.input<typeof optionsSchema>;
/** WebDAV options after parsing, defaults filled in. */
export type ResolvedWebDavOptions = z.output<typeof optionsSchema>;

/** The option names whose values are secrets: never printed, logged or put in `--json` output. */
export const secretOptions = ['password', 'bearerToken', 'headers'] as const;

/** `webdav:https://host/dav/library` → `{ url: 'https://host/dav/library' }`. */
export function parseLocation(location: string): Record<string, unknown> {
  return { url: location.trim() };
}
