/**
 * Writes `dist/THIRD_PARTY_LICENSES.md` for a package whose build carries other packages' code
 * (tsup `noExternal`: zod and ignore in sync-core, commander and @bomb.sh/tab in the CLI). Their
 * licences (MIT) ask that the copyright and permission notice go with every copy, and a bundled
 * copy no longer has the package's own folder beside it. Called from tsup's `onSuccess`, so the
 * texts are those of the versions installed when the build was made.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder of `name` as Node would find it from `fromDir`: the nearest node_modules up the tree. */
function packageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`third-party-licenses: ${name} is not installed above ${fromDir}`);
  }
}

function section(name, fromDir) {
  const dir = packageDir(name, fromDir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licenceFiles = readdirSync(dir).filter((f) => /^licen[cs]e/i.test(f));
  const heading = `## ${name} ${pkg.version} (${pkg.license ?? 'licence not declared'})`;
  if (licenceFiles.length > 0) return [heading, ...licenceFiles.map((f) => readFileSync(join(dir, f), 'utf8').trim())].join('\n\n');
  // Some packages declare a licence without shipping its text (@bomb.sh/tab 0.0.22): say so, and
  // where the text is.
  const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
  const repository = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  return `${heading}\n\nThe package ships no licence text. It declares the ${pkg.license} licence${author ? `, by ${author}` : ''}${repository ? `; its source: ${repository}` : ''}.`;
}

/** `packages`: what the build bundles; `packageRoot`: the folder of the package being built. */
export function writeThirdPartyLicenses(packages, packageRoot) {
  const own = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).name;
  const text = [`# Third-party code in this build`, `The build of ${own} includes the code of these packages, under their own licences.`, ...packages.map((name) => section(name, packageRoot))];
  writeFileSync(join(packageRoot, 'dist', 'THIRD_PARTY_LICENSES.md'), `${text.join('\n\n')}\n`);
}
