#!/usr/bin/env node
import { debugTrace } from './debug-trace.js';
import { main } from './program.js';
import { redact } from './redact.js';

// A reader that went away (`syncacross log | head`, `--help | head`) is not an error: stop quietly,
// with the exit code so far, instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(Number(process.exitCode ?? 0));
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(redact(`syncacross: unexpected error: ${debugTrace(error)}`) + '\n');
    process.exitCode = 1;
  },
);
