/** Fields that many `--json` outputs share, each described once (the descriptions go into the JSON Schema). */
import { z } from '@syncacross/sync-core';

/** `ok`: always true on success; a failure prints `$defs.error` instead. */
export const succeeded = z.literal(true).describe('true: the command did what it was asked (a failure prints $defs.error instead, with ok false)');

/** `command`: which command printed the object. */
export const commandName = <T extends string>(name: T) => z.literal(name).describe('the command that printed this object');

/** `library`: where the library is. */
export const libraryDir = z.string().describe('absolute path of the library folder');

/** `repository`: the repository's id. */
export const repositoryId = z.string().describe("the repository's id: the same on every node that shares it");

/** A repository format (docs/PROTOCOL.md §3.7), each a literal so the schema lists them; described where used. */
export const repositoryFormat = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(7)]);

/** `writer`: this node's writer id. */
export const nodeWriter = z.string().describe("this node's writer id, under which its changes are published");

/** `remote`: the remote as configured. */
export const remoteSpec = z.string().describe('the remote as configured (adapter:location)');

/** `adapter`: the adapter's name. */
export const adapterName = z.string().describe('the storage adapter (fs, s3, webdav, gdrive, onedrive, dropbox or a custom one)');
