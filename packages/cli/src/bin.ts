#!/usr/bin/env node
import { debugTrace } from './debug-trace.js';
import { main } from './program.js';
import { redact } from './redact.js';

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(redact(`syncacross: unexpected error: ${debugTrace(error)}`) + '\n');
    process.exitCode = 1;
  },
);
