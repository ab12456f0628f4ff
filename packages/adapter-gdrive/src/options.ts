/**
 * Adapter options, validated once with zod. Unknown options are refused (`.strict()`), and the
 * secrets (`clientSecret`, `refreshToken`, `accessToken`) are listed in `secretOptions`.
 */
import { z } from '@syncacross/sync-core';

const DEFAULT_ROOT_URL = 'https://www.googleapis.com/';
const MIB = 1024 * 1024;

/** The options of `gdrive:` remotes (`-o key=value` in the CLI), validated, with their defaults; README.md describes each. */
export const optionsSchema = z
  .object({
    /** Id of the Drive folder that holds the library (a folder in My Drive, one shared with you, or in a shared drive). */
    folderId: z.string().min(1).optional().describe('Id of the Drive folder that holds the library (a folder in My Drive, one shared with you, or in a shared drive).'),
    /** Name of a folder at the top of My Drive; found (oldest wins if several) or created on first use. */
    folderName: z.string().min(1).optional().describe('Name of a folder at the top of My Drive; found (oldest wins if several) or created on first use.'),
    /** Use the hidden per-app `appDataFolder` space (scope drive.appdata) instead of a visible folder. */
    appDataFolder: z.boolean().optional().describe('Use the hidden per-app `appDataFolder` space (scope drive.appdata) instead of a visible folder.'),
    /** Id of the shared drive containing folderId (team drives); listings then search that drive only. */
    sharedDriveId: z.string().min(1).optional().describe('Id of the shared drive containing folderId (team drives); listings then search that drive only.'),
    /** Your OAuth client id ("Desktop app" type) from Google Cloud Console. Required to refresh tokens. */
    clientId: z.string().min(1).optional().describe('Your OAuth client id ("Desktop app" type) from Google Cloud Console. Required to refresh tokens.'),
    /** The OAuth client secret that goes with clientId (secret). */
    clientSecret: z.string().optional().describe('The OAuth client secret that goes with clientId (secret).'),
    /** A refresh token (secret). Default: read from <credentialsDir>/gdrive-<credentialsName>.json, written by `syncacross auth gdrive`. */
    refreshToken: z.string().min(1).optional().describe('A refresh token (secret). Default: read from <credentialsDir>/gdrive-<credentialsName>.json, written by `syncacross auth gdrive`.'),
    /** A short-lived access token (secret), used as is, for CI and tests. Not refreshed. */
    accessToken: z.string().min(1).optional().describe('A short-lived access token (secret), used as is, for CI and tests. Not refreshed.'),
    /** Names the token file gdrive-<credentialsName>.json (e.g. your account), so several accounts can coexist. Default "default". */
    credentialsName: z
      .string()
      .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits, . _ @ - only')
      .default('default')
      .describe('Names the token file gdrive-<credentialsName>.json (e.g. your account), so several accounts can coexist. Default "default".'),
    /** Explicit path of the token file, overriding credentialsDir/credentialsName. */
    tokenFile: z.string().min(1).optional().describe('Explicit path of the token file, overriding credentialsDir/credentialsName.'),
    /** API endpoint (googleapis `rootUrl`). When set, the OAuth endpoints live under it too (`<rootUrl>token`, `<rootUrl>o/oauth2/v2/auth`), which is how the emulator serves them. Default https://www.googleapis.com/. */
    rootUrl: z
      .string()
      .url()
      .default(DEFAULT_ROOT_URL)
      .describe(
        'API endpoint (googleapis `rootUrl`). When set, the OAuth endpoints live under it too (`<rootUrl>token`, `<rootUrl>o/oauth2/v2/auth`), which is how the emulator serves them. Default https://www.googleapis.com/.',
      ),
    /** OAuth scope to request. Default: drive.appdata with appDataFolder, drive.file with folderName, drive with folderId. */
    scope: z.string().min(1).optional().describe('OAuth scope to request. Default: drive.appdata with appDataFolder, drive.file with folderName, drive with folderId.'),
    /** Files.list pageSize (Drive allows 1-1000). Default 1000. */
    pageSize: z.number().int().min(1).max(1000).default(1000).describe('files.list pageSize (Drive allows 1-1000). Default 1000.'),
    /** Objects larger than this use a resumable upload. Default 5 MiB (Google's advice). */
    resumableThresholdBytes: z
      .number()
      .int()
      .min(0)
      .default(5 * MIB)
      .describe("Objects larger than this use a resumable upload. Default 5 MiB (Google's advice)."),
    /** Resumable upload chunk size, a multiple of 256 KiB. Default 8 MiB. */
    chunkBytes: z
      .number()
      .int()
      .min(256 * 1024)
      .refine((n) => n % (256 * 1024) === 0, 'must be a multiple of 256 KiB')
      .default(8 * MIB)
      .describe('Resumable upload chunk size, a multiple of 256 KiB. Default 8 MiB.'),
    /** Per-request timeout. Default 120 s. */
    timeoutMs: z.number().int().min(1).default(120_000).describe('Per-request timeout. Default 120 s.'),
  })
  .strict()
  .refine((o) => [o.folderId !== undefined, o.folderName !== undefined, o.appDataFolder === true].filter(Boolean).length === 1, {
    message: 'set exactly one of folderId, folderName or appDataFolder: true',
  })
  .refine((o) => o.sharedDriveId === undefined || o.folderId !== undefined, { message: 'sharedDriveId needs folderId (a folder inside that shared drive)' });

