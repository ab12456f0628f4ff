/**
 * Which folder-naming scheme a repository uses (names.ts, FolderNaming), decided once when the
 * library folder is resolved:
 * - a marker file says 'v2';
 * - otherwise, a folder that already holds names this adapter wrote is an existing repository
 *   ('v1': it keeps working, its paths are unchanged), unless the marker appeared meanwhile (a
 *   node creating the repository writes the marker before any object, so a second look settles it);
 * - otherwise the repository is new: the marker is written and it is 'v2' (no folder name starts
 *   with `~`, which SharePoint refuses).
 * The marker ends with `~`, which no file name of ours can: listings never see it.
 */
import type { GraphTransport } from './client.js';
import { httpStatusOf } from './errors.js';
import { parseChildName, type FolderNaming } from './names.js';

export const FOLDER_NAMING_MARKER = 'syncacross-folder-names-v2~';
/** Children looked at to recognize an existing repository (its top level holds a handful of folders). */
const LOOK_AT = 200;

async function markerPresent(t: GraphTransport, basePath: string): Promise<boolean> {
  try {
    await t.run('read the folder-naming marker', (c) =>
      c
        .api(`${basePath}:/${encodeURIComponent(FOLDER_NAMING_MARKER)}`)
        .select('id')
        .get(),
    );
    return true;
  } catch (e) {
    if (httpStatusOf(e) === 404) return false;
    throw e;
  }
}

export async function folderNamingOf(t: GraphTransport, basePath: string): Promise<FolderNaming> {
  if (await markerPresent(t, basePath)) return 'v2';
  const page = (await t.run('look for an existing repository', (c) => c.api(`${basePath}/children`).top(LOOK_AT).select('name,folder').get())) as { value: { name: string; folder?: unknown }[] };
  if (page.value.some((child) => parseChildName(child.name, child.folder !== undefined) !== undefined)) {
    // A node that started a new repository a moment ago wrote the marker before any object: ask again.
    return (await markerPresent(t, basePath)) ? 'v2' : 'v1';
  }
  try {
    await t.run('write the folder-naming marker', (c) =>
      c
        .api(`${basePath}:/${encodeURIComponent(FOLDER_NAMING_MARKER)}:/content`)
        .query({ '@microsoft.graph.conflictBehavior': 'fail' })
        .header('Content-Type', 'text/plain')
        .put('Folder names in this syncacross repository use the v2 scheme (no leading ~).'),
    );
  } catch (e) {
    if (httpStatusOf(e) !== 409) throw e; // another node wrote it first
  }
  return 'v2';
}
