// `npm install` / `npm ci` in a checkout (the root `prepare` script): build the JavaScript of each
// package that has no dist/ yet, so `npx syncacross` runs in a fresh clone. A package that is
// already built is left alone: a JavaScript-only build would delete its declarations (tsup cleans
// dist/), and `npm run build` (which `npm test` runs) is the full, up-to-date build.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const root = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const workspace of root.workspaces) {
  const dir = new URL(`../${workspace}/`, import.meta.url);
  if (existsSync(new URL('dist', dir))) continue;
  console.log(`prepare: building ${workspace} (JavaScript only; \`npm run build\` adds the declarations)`);
  execFileSync('npx', ['tsup', '--no-dts'], { cwd: dir, stdio: 'inherit' });
}
