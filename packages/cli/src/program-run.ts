/** The type of program.ts's `run`, for the files that register commands beside it. */
import type { Output } from './output.js';

// Commander hands each command its own arguments, typed by the handler.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Run = (handler: (out: Output, ...args: any[]) => Promise<number>) => (...args: unknown[]) => Promise<void>;
