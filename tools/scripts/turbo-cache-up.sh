#!/usr/bin/env bash
# Start a turbo remote cache (the npm package turborepo-remote-cache, local storage)
# on 127.0.0.1, idempotently, and print the variables turbo needs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/ensure-deps.sh
PORT="${HASHDOCK_TURBO_CACHE_PORT:-3334}"
TOKEN_FILE="$ROOT/.hashdock/turbo-cache-token"
mkdir -p "$ROOT/.hashdock/turbo-cache"
[ -f "$TOKEN_FILE" ] || (umask 077; node -p 'crypto.randomBytes(24).toString("hex")' >"$TOKEN_FILE")
if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v8/artifacts/status" || true)" = "000" ]; then
  HOST=127.0.0.1 PORT="$PORT" STORAGE_PROVIDER=local STORAGE_PATH="$ROOT/.hashdock/turbo-cache" TURBO_TOKEN="$(cat "$TOKEN_FILE")" \
    setsid turborepo-remote-cache >"$ROOT/.hashdock/turbo-cache.log" 2>&1 </dev/null &
  up=""
  for _ in $(seq 1 40); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v8/artifacts/status" || true)" != "000" ] && up=1 && break; sleep 0.25; done
  [ -n "$up" ] || { echo "turbo-cache-up: error: turborepo-remote-cache did not answer on 127.0.0.1:$PORT within 10 s; see .hashdock/turbo-cache.log" >&2; exit 1; }
fi
echo "turbo-cache-up: turbo remote cache on http://127.0.0.1:$PORT. Use it with:"
echo "  export TURBO_API=http://127.0.0.1:$PORT TURBO_TEAM=hashdock TURBO_TOKEN=\$(cat .hashdock/turbo-cache-token)"
