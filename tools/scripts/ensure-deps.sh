#!/usr/bin/env bash
# Install npm dependencies when node_modules is missing or older than package-lock.json.
# Sourced by images.sh and test.sh; afterwards node_modules/.bin (Node 24 included) leads PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ ! -x "$ROOT/node_modules/.bin/nx" ] || [ ! -x "$ROOT/node_modules/.bin/node" ] ||
   [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  echo "hashdock: installing dependencies (npm ci)" >&2
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) || { echo "hashdock: npm ci failed" >&2; exit 1; }
fi
export PATH="$ROOT/node_modules/.bin:$PATH"
# One-shot runs: no Nx daemon, so every run sees the files as they are.
export NX_DAEMON=false
node -e 'if (+process.versions.node.split(".")[0] < 22) { console.error("hashdock: Node 22+ needed, got " + process.version); process.exit(1) }'
