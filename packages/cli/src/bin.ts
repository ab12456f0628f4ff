#!/usr/bin/env node
import { debugTrace } from './debug-trace.js';
import { refusedUndecodableArgument } from './argument-encoding.js';
import { EXIT } from './exit-codes.js';
import { main } from './program.js';
import { redact } from './redact.js';
import { terminalSafe } from './terminal-text.js';

// A reader that went away (`syncacross log | head`, `--help | head`) is not an error: stop quietly,
// with the exit code so far, instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(Number(process.exitCode ?? 0));
  });
}

let settled = false;
// Before anything is parsed: an argument Node could not decode names another path (argument-encoding.ts).
(refusedUndecodableArgument(process.argv) ? Promise.resolve(EXIT.usage) : main()).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error: unknown) => {
    settled = true;
    process.stderr.write(terminalSafe(redact(`syncacross: unexpected error: ${debugTrace(error)}`)) + '\n');
    process.exitCode = 1;
  },
);

// Node ends a process whose work ran out even while the command still awaits something (an
// adapter or SDK that drops a callback; session 42 met it with an unreferenced worker thread, since
// dropped): that exited 0, as if the sync were complete. It is a bug, and it is said, with its code.
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  process.stderr.write(
    'syncacross: unexpected error: the command stopped before it finished: something it waited for (a request to the remote, say) can no longer answer. What it had not finished is not done; run it again, and please report this\n',
  );
  process.exitCode = 1;
});
