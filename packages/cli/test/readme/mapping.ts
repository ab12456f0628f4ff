/**
 * The small, documented mapping from what a README shows to what the test can run:
 *
 * | in the README                                   | run as                                                    |
 * |-------------------------------------------------|-----------------------------------------------------------|
 * | `~/…`                                           | the temp machine's HOME (bash expands `~`)                |
 * | `/mnt/…`, `/srv/…`                              | `<base>/mnt/…`, `<base>/srv/…`                            |
 * | `./adapters/flatdir.mjs`                        | test/custom-adapter/index.mjs (the README's flatdir)      |
 * | `https://minio.example.com`, `s3:` without one  | the S3 emulator (`-o endpoint=…`), AWS_* keys in the env  |
 * | `webdav:https://<host>/<path>`                  | the npm WebDAV server, `<path>` created in its folder     |
 * | `gdrive:`/`auth gdrive`                         | + `-o rootUrl=<Drive emulator>/`                          |
 * | `onedrive:`/`auth onedrive`                     | + `-o baseUrl=<Graph emulator>/v1.0` (or 8080 replaced)   |
 * | `dropbox:`/`auth dropbox`                       | + `-o baseUrl=<Dropbox emulator>` (+ redirectPort=0)      |
 * | `http://127.0.0.1:8080` in a package README     | that package's emulator                                   |
 * | `appKey=…`, `clientId=…`, `<your app id>`       | the emulators' app (`emulator-app`, `readme-client`)      |
 * | any other `…`                                   | `readme-placeholder` (also the WebDAV password of alice)  |
 * | a second `init` of the same folder              | runs on a fresh machine (another HOME), as documented     |
 *
 * The browser step of `auth` is played by the test (it opens the printed address, or approves
 * the printed device code), the way a person would.
 */
import type { Backends } from './backends.js';

export interface Mapped {
  /** The bash line to run. */
  line: string;
  /** Folders (relative to the WebDAV root) the command expects to exist. */
  davFolders: string[];
}

const adapterOf = (text: string) => /(?:--remote\s+'?|\bauth\s+)(gdrive|onedrive|dropbox|s3|webdav)\b/.exec(text)?.[1];

export function mapCommand(text: string, pkg: string, base: string, customAdapter: string, b: Backends): Mapped {
  // Comments go (options are appended below), and ~ stays for bash to expand.
  let line = text.replace(/\s+#\s.*$/, '');
  const davFolders: string[] = [];
  const emulatorOfPackage: Record<string, string> = { 'adapter-s3': b.s3, 'adapter-gdrive': b.gdrive, 'adapter-onedrive': b.onedrive, 'adapter-dropbox': b.dropbox };
  if (emulatorOfPackage[pkg]) line = line.replaceAll('http://127.0.0.1:8080', emulatorOfPackage[pkg]);
  line = line
    .replace(/(^|\s|:)\/(mnt|srv)\//g, `$1${base}/$2/`)
    .replaceAll('./adapters/flatdir.mjs', customAdapter)
    .replaceAll('https://minio.example.com', b.s3)
    .replace(/appKey=…/g, 'appKey=emulator-app')
    .replace(/clientId=(…|<your app id>)/g, 'clientId=readme-client')
    .replace(/webdav:https?:\/\/[^/\s]+\/(\S*)/g, (_, path: string) => {
      davFolders.push(path);
      return `webdav:${b.dav}/${path}`;
    })
    .replaceAll('…', 'readme-placeholder');
  const adapter = adapterOf(line);
  const has = (option: string) => new RegExp(`-o\\s+${option}=`).test(line);
  const isAuth = /\bauth\s/.test(line);
  if (adapter === 's3' && !has('endpoint')) line += ` -o endpoint=${b.s3}`;
  if (adapter === 'gdrive' && !has('rootUrl')) line += ` -o rootUrl=${b.gdrive}/`;
  if (adapter === 'onedrive' && !has('baseUrl')) line += ` -o baseUrl=${b.onedrive}/v1.0`;
  if (adapter === 'dropbox' && !has('baseUrl')) line += ` -o baseUrl=${b.dropbox}`;
  if (adapter === 'dropbox' && isAuth) line += ' -o redirectPort=0';
  return { line, davFolders };
}

/** Commands that must fail, and why: nothing else may. */
export const EXPECTED_FAILURES: ReadonlyArray<{ match: RegExp; exitCode: number; stderr: RegExp; why: string }> = [
  { match: /--remote my-adapter:/, exitCode: 2, stderr: /unknown adapter "my-adapter"/, why: 'an example name: no package my-adapter is installed' },
  {
    match: /restore --at "2 days ago"/,
    exitCode: 8,
    stderr: /would not restore: nothing was in the library at \S+: its history starts at /,
    why: 'the test machine’s library is a moment old: nothing was in it two days ago, and a restore of that says so',
  },
];
