#!/usr/bin/env bash
# Install npm dependencies when node_modules is missing or was installed from another
# package-lock.json (compared by content: a copy or a checkout gives the lock a new mtime).
# A node_modules that is a symlink belongs to another workspace (the e2e sandboxes borrow
# this repository's) and is never installed into: npm ci would empty the original.
# Sourced by images.sh, test.sh and bench/run.sh; afterwards node_modules/.bin (Node 24
# from the npm package `node` included) leads PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCK_STAMP="$ROOT/node_modules/.hashdock-package-lock.sha256"
lock_sum() { sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1; }
if [ ! -L "$ROOT/node_modules" ] && { [ ! -x "$ROOT/node_modules/.bin/nx" ] || [ ! -x "$ROOT/node_modules/.bin/node" ] ||
   [ "$(cat "$LOCK_STAMP" 2>/dev/null)" != "$(lock_sum)" ]; }; then
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
  lock_sum > "$LOCK_STAMP"
fi
export PATH="$ROOT/node_modules/.bin:$PATH"
node -e 'if (+process.versions.node.split(".")[0] < 22) { console.error("hashdock: Node 22+ needed, got " + process.version); process.exit(1) }'
# This workspace loads its own published packages from their dist/, like a user's would.
(cd "$ROOT" && node tools/scripts/build-packages.mjs) || { echo "hashdock: building @hashdock/core and @hashdock/nx-plugin failed" >&2; exit 1; }
# npm links a bin only when its file exists; on a fresh clone dist/ appears after the install.
[ -x "$ROOT/node_modules/.bin/hashdock" ] || (cd "$ROOT" && npm rebuild --ignore-scripts --loglevel=error @hashdock/core >/dev/null)
# One-shot runs: no Nx daemon, so every run sees the files as they are.
export NX_DAEMON=false
