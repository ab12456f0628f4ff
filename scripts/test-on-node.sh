#!/usr/bin/env bash
# Runs the test suite on another Node major (22, 24: the current LTS lines) beside the machine's
# own (node-runtime.sh fetches it and puts better-sqlite3 built for it in place, then back).
#
#   scripts/test-on-node.sh 22 [vitest arguments…]
set -euo pipefail
major="${1:?usage: scripts/test-on-node.sh MAJOR [vitest arguments…]}"
shift
cd "$(dirname "$0")/.."

# shellcheck source=scripts/node-runtime.sh
source scripts/node-runtime.sh

# Child processes the tests start use process.execPath: this Node too.
npx --no vitest run "$@"
