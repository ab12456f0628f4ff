/** s3rver (npm) in a child process, on a free loopback port, in a temporary directory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3AdapterOptions } from '../../src/index.js';

export interface RunningS3rver {
  url: string;
  child: ChildProcess;
  options(extra?: Partial<S3AdapterOptions>): S3AdapterOptions;
  stop(): Promise<void>;
}

export const S3RVER_BUCKET = 's3rver-bucket';

export async function startS3rver(): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 'syncacross-s3rver-'));
  const script = fileURLToPath(new URL('./s3rver-child.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, directory, S3RVER_BUCKET], {
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`s3rver exited early with code ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line!) as { port: number }).port);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    child,
    options: (extra = {}) => ({ bucket: S3RVER_BUCKET, endpoint: url, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', ...extra }),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
