/** Options of the OneDrive adapter, validated with zod; defaults are documented in `.describe()`. */
import { z } from '@syncacross/sync-core';
import { FRAGMENT_SIZE_RULE, FRAGMENT_UNIT, MAX_FRAGMENT_BYTES } from './upload-session.js';

const DEFAULT_GRAPH_BASE = 'https://graph.microsoft.com/v1.0';

/** The options of `onedrive:` remotes (`-o key=value` in the CLI), validated, with their defaults; README.md describes each. */
export const optionsSchema = z
  .object({
    /** Drive id (OneDrive for Business or a SharePoint library). Default: the signed-in user's drive (/me/drive). */
    driveId: z.string().min(1).optional().describe("Drive id (OneDrive for Business or a SharePoint library). Default: the signed-in user's drive (/me/drive)."),
    /** SharePoint site id: use the site's default document library. */
    siteId: z.string().min(1).optional().describe("SharePoint site id: use the site's default document library."),
    /** Where the library lives: "approot" (default: the app folder, /drive/special/approot), "approot/sub/dir", or a path from the drive root ("" = the root). */
    folder: z
      .string()
      .default('approot')
      .describe('Where the library lives: "approot" (default: the app folder, /drive/special/approot), "approot/sub/dir", or a path from the drive root ("" = the root).'),
    /** Application (client) id of YOUR app registration (see README). Required unless accessToken is given. */
    clientId: z.string().min(1).optional().describe('Application (client) id of YOUR app registration (see README). Required unless accessToken is given.'),
    /** Tenant: "common" (default), "consumers", "organizations", or a tenant id/domain. */
    tenant: z.string().min(1).default('common').describe('Tenant: "common" (default), "consumers", "organizations", or a tenant id/domain.'),
    /** Graph base URL incl. version (national clouds, the emulator). Default https://graph.microsoft.com/v1.0. */
    baseUrl: z.string().url().default(DEFAULT_GRAPH_BASE).describe('Graph base URL incl. version (national clouds, the emulator). Default https://graph.microsoft.com/v1.0.'),
    /** Identity platform base. Default: login.microsoftonline.com for Graph (or the matching national cloud), else the origin of baseUrl (the emulator serves both). */
    authorityUrl: z
      .string()
      .url()
      .optional()
      .describe('Identity platform base. Default: login.microsoftonline.com for Graph (or the matching national cloud), else the origin of baseUrl (the emulator serves both).'),
    /** Name of the saved sign-in: tokens live in <credentialsDir>/onedrive-<account>.json. */
    account: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .default('default')
      .describe('Name of the saved sign-in: tokens live in <credentialsDir>/onedrive-<account>.json.'),
    /** How `syncacross auth onedrive` signs in: "browser" (loopback redirect + PKCE) or "device-code" (a code to enter on another device). Default: browser where one can open, else device-code; `auth --device`/`--no-browser` override it. */
    authFlow: z
      .enum(['browser', 'device-code'])
      .optional()
      .describe(
        'How `syncacross auth onedrive` signs in: "browser" (loopback redirect + PKCE) or "device-code" (a code to enter on another device). Default: browser where one can open, else device-code; `auth --device`/`--no-browser` override it.',
      ),
    /** A ready access token (scripts, tests); skips the saved sign-in. Secret. */
    accessToken: z.string().min(1).optional().describe('A ready access token (scripts, tests); skips the saved sign-in. Secret.'),
    /** Graph scopes. Default Files.ReadWrite.AppFolder for the app folder, Files.ReadWrite.All (+ Sites.ReadWrite.All with siteId/driveId) otherwise. */
    scopes: z
      .array(z.string().min(1))
      .optional()
      .describe('Graph scopes. Default Files.ReadWrite.AppFolder for the app folder, Files.ReadWrite.All (+ Sites.ReadWrite.All with siteId/driveId) otherwise.'),
    /** "children" (default) walks folders with /children (consistent); "delta" follows the /delta change feed: one request when nothing changed, may lag behind writes, and Business/SharePoint only support it at the drive root. */
    listing: z
      .enum(['children', 'delta'])
      .default('children')
      .describe(
        '"children" (default) walks folders with /children (consistent); "delta" follows the /delta change feed: one request when nothing changed, may lag behind writes, and Business/SharePoint only support it at the drive root.',
      ),
    /** Items per /children page ($top). Default 200. */
    pageSize: z.number().int().min(1).max(1000).default(200).describe('Items per /children page ($top). Default 200.'),
    /** "auto" (default) checks at creation that conflictBehavior=fail is honored before claiming atomic create; "trust" claims it without checking; "off" never claims it. */
    atomicCreate: z
      .enum(['auto', 'trust', 'off'])
      .default('auto')
      .describe('"auto" (default) checks at creation that conflictBehavior=fail is honored before claiming atomic create; "trust" claims it without checking; "off" never claims it.'),
    /** Objects above this many bytes go through an upload session. Default 4 MiB. */
    simpleUploadLimit: z
      .number()
      .int()
      .min(0)
      .max(4 * 1024 * 1024)
      .default(4 * 1024 * 1024)
      .describe('Objects above this many bytes go through an upload session. Default 4 MiB.'),
    /** Upload-session fragment size, a multiple of 320 KiB under 60 MiB (at most 191 × 320 KiB). Default 10 MiB. */
    uploadFragmentSize: z
      .number()
      .int()
      .positive()
      .refine((n) => n % FRAGMENT_UNIT === 0 && n <= MAX_FRAGMENT_BYTES, `must be ${FRAGMENT_SIZE_RULE} (Graph refuses larger fragments)`)
      .default(32 * FRAGMENT_UNIT)
      .describe('Upload-session fragment size, a multiple of 320 KiB under 60 MiB (at most 191 × 320 KiB). Default 10 MiB.'),
  })
  .strict()
  .refine((o) => !(o.driveId && o.siteId), { message: 'give driveId or siteId, not both' });

