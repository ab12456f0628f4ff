/** Starts a server as a child process, waits until it answers HTTP, and stops it by its PID. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** True when `command` is on the PATH (or is an existing absolute path). */
export function haveCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export async function startChild(options: {
  command: string;
  args: string[];
  /** Resolves the URL: from a fixed port, or from a line the process prints. */
  url: string | ((stdout: string) => string | undefined);
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<ChildServer> {
  const child: ChildProcess = spawn(options.command, options.args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (gone) throw new Error(`${options.command} exited before serving:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.command} did not answer within the time limit:\n${output}`);
    }
    const url = typeof options.url === 'string' ? options.url : options.url(output);
    if (url && (await answers(url))) {
      return {
        url,
        pid: child.pid!,
        async stop() {
          if (gone) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: 'OPTIONS', signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}
