#!/usr/bin/env bash
# The package on every supported CPython: the cp39-abi3 wheel is built once
# with the oldest (3.9), then installed with its test extras in a fresh
# virtual environment of each Python and a subset of the suite runs there
# against the simulator, from outside the source tree. The newest Python
# also builds the package from source (its headers are the strictest about
# the stable ABI).
#
# Usage: scripts/check_pythons.sh [WORKDIR]
#   PYTHONS="3.9 3.10 3.12 3.13" (default) picks the versions; each is looked
#   up under pyenv ($PYENV_ROOT/versions/X.*), then as pythonX on PATH. A
#   missing Python is reported and skipped; a failing one fails the script.
# Prints the test counts and the wall time per Python.
set -euo pipefail
cd "$(dirname "$0")/.."
src="$(pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
versions=(${PYTHONS:-3.9 3.10 3.12 3.13})
#: Sessions, events in every dispatch mode, threads, buses, waves, batches,
#: the lock-free build and the type check (mypy needs 3.10+; skipped on 3.9).
SUBSET="test_session.py test_connect.py test_events.py test_threads.py test_i2c.py test_spi.py
test_wave.py test_batch.py test_extension_build.py test_typing.py"

find_python() {  # find_python X.Y: the newest pyenv X.Y.*, else pythonX.Y on PATH
    local root="${PYENV_ROOT:-$HOME/.pyenv}" found
    found=$(ls -d "$root"/versions/"$1".*/bin/python 2>/dev/null | sort -V | tail -1)
    [ -n "$found" ] || found=$(command -v "python$1" || true)
    echo "$found"
}

seconds_since() { echo $(( ($(date +%s) - $1) )); }

build_wheel() {  # build_wheel PYTHON OUTDIR: the wheel from source, which must be cp39-abi3
    "$1" -m venv "$work/build-$(basename "$2")"
    "$work/build-$(basename "$2")/bin/pip" install -q build
    "$work/build-$(basename "$2")/bin/python" -m build --wheel --outdir "$2" "$src" >"$2.log" 2>&1 \
        || { tail -30 "$2.log"; return 1; }
    case "$(ls "$2")" in
        pigpiod_py-*-cp39-abi3-*.whl) ;;
        *) echo "built $(ls "$2"), not a cp39-abi3 wheel" >&2; return 1 ;;
    esac
}

python39=$(find_python 3.9)
[ -n "$python39" ] || { echo "no Python 3.9 to build the cp39-abi3 wheel with" >&2; exit 1; }
start=$(date +%s)
build_wheel "$python39" "$work/dist"
wheel=$(ls "$work"/dist/*.whl)
echo "built with $("$python39" -V): $(basename "$wheel") ($(seconds_since "$start") s)"

summary=()
failed=0
for version in "${versions[@]}"; do
    python=$(find_python "$version")
    if [ -z "$python" ]; then
        echo "SKIPPED Python $version: not installed (neither under pyenv nor python$version on PATH)"
        summary+=("$version: skipped, not installed")
        continue
    fi
    start=$(date +%s)
    env="$work/py$version"
    rm -rf "$env"
    "$python" -m venv "$env"
    "$env/bin/pip" install -q "$wheel[test]"
    if [ "$version" = "${versions[-1]}" ]; then
        build_wheel "$python" "$work/dist-$version"
        echo "Python $version builds from source: $(ls "$work/dist-$version")"
    fi
    # pytest from outside the source tree: the installed wheel, not the checkout.
    set +e
    (cd "$work" && "$env/bin/pytest" -q -p no:cacheprovider $(printf "$src/tests/%s " $SUBSET)) \
        >"$work/py$version.log" 2>&1
    status=$?
    set -e
    result=$(tail -1 "$work/py$version.log" | sed 's/=//g; s/^ *//; s/ *$//')
    echo "Python $("$python" -V | cut -d' ' -f2): $result ($(seconds_since "$start") s)"
    summary+=("$version: $result ($(seconds_since "$start") s)")
    if [ "$status" -ne 0 ]; then
        grep -E '^(FAILED|ERROR)' "$work/py$version.log" || tail -20 "$work/py$version.log"
        failed=1
    fi
done
echo "per Python:"
printf '  %s\n' "${summary[@]}"
exit "$failed"
