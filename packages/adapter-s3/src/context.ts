/**
 * What every operation of one S3 storage shares. `mode`, `modeReason` and `capabilities` change
 * on purpose: in 'auto', a 501 to a conditional header switches the storage to check-then-write
 * for good (`downgrade` in put.ts), and whoever holds the storage sees the switch.
 */
import type { StorageCapabilities } from '@syncacross/sync-core';
import type { KeyedQueue } from '@syncacross/sync-core/adapter-kit';
import type { ConditionalSupport } from './conditional-support.js';
import type { ObjectIO } from './object-io.js';
import type { ProviderProfile } from './providers.js';

/**
 * How a create-if-absent is made: `conditional` (a PUT with `If-None-Match: *`, atomic) or
 * `check-then-write` (a HEAD, then a PUT: not atomic), where the store ignores or refuses the header.
 */
export type WriteMode = 'conditional' | 'check-then-write';

export interface S3StorageSettings {
  io: ObjectIO;
  bucket: string;
  prefix: string;
  endpoint?: string;
  provider: ProviderProfile;
  support: ConditionalSupport;
  /** In 'auto', a 501 to a conditional header later on switches to check-then-write. */
  autoDowngrade: boolean;
  maxObjectSize: number;
  log?: (message: string) => void;
}

export interface S3Context {
  readonly settings: S3StorageSettings;
  readonly io: ObjectIO;
  /** '' or ending with '/'. */
  readonly prefix: string;
  mode: WriteMode;
  /** Why check-then-write is in use, when it is. */
  modeReason: string | undefined;
  readonly capabilities: StorageCapabilities;
  /** `bucket/prefix @host`, for names and messages. */
  readonly where: string;
  /** Check-then-write creates of one key run one after another (see put.ts). */
  readonly createQueue: KeyedQueue;
  /** Full keys a check-then-write create is still writing: neither listed nor readable yet. */
  readonly writing: Set<string>;
}

/** The object's key in the bucket: the library's prefix applied. */
export const full = (ctx: S3Context, key: string) => ctx.prefix + key;

/** The storage's `name`, which shows the write mode in use (e.g. `s3:bucket/lib [check-then-write]`). */
export const storageName = (ctx: S3Context) => `s3:${ctx.where} [${ctx.mode}]`;
