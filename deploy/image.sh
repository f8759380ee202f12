#!/usr/bin/env bash
# Builds DeltaFlow's image with podman on a host with no Docker and no image registry, and checks it.
#   deploy/image.sh build [CONTEXT]   # the stand-in base (once, cached), then the image (DELTAFLOW_IMAGE)
#   deploy/image.sh check             # the smoke test of deploy/image_check.py against the built image
# State (podman's storage, the base's root file system, logs) lives in DELTAFLOW_IMAGE_WORK (default .image/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(realpath -m "${DELTAFLOW_IMAGE_WORK:-$root/.image}")
base=docker.io/library/python:3.11-slim
image=${DELTAFLOW_IMAGE:-localhost/deltaflow:latest}
mkdir -p "$work"

export CONTAINERS_CONF=$root/deploy/podman/containers.conf
export CONTAINERS_STORAGE_CONF=$work/storage.conf
cat > "$CONTAINERS_STORAGE_CONF" <<CONF
[storage]
driver = "overlay"
graphroot = "$work/storage"
runroot = "$work/run"
CONF
export DELTAFLOW_IMAGE_WORK=$work DELTAFLOW_IMAGE=$image

# The registry's python:3.11-slim cannot be pulled here: Debian bookworm's python 3.11 stands in for it, with
# a venv at /usr/local so that python and pip sit where the official image has them.
stand_in_base() {
  podman image exists "$base" && return
  local mirror rootfs=$work/rootfs
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log"
  chroot "$rootfs" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    python3 python3-pip python3-venv ca-certificates > "$work/base-packages.log"
  chroot "$rootfs" python3 -m venv /usr/local
  chroot "$rootfs" apt-get clean
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$base" > /dev/null
  rm -rf "$rootfs"
}

# build CONTEXT TAG LOG: the Dockerfile as it is; pip reaches PyPI with the host's CA bundle lent to RUN steps
# (nothing of it is copied into the image); the docker format keeps the HEALTHCHECK, which OCI drops
build() {
  podman build --pull=never --format docker \
    -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
    -t "$2" "$1" > "$3" 2>&1 || { tail -n 40 "$3"; return 1; }
}

case "${1:-}" in
  build)
    stand_in_base
    log=$work/build-${image##*:}.log
    started=$SECONDS
    build "${2:-$root}" "$image" "$log"
    echo "built $image in $((SECONDS - started)) s ($(podman image inspect --format '{{.Size}}' "$image") bytes); log: $log"
    ;;
  check)
    podman image exists "$image" || { echo "no $image: run deploy/image.sh build first" >&2; exit 1; }
    python3 deploy/image_check.py
    ;;
  podman)
    # podman with this folder's settings, for looking around: deploy/image.sh podman ps -a
    shift
    exec podman "$@"
    ;;
  *)
    echo "usage: deploy/image.sh build|check|podman ARGS..." >&2
    exit 2
    ;;
esac
