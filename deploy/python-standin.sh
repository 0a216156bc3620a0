#!/usr/bin/env bash
# A local stand-in for docker.io/library/python:3.10-slim, for machines that reach no container registry
# (make image-test uses it only when the real image can be neither found nor pulled).
# Debian bookworm (minbase) from the machine's own apt mirror, plus the host's Python 3.10 copied in at the
# same path (its library path is compiled in) and linked into /usr/local/bin as in the official image.
# Usage: deploy/python-standin.sh <podman|docker>
set -euo pipefail
engine=${1:-podman}
tag=docker.io/library/python:3.10-slim

python=$(find /root/.pyenv/versions -maxdepth 1 -name "3.10.*" 2>/dev/null | sort -V | tail -1 || true)
[ -n "$python" ] || { echo "no pyenv Python 3.10 under /root/.pyenv/versions to build $tag from" >&2; exit 1; }
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}

root=$(mktemp -d /var/tmp/python-standin.XXXXXX)
trap 'rm -rf "$root"' EXIT
# The runtime libraries the official image has and CPython's extension modules link against.
libs=libssl3,libffi8,libsqlite3-0,libreadline8,libexpat1,libbz2-1.0,zlib1g,liblzma5,libncursesw6,libuuid1,libnsl2,libtirpc3,ca-certificates
echo "debootstrap bookworm from $mirror" >&2
debootstrap --variant=minbase --include="$libs" bookworm "$root" "$mirror" >/dev/null

mkdir -p "$root$(dirname "$python")"
tar -C "$(dirname "$python")" --exclude='*/test' --exclude='*/tests' --exclude='__pycache__' -cf - "$(basename "$python")" \
  | tar -C "$root$(dirname "$python")" -xf -
chmod 755 "$root/root" "$root/root/.pyenv" "$root/root/.pyenv/versions"  # readable by the image's non-root user
for name in python python3 python3.10 pip pip3; do
  target=$python/bin/$name
  [ -e "$root$target" ] || target=$python/bin/${name%3*}3.10
  ln -sf "$target" "$root/usr/local/bin/$name"
done
chroot "$root" /usr/local/bin/python3 -c 'import ssl, sqlite3, ctypes, lzma, bz2, readline, uuid; print("python ok")' >&2
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

tar -C "$root" -cf - . | "$engine" import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PYTHON_VERSION=3.10' \
  --change 'CMD ["python3"]' \
  - "$tag" >/dev/null
echo "built $tag (stand-in from $python)" >&2