/** Google Drive options after parsing, defaults filled in. */
export type GdriveOptions = z.output<typeof optionsSchema>;
/** Google Drive options as given to `createGdriveStorage`. */
export type GdriveOptionsInput = z.input<typeof optionsSchema>;

/** The option names whose values are secrets: never printed, logged or put in `--json` output. */
export const secretOptions = ['clientSecret', 'refreshToken', 'accessToken'] as const;

/**
 * `gdrive:<location>`: `appDataFolder` (or `appdata`), `id:<folderId>`, a bare Drive id (25+ URL-safe
 * characters, as Drive ids are), or else a folder name at the top of My Drive.
 */
export function parseLocation(location: string): Record<string, unknown> {
  const text = location.trim();
  if (text === '') return {};
  if (text === 'appDataFolder' || text === 'appdata') return { appDataFolder: true };
  if (text.startsWith('id:')) return { folderId: text.slice(3) };
  if (text.startsWith('name:')) return { folderName: text.slice(5) };
  if (/^[A-Za-z0-9_-]{25,}$/.test(text)) return { folderId: text };
  return { folderName: text };
}

const SCOPE = 'https://www.googleapis.com/auth/';
/** The OAuth scope to ask for: the `scope` option, else the narrowest that reaches the library (drive.appdata, drive.file for a folder made by name, drive for a folder id). */
export function defaultScope(o: GdriveOptions): string {
  if (o.scope) return o.scope;
  if (o.appDataFolder) return `${SCOPE}drive.appdata`;
  // drive.file reaches only files this app created: enough for a folder it creates by name, not for
  // a folder the user made in the Drive UI (which needs the full drive scope).
  return o.folderName !== undefined ? `${SCOPE}drive.file` : `${SCOPE}drive`;
}

/** Where the OAuth endpoints are: Google's own, or under rootUrl (emulator, proxies). */
export function oauthEndpoints(o: Pick<GdriveOptions, 'rootUrl'>): { oauth2TokenUrl: string; oauth2AuthBaseUrl: string; oauth2RevokeUrl: string } {
  if (o.rootUrl === DEFAULT_ROOT_URL) {
    return {
      oauth2TokenUrl: 'https://oauth2.googleapis.com/token',
      oauth2AuthBaseUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      oauth2RevokeUrl: 'https://oauth2.googleapis.com/revoke',
    };
  }
  const base = o.rootUrl.endsWith('/') ? o.rootUrl : `${o.rootUrl}/`;
  return { oauth2TokenUrl: `${base}token`, oauth2AuthBaseUrl: `${base}o/oauth2/v2/auth`, oauth2RevokeUrl: `${base}revoke` };
}

/** Google's device authorization endpoint (the emulator's under rootUrl). */
export function deviceCodeUrl(o: Pick<GdriveOptions, 'rootUrl'>): string {
  if (o.rootUrl === DEFAULT_ROOT_URL) return 'https://oauth2.googleapis.com/device/code';
  return `${o.rootUrl.endsWith('/') ? o.rootUrl : `${o.rootUrl}/`}device/code`;
}
