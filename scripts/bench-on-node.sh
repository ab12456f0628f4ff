#!/usr/bin/env bash
# `npm run bench` with syncacross run by another Node major (22, 24) than the machine's own; rclone
# and restic are the same binaries as ever. What differs between Node lines shows here: the codec a
# new repository writes (zstd from 22.15, deflate on 20: stored sizes differ), and what only newer
# runtimes can do (restore starting over with huge pages: packages/cli/bin/huge-pages.mjs).
#
#   scripts/bench-on-node.sh 24 [bench arguments…]
set -euo pipefail
major="${1:?usage: scripts/bench-on-node.sh MAJOR [bench arguments…]}"
shift
cd "$(dirname "$0")/.."
npm run build >/dev/null

# shellcheck source=scripts/node-runtime.sh
source scripts/node-runtime.sh

# The bench runs syncacross with process.execPath: this Node.
node bench/run.mjs "$@"
