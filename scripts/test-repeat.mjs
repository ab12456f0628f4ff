#!/usr/bin/env node
// `npm run test:repeat -- N [vitest filters…]`: builds once, runs the suite N times, and reports
// every failure with its run, test name and seed (simulation and property tests put the seed in
// their failure message). A test that fails once in N is flaky, and this is how it is caught before
// it blocks a landing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [countArg, ...filters] = process.argv.slice(2);
const runs = Number(countArg ?? 1);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: npm run test:repeat -- N [vitest filters…]   (N: how many runs, a whole number ≥ 1)');
  process.exit(2);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  console.error('test:repeat: the build failed');
  process.exit(build.status ?? 1);
}

/** A seed named in a failure message: `seed 123`, `seed: 123`, fast-check's `{ seed: -123, …}`. */
const seedOf = (text) => /\bseed"?[\s:=]+(-?\d+)/i.exec(text)?.[1];

const out = mkdtempSync(join(tmpdir(), 'syncacross-test-repeat-'));
const failures = [];
let totalPassed = 0;
let totalFailed = 0;
for (let i = 1; i <= runs; i++) {
  const report = join(out, `run-${i}.json`);
  const started = Date.now();
  const vitest = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`, ...filters], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  let results;
  try {
    results = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    failures.push({ run: i, test: '(the run produced no report)', message: `vitest exited ${vitest.status} (signal ${vitest.signal ?? 'none'})` });
    totalFailed++;
    console.log(`run ${i}/${runs}: no report (vitest exited ${vitest.status}), ${seconds} s`);
    continue;
  }
  let failed = 0;
  for (const file of results.testResults ?? []) {
    const tests = file.assertionResults ?? [];
    // A file that failed outside any test (an import error, a failing hook) has no failed test.
    if (file.status === 'failed' && !tests.some((t) => t.status === 'failed')) {
      failed++;
      failures.push({ run: i, test: `${file.name.replace(root, '')} (outside any test)`, message: file.message ?? '' });
    }
    for (const t of tests) {
      if (t.status !== 'failed') continue;
      failed++;
      const message = (t.failureMessages ?? []).join('\n');
      failures.push({ run: i, test: `${file.name.replace(root, '')} > ${t.fullName}`, message, seed: seedOf(message) });
    }
  }
  if (vitest.status !== 0 && failed === 0) {
    failed++;
    failures.push({ run: i, test: '(errors outside any test: an unhandled rejection, a crashed worker)', message: `vitest exited ${vitest.status}; run it alone to see the error` });
  }
  const passed = results.numPassedTests ?? 0;
  totalPassed += passed;
  totalFailed += failed;
  console.log(`run ${i}/${runs}: ${passed} passed, ${failed} failed, ${results.numPendingTests ?? 0} skipped, ${seconds} s`);
}
rmSync(out, { recursive: true, force: true });

for (const f of failures) {
  console.log(`\nFAIL in run ${f.run}: ${f.test}${f.seed ? ` [seed ${f.seed}]` : ''}`);
  console.log(
    f.message
      .split('\n')
      .filter((l) => !/^\s+at /.test(l))
      .slice(0, 12)
      .map((l) => `    ${l}`)
      .join('\n'),
  );
}
const clean = runs - new Set(failures.map((f) => f.run)).size;
console.log(`\n${clean} of ${runs} runs clean`);
console.log(`${totalPassed} passed, ${totalFailed} failed`);
process.exit(failures.length > 0 ? 1 : 0);
