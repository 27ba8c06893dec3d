#!/usr/bin/env bash
# Build libpigpiod_if2 from the upstream pigpio release and install it (with
# pigpiod_if2.h and pigpio.h) under PREFIX. Used where no system package is
# at hand: the wheel builds (cibuildwheel's manylinux containers) and the
# sdist job. Nothing of pigpio is kept in this repository.
# Usage: scripts/build_libpigpiod_if2.sh [PREFIX]   (default /usr/local)
set -euo pipefail
prefix="${1:-/usr/local}"
version="${PIGPIO_VERSION:-79}"
work="$(mktemp -d)"
url="https://github.com/joan2937/pigpio/archive/refs/tags/v${version}.tar.gz"
if command -v curl >/dev/null; then
    curl -fsSL "$url" -o "$work/pigpio.tar.gz"
else
    python3 -c "import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])" \
        "$url" "$work/pigpio.tar.gz"
fi
tar -xzf "$work/pigpio.tar.gz" -C "$work"
cd "$work/pigpio-${version}"
make libpigpiod_if2.so >/dev/null
install -d "$prefix/lib" "$prefix/include"
install -m 0755 libpigpiod_if2.so.1 "$prefix/lib/"
ln -sf libpigpiod_if2.so.1 "$prefix/lib/libpigpiod_if2.so"
install -m 0644 pigpiod_if2.h pigpio.h "$prefix/include/"
command -v ldconfig >/dev/null && ldconfig || true
echo "libpigpiod_if2 ${version} installed under ${prefix}"