/** OneDrive options after parsing, defaults filled in. */
export type OneDriveOptions = z.output<typeof optionsSchema>;
/** OneDrive options as given to `createOneDriveStorage`. */
export type OneDriveOptionsInput = z.input<typeof optionsSchema>;

/** The option names whose values are secrets: never printed, logged or put in `--json` output. */
export const secretOptions = ['accessToken'] as const;

const NATIONAL_AUTHORITIES: Record<string, string> = {
  'graph.microsoft.com': 'https://login.microsoftonline.com',
  'graph.microsoft.us': 'https://login.microsoftonline.us',
  'dod-graph.microsoft.us': 'https://login.microsoftonline.us',
  'microsoftgraph.chinacloudapi.cn': 'https://login.chinacloudapi.cn',
};

/** The identity platform to use with a Graph base URL. */
export function authorityBaseFor(o: Pick<OneDriveOptions, 'baseUrl' | 'authorityUrl'>): string {
  if (o.authorityUrl) return o.authorityUrl.replace(/\/+$/, '');
  const url = new URL(o.baseUrl);
  return NATIONAL_AUTHORITIES[url.host] ?? url.origin;
}

export function scopesFor(o: Pick<OneDriveOptions, 'scopes' | 'folder' | 'driveId' | 'siteId'>): string[] {
  if (o.scopes) return o.scopes;
  if (o.driveId || o.siteId) return ['Files.ReadWrite.All', 'Sites.ReadWrite.All'];
  return o.folder.split('/')[0] === 'approot' ? ['Files.ReadWrite.AppFolder'] : ['Files.ReadWrite.All'];
}

/**
 * `--remote onedrive:<location>`: `approot`, `approot/library`, `Documents/library` (from the
 * drive root), or `<drive-id>:/path` for a Business drive or SharePoint library.
 */
export function parseLocation(location: string): Record<string, unknown> {
  const m = /^([^/:]+):(\/.*)?$/.exec(location);
  if (m) return { driveId: m[1], folder: (m[2] ?? '/').replace(/^\/+|\/+$/g, '') };
  const folder = location.replace(/^\/+|\/+$/g, '');
  return { folder: folder === '' ? 'approot' : folder };
}
