#!/usr/bin/env bash
# Install npm dependencies when node_modules is missing or older than package-lock.json.
# Sourced by images.sh, test.sh and bench/run.sh; afterwards node_modules/.bin (Node 24
# from the npm package `node` included) leads PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ ! -x "$ROOT/node_modules/.bin/nx" ] || [ ! -x "$ROOT/node_modules/.bin/node" ] ||
   [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  echo "hashdock: installing dependencies (npm ci)" >&2
  mkdir -p "$ROOT/.hashdock"
  if ! (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) 2>"$ROOT/.hashdock/npm-ci.log"; then
    # A registry that serves only this platform's optional packages (nx and swc ship one
    # per OS/CPU) makes npm ci reject a correct lock as "out of sync". npm install still
    # installs the locked versions; the lock must come out unchanged.
    if grep -q 'can only install packages when your package.json and package-lock.json' "$ROOT/.hashdock/npm-ci.log"; then
      echo "hashdock: npm ci refused the lock (other platforms' optional packages are missing from this registry); installing the locked versions with npm install" >&2
      cp "$ROOT/package-lock.json" "$ROOT/.hashdock/package-lock.before.json"
      (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error) || { echo "hashdock: npm install failed" >&2; exit 1; }
      cmp -s "$ROOT/package-lock.json" "$ROOT/.hashdock/package-lock.before.json" ||
        echo "hashdock: warning: npm install changed package-lock.json; review and commit it" >&2
    else
      cat "$ROOT/.hashdock/npm-ci.log" >&2
      echo "hashdock: npm ci failed" >&2
      exit 1
    fi
  fi
fi
export PATH="$ROOT/node_modules/.bin:$PATH"
node -e 'if (+process.versions.node.split(".")[0] < 22) { console.error("hashdock: Node 22+ needed, got " + process.version); process.exit(1) }'
# This workspace loads its own published packages from their dist/, like a user's would.
(cd "$ROOT" && node tools/scripts/build-packages.mjs) || { echo "hashdock: building @hashdock/core and @hashdock/nx-plugin failed" >&2; exit 1; }
# npm links a bin only when its file exists; on a fresh clone dist/ appears after the install.
[ -x "$ROOT/node_modules/.bin/hashdock" ] || (cd "$ROOT" && npm rebuild --ignore-scripts --loglevel=error @hashdock/core >/dev/null)
# One-shot runs: no Nx daemon, so every run sees the files as they are.
export NX_DAEMON=false
