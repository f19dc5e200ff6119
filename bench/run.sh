#!/usr/bin/env bash
# Benchmarks: npm run bench [hash|inference [N]|narrowing|workspace|cache|promote|promote-many|infra|upload|registry-builder|scale [N]|nothing-changed [N]|sample-plain|peers [N]|prune [N]]. Prints a table of ratios against
# baselines measured in the same run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tools/scripts/ensure-deps.sh
case "${1:-}" in hash|inference|narrowing) ;; *) bash tools/scripts/env-up.sh ;; esac
mkdir -p dist/bench
esbuild bench/main.ts --bundle --platform=node --format=esm --packages=external --log-level=warning --outfile=dist/bench/main.mjs
HASHDOCK_REPO_ROOT="$ROOT" node dist/bench/main.mjs "$@"
