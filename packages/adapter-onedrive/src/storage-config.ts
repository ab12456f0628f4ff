/** What createOneDriveStorageFromConfig needs: the drive, the folder, and how to talk to Graph. */
import type { GraphTransport } from './client.js';

export type DriveSelector = { kind: 'me' } | { kind: 'id'; id: string } | { kind: 'site'; siteId: string };

export interface OneDriveStorageConfig {
  name: string;
  transport: GraphTransport;
  drive: DriveSelector;
  /** 'approot', 'approot/<sub/path>', or a path from the drive root ('' = the root). */
  folder: string;
  pageSize: number;
  atomicCreate: 'auto' | 'trust' | 'off';
  simpleUploadLimit: number;
  uploadFragmentSize: number;
  listConcurrency?: number;
  /** 'children' walks folders; 'delta' follows the change feed (one request when nothing changed). */
  listing?: 'children' | 'delta';
  log?: (message: string) => void;
}
