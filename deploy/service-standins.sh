#!/usr/bin/env bash
# Local stand-ins for the postgres:15 and redis:7 images the compose file uses, for machines that reach no
# container registry: Debian's packages on the python:3.10-slim stand-in (deploy/python-standin.sh).
# Usage: deploy/service-standins.sh <podman|docker>
set -euo pipefail
engine=${1:-podman}
here=$(cd "$(dirname "$0")" && pwd)
for service in postgres:15 redis:7; do
  name=${service%%:*}
  "$engine" build -q -t "docker.io/library/$service" -f "$here/standins/$name.Containerfile" "$here/standins" >/dev/null
  echo "built docker.io/library/$service (stand-in from Debian's package)" >&2
done
