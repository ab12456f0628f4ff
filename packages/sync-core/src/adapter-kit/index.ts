/**
 * The helpers every storage adapter needs and should not write again: HTTP status mapping, key
 * encoding, option parsing, credential files, keyed queues and concurrency limits. Public on the subpath
 * `@syncacross/sync-core/adapter-kit` so third-party adapters can use them too.
 *
 * @module @syncacross/sync-core/adapter-kit
 */
export { errorFromHttpStatus, statusMapping, type HttpErrorOptions, type StatusMapping, type StatusOverrides } from './http-status.js';
export { nameCodec, WINDOWS_DEVICE_NAME, type NameCodec, type NameCodecOptions } from './name-codec.js';
export { parseOptions } from './parse-options.js';
export { credentialsFilePath, readCredentialsFile, readJsonCredentials, writeCredentialsFile, writeJsonCredentials } from './credentials-file.js';
export { KeyedQueue } from './keyed-queue.js';
export { ConcurrencyLimiter } from './concurrency-limiter.js';
export { KeyedSingleFlight } from './single-flight.js';
export { PREALLOCATE_AT_MOST, readBodyWithin, type BodyLimits } from './body-reader.js';
export { ANSWER_BODY_LIMIT, declaredLength, ERROR_BODY_LIMIT, readLimit, tooLargeForStorage, uncoded } from './read-limit.js';
export { boundedResponse, type PastLimit } from './bounded-response.js';
