/** Real crashes: a sync in a child process (fixtures/sync-child.mjs), SIGKILLed at a chosen moment. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@syncacross/sync-core/testing';

const child = fileURLToPath(new URL('./fixtures/sync-child.mjs', import.meta.url));

/** Starts a sync in a child process and SIGKILLs it once `until` holds (awaited, not counted). */
export async function killWhen(args: string[], until: () => Promise<boolean>): Promise<void> {
  const p = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => p.on('exit', () => r()));
  try {
    await waitFor(
      async () => {
        if (await until()) return true;
        if (p.exitCode !== null) throw new Error(`the child finished before it could be killed (${p.exitCode}): ${err}`);
        return false;
      },
      'the moment to kill the sync',
      { timeoutMs: 60_000, intervalMs: 10 },
    );
  } finally {
    p.kill('SIGKILL');
    await exited;
  }
}
