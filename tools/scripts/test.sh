#!/usr/bin/env bash
# Every test: unit tests beside the code and the integration suites against the
# real engine and registry. Under CI=true a missing engine or registry fails the run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/ensure-deps.sh
if ! bash tools/scripts/env-up.sh; then
  if [ "${CI:-}" = "true" ]; then echo "hashdock: engine/registry could not be started under CI=true" >&2; exit 1; fi
  echo "hashdock: engine/registry unavailable: integration suites will be skipped (never under CI=true)" >&2
  export HASHDOCK_NO_ENGINE=1
fi
# The images the run tags (its workspaces' namespaces on the local registry, its own hashdock-* names) are removed
# after it, so runs do not pile up tags in the daemon (~130 a run): only those that were not there before it.
run_tags() { docker images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -E '^((localhost|127\.0\.0\.1)(:[0-9]+)?/|hashdock-)' | grep -v ':<none>$' | sort -u || true; }
tags_before="$(mktemp)"
if [ -z "${HASHDOCK_NO_ENGINE:-}" ]; then run_tags > "$tags_before"; fi
status=0
vitest run --reporter=default --reporter=json --outputFile.json=.hashdock/vitest-results.json "$@" || status=$?
if [ -z "${HASHDOCK_NO_ENGINE:-}" ]; then
  comm -13 "$tags_before" <(run_tags) | xargs -r docker image rm >/dev/null 2>&1 || true
fi
rm -f "$tags_before"
# One plain closing line for any reader of the log.
node -e '
  const r = require("./.hashdock/vitest-results.json");
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' 2>/dev/null || true
exit "$status"
