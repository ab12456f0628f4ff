/**
 * Programmatic entry points of the CLI (the `syncacross` binary is bin.ts).
 *
 * @module @syncacross/cli
 */
export { main, buildProgram } from './program.js';
export { EXIT, EXIT_CODE_HELP, toCliError } from './exit-codes.js';
export type { ExitCode } from './exit-codes.js';
export { CliError } from './cli-error.js';
export { BUILTIN_ADAPTERS, loadAdapter } from './adapter-loader.js';
export type { LoadedAdapter } from './adapter-loader.js';
export { configSchema, readConfig, writeConfig, findLibraryRoot } from './config.js';
export type { LibraryConfig } from './config.js';
export { envNameFor, maskOptions } from './secrets.js';
export { JSON_OUTPUTS, jsonOutputSchemaDocument, type JsonOutputName } from './json-output.js';
export { initLibrary } from './commands/init.js';
