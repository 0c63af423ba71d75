#!/usr/bin/env bash
# dockerd with a one-node swarm, and the local test image terrane-test/busybox:1
# (registries are unreachable in CI, so the image is built from busybox-static).
set -euo pipefail
if ! command -v dockerd >/dev/null 2>&1; then
  echo "installing docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq docker.io busybox-static >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  echo "starting dockerd"
  setsid /usr/sbin/dockerd --host unix:///var/run/docker.sock >/var/log/terrane-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "ERROR: dockerd did not start" >&2; tail -50 /var/log/terrane-dockerd.log >&2; exit 1; }
fi
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi
if ! docker image inspect terrane-test/busybox:1 >/dev/null 2>&1; then
  command -v busybox >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq busybox-static >/dev/null; }
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/www"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for t in sh httpd sleep cat echo ls env wget nc; do ln -s busybox "$root/bin/$t"; done
  tar -C "$root" -c . | docker import - terrane-test/busybox:1 >/dev/null
  rm -rf "$root"
fi
echo "docker swarm ready"
