#!/usr/bin/env bash
# The main job: install what is missing, start engine and registry, build and push every image.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/ensure-deps.sh
bash tools/scripts/env-up.sh
exec nx run-many -t image --outputStyle=stream "$@"
