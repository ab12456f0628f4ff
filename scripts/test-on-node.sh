#!/usr/bin/env bash
# Runs the test suite on another Node major (22, 24: the current LTS lines) beside the machine's
# own. The runtime comes from the npm registry (the `node-<platform>-<arch>` package, which also
# ships the headers), and better-sqlite3, the one addon built against one Node ABI, is rebuilt
# for it from those headers: no download from nodejs.org, which CI cannot reach. The addon built
# for the machine's own Node is put back on exit, so a checkout is left as it was (while this
# runs, tests on the machine's own Node in the same checkout cannot load it).
#
#   scripts/test-on-node.sh 22 [vitest arguments…]
set -euo pipefail
major="${1:?usage: scripts/test-on-node.sh MAJOR [vitest arguments…]}"
shift
cd "$(dirname "$0")/.."

platform="$(node -p 'process.platform + "-" + process.arch')"
runtime_dir="node_modules/.cache/node-$major"
if [ ! -x "$runtime_dir/node_modules/node-$platform/bin/node" ]; then
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$runtime_dir" "node-$platform@$major" >/dev/null
fi
home="$(cd "$runtime_dir/node_modules/node-$platform" && pwd)"
export PATH="$home/bin:$PATH"
echo "== node $(node --version) (from the npm registry's node-$platform@$major)"

addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
saved="$(mktemp)"
cp "$addon" "$saved"
restore() {
  cp "$saved" "$addon"
  rm -f "$saved"
}
trap restore EXIT
# Built once per better-sqlite3 version and Node ABI, then kept beside the runtime.
built="$runtime_dir/better_sqlite3-$(node -p "require('./node_modules/better-sqlite3/package.json').version")-abi$(node -p process.versions.modules).node"
if [ ! -f "$built" ]; then
  # npm's own node-gyp, run by this Node (the addon is built for its ABI), headers from the package.
  gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  (cd node_modules/better-sqlite3 && node "$gyp" rebuild --release --nodedir="$home" -j 2 >/dev/null)
  cp "$addon" "$built"
fi
cp "$built" "$addon"
node -e "new (require('better-sqlite3'))(':memory:').close()"

# Child processes the tests start use process.execPath: this Node too.
npx --no vitest run "$@"
