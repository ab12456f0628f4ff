/**
 * bench/peak-memory.mjs: the peak it reports is the command's, and the breakdown puts bytes under
 * the kind of mapping that holds them. Checked on child processes whose memory is known: one that
 * writes a 64 MiB buffer and one that does not, so a sampler that missed the peak or a breakdown
 * that mislabelled it fails here.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a bench script, plain JavaScript without declarations
import { residentByKind } from '../bench/peak-memory.mjs';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('../bench/peak-memory.mjs', import.meta.url));
type Report = { peakRssMb: number; atS: number; wallS: number; byKindAtMb: number; byKindMb: Record<string, number>; samples: number };

/** The report for `node -e code`, and the child's exit code. */
async function probe(code: string): Promise<{ report: Report; exitCode: number }> {
  const answer = await run(process.execPath, [PROBE, '--json', '--', process.execPath, '-e', code]).then(
    (r) => ({ ...r, exitCode: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, exitCode: e.code }),
  );
  return { report: JSON.parse(answer.stderr.trim().split('\n').pop()!) as Report, exitCode: answer.exitCode };
}

const holding = (mib: number) => `const b = Buffer.alloc(${mib} * 1024 * 1024, 1); setTimeout(() => b.length, 400)`;

describe.skipIf(!existsSync('/proc/self/smaps'))('bench/peak-memory.mjs (Linux: /proc)', () => {
  it('sorts smaps mappings into kinds and sums their resident size', () => {
    const smaps = [
      '00400000-02000000 r-xp 00000000 08:01 1 /usr/bin/node',
      'Rss:               30720 kB',
      '02000000-02100000 rw-p 00000000 00:00 0 [heap]',
      'Rss:                1024 kB',
      '7f0000000000-7f0002010000 rw-p 00000000 00:00 0 ',
      'Rss:               20480 kB',
      '7f0003000000-7f0003040000 rw-p 00000000 00:00 0 ',
      'Rss:                 256 kB',
      '7f0004000000-7f0004040000 rw-p 00000000 00:00 0 ',
      'Rss:                 256 kB',
      '7f0005000000-7f0005100000 r-xp 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/libc.so.6',
      'Rss:                2048 kB',
    ].join('\n');
    expect(residentByKind(smaps, '/usr/bin/node')).toEqual({
      executable: 30,
      'anonymous, 32 MiB and over': 20,
      'shared libraries': 2,
      'glibc heap': 1,
      'anonymous, 256 KiB-1 MiB': 0.5,
    });
  });

  it('finds a 64 MiB buffer in the peak, under mappings of 32 MiB and over', async () => {
    const { report, exitCode } = await probe(holding(64));
    expect(exitCode).toBe(0);
    expect(report.samples).toBeGreaterThan(0);
    expect(report.peakRssMb).toBeGreaterThanOrEqual(64);
    expect(report.byKindMb['anonymous, 32 MiB and over']).toBeGreaterThanOrEqual(60);
  });

  it('tells it from a process that holds no such buffer', async () => {
    const [small, large] = await Promise.all([probe('setTimeout(() => {}, 400)'), probe(holding(64))]);
    expect(large.report.peakRssMb - small.report.peakRssMb).toBeGreaterThan(50);
    expect(small.report.byKindMb['anonymous, 32 MiB and over'] ?? 0).toBeLessThan(10);
  });

  it("exits with the command's exit code, 128 and the signal's number for a command killed", async () => {
    expect((await probe('process.exitCode = 3')).exitCode).toBe(3);
    expect((await probe("process.kill(process.pid, 'SIGKILL')")).exitCode).toBe(137);
  });
});
