#!/usr/bin/env bash
# The main job: install what is missing, start engine and registry, build and push every image.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/ensure-deps.sh
bash tools/scripts/env-up.sh
nx run-many -t image --outputStyle=stream "$@"
# Nx's cache knows files, not the registry: a cache hit can replay a manifest whose image the
# registry no longer has (a wiped .hashdock/, another registry). Check, and rebuild if so.
if ! hashdock verify; then
  echo "hashdock: some cached manifests name images the registry does not have; running the image targets without the Nx cache" >&2
  nx run-many -t image --outputStyle=stream --skip-nx-cache "$@"
  hashdock verify
fi
