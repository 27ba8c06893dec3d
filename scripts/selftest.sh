#!/usr/bin/env bash
# pigpio's own self-tests against the simulator: x_pigpiod_if2 (C, libpigpiod_if2),
# x_pigpio.py (the pigpio module), x_pigs (pigs) and x_pipe (the command pipe),
# each against a fresh simulator, every group of each.  Prints the results per
# program and group; fails on any failed check.  One exception: a check listed
# in scripts/selftest_results.py's KNOWN_RACES races in upstream's own test
# (its outcome depends on thread timing in the client); if such checks are the
# only failures, the program runs once more, and fails if they fail again.
#
# The programs come from Debian's pigpio source package: a temporary deb-src
# list made from the URIs of this machine's apt sources feeds a private apt
# state (nothing under /etc/apt or /var/lib/apt changes); the unpacked source
# is cached in .selftest/ (ignored by git; delete it to fetch again).
# x_pigpiod_if2 is built with -funsigned-char (char is unsigned on the Pi)
# against the system libpigpiod_if2, with upstream's pigpio.h from the source
# package.  The programs open /dev/pigpio<N> (notifications) and
# /dev/pigpio, /dev/pigout (the command pipe): each runs in a private mount
# namespace whose /dev is a tmpfs linking to the real /dev and to the
# simulator's FIFO directories.  scripts/selftest.json is the rig the programs
# expect: an ADXL345 at 0x53 on I2C bus 1 (group 11), an MCP3202 on SPI CE1
# (group 12), TXD wired to RXD on /dev/ttyAMA0 (group 10); nothing on gpio 25.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=$ROOT/.selftest
PROGRAMS=${SELFTEST_PROGRAMS:-"x_pigpiod_if2 x_pigpio.py x_pigs x_pipe"}

if [ -x .venv/bin/python ] && .venv/bin/python -c "import pigpiod_py.sim" 2>/dev/null; then
    . .venv/bin/activate
else
    . scripts/setup.sh
fi

fetch_source() {
    local work
    work=$(mktemp -d)
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/download"
    apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' \
        | sort -u | awk 'NF == 3 {print "deb-src " $1 " " $2 " " $3}' > "$work/sources.list"
    if [ ! -s "$work/sources.list" ]; then
        echo "selftest: no apt sources to make a deb-src entry from" >&2
        rm -rf "$work"
        return 1
    fi
    local apt=(apt-get -qq -o "Dir::Etc::sourcelist=$work/sources.list"
               -o Dir::Etc::sourceparts=/nonexistent -o "Dir::State::Lists=$work/lists"
               -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
    "${apt[@]}" update
    (cd "$work/download" && "${apt[@]}" source --download-only pigpio)
    mkdir -p "$CACHE/src"
    tar -xzf "$work"/download/pigpio_*.orig.tar.gz -C "$CACHE/src"
    rm -rf "$work"
}

SRC=$(dirname "$(ls "$CACHE"/src/*/x_pigpiod_if2.c 2>/dev/null | head -n 1)")
if [ ! -f "$SRC/x_pigpiod_if2.c" ]; then
    fetch_source
    SRC=$(dirname "$(ls "$CACHE"/src/*/x_pigpiod_if2.c | head -n 1)")
fi

BUILD=$CACHE/build
if [ ! -x "$BUILD/x_pigpiod_if2" ] || [ "$SRC/x_pigpiod_if2.c" -nt "$BUILD/x_pigpiod_if2" ]; then
    mkdir -p "$BUILD/include"
    cp "$SRC/pigpio.h" "$BUILD/include/"   # for the test program only; the library is the system's
    gcc -O2 -funsigned-char -pthread -I"$BUILD/include" -o "$BUILD/x_pigpiod_if2" \
        "$SRC/x_pigpiod_if2.c" -lpigpiod_if2
fi

RUN=$(mktemp -d)
SIM_PID=""
cleanup() {
    if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
    rm -rf "$RUN"
}
trap cleanup EXIT

UNSHARE=(unshare -m)
[ "$(id -u)" -eq 0 ] || UNSHARE=(unshare -r -m)

# Run "$@" against a fresh simulator, in a mount namespace with the simulator's /dev entries.
with_simulator() {
    local dir=$RUN/$1 line=""
    shift
    mkdir -p "$dir/fifo" "$dir/pipe" "$dir/olddev"
    python -m pigpiod_py.sim --port 0 --config scripts/selftest.json \
        --fifo-dir "$dir/fifo" --pipe-dir "$dir/pipe" > "$dir/sim.out" 2> "$dir/sim.err" &
    SIM_PID=$!
    for _ in $(seq 100); do
        line=$(head -n 1 "$dir/sim.out")
        [ -n "$line" ] && break
        sleep 0.1
    done
    read -r _ host port _ <<< "$line"
    if [ -z "$port" ]; then
        echo "selftest: the simulator did not start: $(cat "$dir/sim.err")" >&2
        return 1
    fi
    local status=0
    PIGPIO_ADDR=$host PIGPIO_PORT=$port "${UNSHARE[@]}" \
        bash scripts/selftest_dev.sh "$dir/olddev" "$dir/fifo" "$dir/pipe" "$@" || status=$?
    kill "$SIM_PID"
    wait "$SIM_PID" 2>/dev/null || true
    SIM_PID=""
    return $status
}

# Run program $1 (its command: the rest) against a fresh simulator; print its
# summary; the status of scripts/selftest_results.py.
run_program() {
    local program=$1 log=$RUN/$1.log start=$SECONDS status=0
    shift
    with_simulator "$program" "$@" > "$log" 2>&1 || status=$?
    python scripts/selftest_results.py "$program" "$log" "$status" "$((SECONDS - start))"
}

ONLY_KNOWN_RACES=3
failed=0
for program in $PROGRAMS; do
    case $program in
        x_pigpiod_if2) cmd=(stdbuf -oL "$BUILD/x_pigpiod_if2" 0123456789abc) ;;
        x_pigpio.py) cmd=(env PYTHONPATH="$SRC" python -u "$SRC/x_pigpio.py" 0123456789abcd) ;;
        x_pigs|x_pipe) cmd=(bash "$SRC/$program") ;;
        *) echo "selftest: unknown program $program" >&2; exit 2 ;;
    esac
    result=0
    run_program "$program" "${cmd[@]}" || result=$?
    if [ "$result" -eq "$ONLY_KNOWN_RACES" ]; then
        echo "  only checks that race in upstream's own test failed: $program runs once more"
        result=0
        run_program "$program" "${cmd[@]}" || result=$?
    fi
    [ "$result" -eq 0 ] || failed=1
done
exit $failed
