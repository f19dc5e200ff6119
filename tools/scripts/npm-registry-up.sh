#!/usr/bin/env bash
# Start a real local npm registry (verdaccio) on 127.0.0.1, idempotently, for
# publishing Hashdock with `nx release` and installing it into workspaces
# outside this repo. @hashdock/* live only here; other packages are proxied
# from the npm registry this machine is configured with, and cached in the
# git-ignored .hashdock/verdaccio.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/ensure-deps.sh
ADDR="${HASHDOCK_NPM_REGISTRY_ADDR:-127.0.0.1:4873}"
STATE="$ROOT/.hashdock/verdaccio"
UPLINK="$(npm config get registry 2>/dev/null | grep -v '^npm warn' || true)"
mkdir -p "$STATE/storage"
# One start at a time: two callers at once (test files run two at a time) would both find no registry, and the
# second verdaccio could not listen. The lock goes with this shell.
exec 9>"$STATE/up.lock"
flock 9
up() { curl -fs -o /dev/null "http://$ADDR/-/ping"; }
# A verdaccio left running by a checkout that has since been deleted answers pings but has lost its
# storage and users (500 on every login): stop it. It runs in the checkout it was started from (it
# renames its process, so its working directory is what tells). One whose checkout exists is reused.
for pid in $(pgrep -x verdaccio || true); do
  if [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" != "${ROOT}" ] && readlink "/proc/$pid/cwd" 2>/dev/null | grep -q ' (deleted)$'; then
    echo "npm-registry-up: stopping verdaccio $pid (started from $(readlink "/proc/$pid/cwd"))" >&2
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
done
if ! up; then
  cat >"$STATE/config.yaml" <<YAML
storage: $STATE/storage
uplinks:
  npmjs:
    url: ${UPLINK:-https://registry.npmjs.org/}
    # A stalled upstream answer fails in 30 s (npm retries) instead of holding the install.
    timeout: 30s
    max_fails: 20
    fail_timeout: 10s
packages:
  '@hashdock/*':
    access: \$all
    publish: \$all
    unpublish: \$all
  '**':
    access: \$all
    publish: \$authenticated
    proxy: npmjs
auth:
  htpasswd:
    file: $STATE/htpasswd
    max_users: 1000
server:
  keepAliveTimeout: 60
log: { type: stdout, format: pretty, level: warn }
YAML
  setsid verdaccio --config "$STATE/config.yaml" --listen "$ADDR" >"$STATE/verdaccio.log" 2>&1 </dev/null 9>&- &
  for _ in $(seq 1 80); do up && break; sleep 0.25; done
  up || { echo "npm-registry-up: verdaccio did not come up on $ADDR; see $STATE/verdaccio.log" >&2; exit 1; }
fi
echo "npm-registry-up: verdaccio on http://$ADDR (storage .hashdock/verdaccio/storage)"
