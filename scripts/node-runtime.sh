# Sourced by test-on-node.sh and bench-on-node.sh with $major set: puts that Node line first on
# PATH and better-sqlite3 built for it in place, and the machine's own build back on exit. The
# runtime comes from the npm registry (the `node-<platform>-<arch>` package, which also ships the
# headers), and better-sqlite3, the one addon built against one Node ABI, is rebuilt for it from
# those headers: no download from nodejs.org, which CI cannot reach. While it is in place, the
# machine's own Node cannot load the addon in this checkout.
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

