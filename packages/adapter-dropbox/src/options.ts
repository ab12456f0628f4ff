/** The adapter's options, validated with zod; defaults are documented in each `.describe()`. */
import { z } from '@syncacross/sync-core';

const MiB = 1024 * 1024;

/** The options of `dropbox:` remotes (`-o key=value` in the CLI), validated, with their defaults; README.md describes each. */
export const optionsSchema = z
  .object({
    /** Folder holding the library. For an app-folder app paths are relative to its app folder (/Apps/<app name>), so "" (the default) is the app folder itself; a full-Dropbox app should name a folder, e.g. "/library". */
    root: z
      .string()
      .regex(/^(\/[^/]+)*$/, 'root must be "" or a path like "/library" (no trailing slash)')
      .default('')
      .describe(
        'Folder holding the library. For an app-folder app paths are relative to its app folder (/Apps/<app name>), so "" (the default) is the app folder itself; a full-Dropbox app should name a folder, e.g. "/library".',
      ),
    /** Team spaces: sends Dropbox-API-Path-Root. "root:<root namespace id>" makes paths relative to the team space, "namespace_id:<id>" to a shared/team folder, "home" to the member folder. Default: none (the user's home). */
    pathRoot: z
      .string()
      .regex(/^(home|(root|namespace_id):[-_0-9a-zA-Z:]+)$/, 'pathRoot is "home", "root:<namespace id>" or "namespace_id:<namespace id>"')
      .optional()
      .describe(
        'Team spaces: sends Dropbox-API-Path-Root. "root:<root namespace id>" makes paths relative to the team space, "namespace_id:<id>" to a shared/team folder, "home" to the member folder. Default: none (the user\'s home).',
      ),
    /** The Dropbox app key (OAuth client id). Needed to refresh tokens and by `syncacross auth dropbox`; no app secret is used (PKCE). */
    appKey: z.string().min(1).optional().describe('The Dropbox app key (OAuth client id). Needed to refresh tokens and by `syncacross auth dropbox`; no app secret is used (PKCE).'),
    /** An access token (secret). Default: refreshed from refreshToken or the stored token file. */
    accessToken: z.string().min(1).optional().describe('An access token (secret). Default: refreshed from refreshToken or the stored token file.'),
    /** A refresh token (secret). Default: read from <credentialsDir>/dropbox-<profile>.json, written by `syncacross auth dropbox`. */
    refreshToken: z.string().min(1).optional().describe('A refresh token (secret). Default: read from <credentialsDir>/dropbox-<profile>.json, written by `syncacross auth dropbox`.'),
    /** Name of the stored authorization: <credentialsDir>/dropbox-<profile>.json. Default "default". */
    profile: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .default('default')
      .describe('Name of the stored authorization: <credentialsDir>/dropbox-<profile>.json. Default "default".'),
    /** Send every request (API, content, OAuth) to this origin instead of Dropbox, e.g. the emulator: http://127.0.0.1:8080. */
    baseUrl: z.url().optional().describe('Send every request (API, content, OAuth) to this origin instead of Dropbox, e.g. the emulator: http://127.0.0.1:8080.'),
    /** The SDK's test-domain option: hosts become api-<domain>, api-content-<domain>, … (for msw-based tests). */
    domain: z.string().min(1).optional().describe("The SDK's test-domain option: hosts become api-<domain>, api-content-<domain>, … (for msw-based tests)."),
    /** Objects up to this size go in one files/upload request (Dropbox allows 150 MiB); larger ones use an upload session. Default 150 MiB. */
    singleUploadLimitBytes: z
      .number()
      .int()
      .positive()
      .max(150 * MiB)
      .default(150 * MiB)
      .describe('Objects up to this size go in one files/upload request (Dropbox allows 150 MiB); larger ones use an upload session. Default 150 MiB.'),
    /** Upload session chunk size; keep it a multiple of 4 MiB. Default 8 MiB. */
    chunkBytes: z
      .number()
      .int()
      .positive()
      .max(150 * MiB)
      .default(8 * MiB)
      .describe('Upload session chunk size; keep it a multiple of 4 MiB. Default 8 MiB.'),
    /** Commits (files/upload, upload_session/finish, delete_v2) this client sends at once. Every commit takes the namespace write lock, so parallel ones only collide (429 too_many_write_operations); 1 paces them. Default 1. */
    writeConcurrency: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe(
        'Commits (files/upload, upload_session/finish, delete_v2) this client sends at once. Every commit takes the namespace write lock, so parallel ones only collide (429 too_many_write_operations); 1 paces them. Default 1.',
      ),
    /** How objects up to singleUploadLimitBytes are committed: "paced" (one files/upload each, writeConcurrency at a time) or "batch" (bytes uploaded in parallel as upload sessions, commits gathered into one upload_session/finish_batch_v2, as Dropbox recommends for many files). Default "paced". */
    commitMode: z
      .enum(['paced', 'batch'])
      .default('paced')
      .describe(
        'How objects up to singleUploadLimitBytes are committed: "paced" (one files/upload each, writeConcurrency at a time) or "batch" (bytes uploaded in parallel as upload sessions, commits gathered into one upload_session/finish_batch_v2, as Dropbox recommends for many files). Default "paced".',
      ),
    /** Loopback port for the OAuth redirect: register http://127.0.0.1:<port>/ in the App Console (Dropbox matches redirect URIs exactly, port included). 0 picks a free port, which only a local emulator (baseUrl) accepts. Default 53682. */
    redirectPort: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(53682)
      .describe(
        'Loopback port for the OAuth redirect: register http://127.0.0.1:<port>/ in the App Console (Dropbox matches redirect URIs exactly, port included). 0 picks a free port, which only a local emulator (baseUrl) accepts. Default 53682.',
      ),
    /** How `syncacross auth dropbox` receives the code: "loopback" (browser redirect to 127.0.0.1), "paste" (Dropbox shows a code to paste) or "auto" (paste when there is no display or over SSH). Default "auto". */
    authFlow: z
      .enum(['auto', 'loopback', 'paste'])
      .default('auto')
      .describe(
        'How `syncacross auth dropbox` receives the code: "loopback" (browser redirect to 127.0.0.1), "paste" (Dropbox shows a code to paste) or "auto" (paste when there is no display or over SSH). Default "auto".',
      ),
  })
  .strict();

/** Dropbox options after parsing, defaults filled in. */
export type DropboxOptions = z.output<typeof optionsSchema>;
/** Dropbox options as given to `createDropboxStorage`. */
export type DropboxOptionsInput = z.input<typeof optionsSchema>;

/** The option names whose values are secrets: never printed, logged or put in `--json` output. */
export const secretOptions = ['accessToken', 'refreshToken'] as const;

/** `dropbox:/library` → {root: '/library'}; `dropbox:` or `dropbox:/` → the app folder itself. */
export function parseLocation(location: string): Record<string, unknown> {
  const trimmed = location.trim().replace(/\/+$/, '');
  if (trimmed === '') return { root: '' };
  return { root: trimmed.startsWith('/') ? trimmed : `/${trimmed}` };
}

/** The Dropbox-API-Path-Root header value for the pathRoot option. */
export function pathRootHeader(pathRoot: string | undefined): string | undefined {
  if (pathRoot === undefined) return undefined;
  if (pathRoot === 'home') return JSON.stringify({ '.tag': 'home' });
  const [kind, id] = [pathRoot.slice(0, pathRoot.indexOf(':')), pathRoot.slice(pathRoot.indexOf(':') + 1)];
  return JSON.stringify({ '.tag': kind, [kind]: id });
}
