/**
 * The public API of @syncacross/sync-core: what an app needs to sync a folder, and what an
 * adapter author needs to implement the storage contract. Nothing else is exported here, so
 * the engine's internals can change without breaking anyone. Test doubles and the conformance
 * suite are on `@syncacross/sync-core/testing`; the emulators' HTTP helpers on
 * `@syncacross/sync-core/http`. README.md says what each export is for.
 *
 * @module @syncacross/sync-core
 */

// Syncing a library.
export { Library } from './engine/library.js';
export { openLibrary } from './engine/open-library.js';
export type {
  LibraryOptions,
  RepositorySecret,
  SecretSource,
  SyncSummary,
  SyncProgress,
  HistoryEntry,
  HistoryFilter,
  ListedEntry,
  RestoreOptions,
  RestoreOutcome,
  VerifyOptions,
  VerifyReport,
  VerifyOutcome,
  VerifyRepair,
  LibraryFormat,
  LibraryKey,
  LibraryRestoreOutcome,
  RunningWatch,
  ConflictCopy,
  WrittenCheckpoint,
  CollectOptions,
  CollectOutcome,
  UpgradeOptions,
  UpgradeOutcome,
  RetentionOutcome,
  RetentionPolicy,
  LibraryStatus,
  UnsyncedChanges,
  WatchOptions,
  WatchTrigger,
} from './engine/library.js';
export type { VerifyProblem, VerifyProblemKind } from './engine/verify.js';
export type { RestoreFailure, RestoreFailureCode } from './engine/restore-refusals.js';
export type { CaptureResult, StagedError } from './engine/outbox/outbox.js';
export type { FileAction } from './engine/sync-summary.js';
export { restoreFromRemote, type RemoteRestoreOptions } from './engine/remote-restore.js';
export type { NewRepository, RepositoryFormat } from './engine/repository.js';
export type { CollectionPlan } from './engine/collection/collect.js';
export type { UnneededPacks } from './engine/collection/pack-references.js';
export type { StorageClock } from './engine/collection/storage-clock.js';
export type { UpgradeWriter } from './engine/upgrade/upgrade-repository.js';
export { DEFAULT_COLLECTION_MARGIN_MS } from './engine/collection/collect.js';
export { parseSpanMs } from './engine/point-in-time.js';
export { checkAuthorName, type Author } from './engine/author-object.js';
export { DEFAULT_KDF, type KdfParams, type KeyInfo, type UnlockedKey } from './codec/keyring.js';
export { SyncError, isSyncError, SYNC_ERROR_CODES, type SyncErrorCode } from './model/sync-error.js';
export { BUILTIN_IGNORES, type ExcludeOption, type ExcludePatterns } from './local/ignore-rules.js';
export { mountPointProblem, type MountPointsOption } from './local/mount-points.js';
export { isUtf8, spelledBytes } from './local/spelled-bytes.js';
// Types that appear in LibraryOptions and Library's methods, so an app can name them.
export type { ChunkingParams } from './model/chunker.js';
export type { Tree, TreeEntry } from './engine/merge.js';
export type { Version, HashedVersion, EntryKind } from './model/version.js';

// The storage contract every adapter implements, and its errors.
export type { Storage, StorageCapabilities, ObjectInfo, ListOptions, ListPage, ByteRange, GetOptions, PutResult, ChangeFeed, ChangeFeedAnswer } from './storage/contract.js';
export { StorageError, STORAGE_ERROR_CODES, isStorageError, isTransient, isPermanent, permanentCause, isPermanentHttpStatus, parseRetryAfter, type StorageErrorCode } from './storage/errors.js';
export { compareKeys, keyProblem } from './storage/keys.js';
export { listAll, listPages } from './storage/listing.js';

// What an adapter package exports so the CLI can load it by name.
export { defineAdapter, type AdapterModule, type AdapterContext, type AuthContext, type OptionsSchema } from './storage/adapter-module.js';

// Production wrappers (each a Storage around a Storage) and the capability probe.
export { checkedStorage } from './storage/checked.js';
export { withRetry, type RetryOptions } from './storage/wrappers/retry.js';
export { withCounting, type CountingStorage, type StorageStats, type RequestKind } from './storage/wrappers/counting.js';
export { withBandwidthLimit, type BandwidthLimit } from './storage/wrappers/bandwidth.js';
export { TokenBucket, type TokenBucketOptions } from './storage/wrappers/token-bucket.js';
export { withTracing, type TracedRequest } from './storage/wrappers/tracing.js';
export { probeCapabilities, type ProbeReport, type ProbeOptions } from './storage/probe.js';

// Secrets: register them once, and whatever prints errors masks them.
export { registerSecret, registerSecretValues, redactSecrets, MIN_SECRET_LENGTH } from './secrets/index.js';

/**
 * zod, bundled into this package's build (tsup.config.ts) and shared from here by the CLI and the
 * built-in adapters: one copy per process, loaded as one file. Loaded as its own package, zod's
 * hundred files cost a command 130-170 ms before doing anything (session 42, idle machine).
 * Its messages in English only: `z.locales` holds `en` alone (tsup.config.ts, zod-locales.ts).
 */
export { z } from 'zod';
