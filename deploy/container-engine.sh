#!/usr/bin/env bash
# Prints the container engine to use ("docker" or "podman") after making sure it works on this machine.
# Docker when an engine answers; otherwise podman from Debian, installed and configured when missing
# (CI machines start clean; catatonit is the init of compose's `init: true`). Everything comes from the apt mirror.
set -euo pipefail

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  echo docker
  exit 0
fi

missing=()
for tool in podman:podman runc:runc catatonit:catatonit debootstrap:debootstrap docker-compose:docker-compose iptables:iptables; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
dpkg -s netavark >/dev/null 2>&1 || missing+=(netavark aardvark-dns)
if ((${#missing[@]})); then
  echo "installing ${missing[*]}" >&2
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# crun fails on hybrid cgroup hosts such as this one and the default open-files limit is refused: use runc and
# explicit limits; netavark rather than the CNI plugins, which Debian's podman does not ship.
conf=/etc/containers/containers.conf
if ! grep -qs '^runtime = "runc"' "$conf"; then
  echo "writing $conf (runc, ulimits, netavark)" >&2
  cat >"$conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[network]
network_backend = "netavark"

[engine]
runtime = "runc"
CONF
fi
echo podman
