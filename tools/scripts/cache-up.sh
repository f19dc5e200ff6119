#!/usr/bin/env bash
# Start the Nx remote cache server (libs/remote-cache) on 127.0.0.1, idempotently.
# Tokens are generated once into .hashdock/cache-tokens.env; storage is a directory
# by default, or the registry with HASHDOCK_CACHE_REGISTRY=host/repo.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/ensure-deps.sh
PORT="${HASHDOCK_CACHE_PORT:-3333}"
TOKENS="$ROOT/.hashdock/cache-tokens.env"
mkdir -p "$ROOT/.hashdock"
if [ ! -f "$TOKENS" ]; then
  umask 077
  printf 'HASHDOCK_CACHE_TOKENS=%s\nHASHDOCK_CACHE_READONLY_TOKENS=%s\n' "$(node -p 'crypto.randomBytes(24).toString("hex")')" "$(node -p 'crypto.randomBytes(24).toString("hex")')" >"$TOKENS"
fi
set -a; source "$TOKENS"; set +a
if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/cache/x" || true)" = "000" ]; then
  storage=(--dir "$ROOT/.hashdock/nx-cache")
  [ -n "${HASHDOCK_CACHE_REGISTRY:-}" ] && storage=(--registry "$HASHDOCK_CACHE_REGISTRY")
  setsid node -r @swc-node/register libs/remote-cache/src/main.ts --port "$PORT" "${storage[@]}" >"$ROOT/.hashdock/cache-server.log" 2>&1 </dev/null &
  for _ in $(seq 1 40); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/cache/x" || true)" != "000" ] && break; sleep 0.25; done
fi
echo "cache-up: Nx remote cache on http://127.0.0.1:$PORT (log .hashdock/cache-server.log). Use it with:"
echo "  export NX_SELF_HOSTED_REMOTE_CACHE_SERVER=http://127.0.0.1:$PORT"
echo "  export NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=\$(grep '^HASHDOCK_CACHE_TOKENS=' .hashdock/cache-tokens.env | cut -d= -f2)   # read-write"
