/** `@syncacross/adapter-s3/emulator`: an S3 API emulator for tests and for trying the adapter offline. */
export { createS3Emulator } from './emulator.js';
export type { RequestRecord, S3Emulator, S3EmulatorOptions } from './emulator.js';
export type { ConditionalWriteMode } from './conditional.js';
export { FaultInjector } from './faults.js';
export type { FaultKind, FaultSpec, FaultStatus, S3Operation } from './faults.js';
export type { StoredObject } from './state.js';
export { crc32Base64 } from './body.js';
export type { RealWorldModes } from './real-world.js';
