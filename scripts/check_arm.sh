#!/usr/bin/env bash
# The package on the Pi's own architectures, under QEMU user-mode emulation:
# Debian bookworm arm64 and armhf userlands (built with mmdebstrap from the
# mirror this machine's apt uses, cached between runs), and in each: build
# from the checkout like `pip install` does (armhf with Raspberry Pi OS's
# ARMv6 flags), import, smoke test against the simulator, a representative
# subset of the tests, and on armhf the C sanitizers (32-bit: alignment,
# atomics); on request also the sanitizers on arm64 and the wheel check.
#
# Usage: scripts/check_arm.sh [--full] [ARCH...]      (ARCH: arm64, armhf)
#   no option   what CI runs: build, import, smoke test, test subset on each
#               ARCH (default both), and the C sanitizers on armhf
#   --full      every step on each ARCH: also the C sanitizers on arm64
#               and the wheel check (build, auditwheel repair, install
#               with the system library hidden, smoke test)
# Needs root (chroot, binfmt_misc); installs qemu-user-static, binfmt-support
# and mmdebstrap when missing. Userlands are cached under
# ${PIGPIOD_PY_CACHE:-~/.cache/pigpiod-py}/arm; delete that to rebuild them.
# Prints each step's wall time.
set -euo pipefail
cd "$(dirname "$0")/.."

#: Raspberry Pi OS 32-bit compiles for ARMv6 (Pi Zero, Pi 1); Debian armhf for ARMv7.
ARMV6_CFLAGS="-march=armv6+fp -marm -mfpu=vfp -mfloat-abi=hard"
SUITE=bookworm
PACKAGES="python3 python3-dev python3-venv gcc libc6-dev libffi-dev libpigpiod-if-dev
pigpio-tools ca-certificates mount"
#: What the test subset covers: sessions, events in every dispatch mode, I2C,
#: SPI, waves, resource hygiene, the lock-free build, threads.
SUBSET="test_session.py test_connect.py test_events.py test_i2c.py test_spi.py test_wave.py
test_batch.py test_hygiene.py test_threads.py test_extension_build.py"
cache="${PIGPIOD_PY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pigpiod-py}/arm"

full=0
arches=()
for arg in "$@"; do
    case "$arg" in
        --full) full=1 ;;
        arm64|armhf) arches+=("$arg") ;;
        *) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
[ ${#arches[@]} -gt 0 ] || arches=(arm64 armhf)
# root for chroot, mounts and binfmt_misc; the environment (proxy, pip settings) kept
[ "$(id -u)" -eq 0 ] || exec sudo -E bash "$0" "$@"

timings=()
step() {  # step LABEL COMMAND...: run it, print and keep its wall time
    local label="$1" start seconds
    shift
    echo "== $label" >&2
    start=$(date +%s%N)
    "$@"
    seconds=$(( ($(date +%s%N) - start) / 1000000 ))
    seconds="$((seconds / 1000)).$(( (seconds % 1000) / 100 ))"
    timings+=("$(printf '%-24s %7s s' "$label" "$seconds")")
    echo "   $label: $seconds s" >&2
}

# ---- the host: emulation and tools -------------------------------------------

host_tools() {
    local missing="" pkg
    for pkg in qemu-user-static binfmt-support mmdebstrap arch-test; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
    [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
    [ -e /proc/sys/fs/binfmt_misc/qemu-arm ] || update-binfmts --enable qemu-arm
}

# The first Debian mirror (not the security one) of this machine's apt sources.
debian_mirror() {
    { cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } \
        | awk '/^[ \t]*URIs:/ { for (i = 2; i <= NF; i++) print $i }
               /^[ \t]*deb[ \t]/ { sub(/\[[^]]*\]/, ""); print $2 }' \
        | awk '!/security/ && NF { print; exit }'
}

# apt's proxy settings on this machine, for mmdebstrap's apt.
apt_proxy_options() {
    apt-config dump 2>/dev/null | grep -i -E '^Acquire::(https?|ftp)::Proxy' \
        | sed -E 's/^([^ ]+) "(.*)";$/--aptopt=\1 "\2"/' || true
}

userland() {  # userland ARCH: the cached root directory, built when missing or stale
    local arch="$1" root="$cache/bookworm-$1" mirror stamp
    stamp="$SUITE $(echo $PACKAGES)"
    if [ -f "$root/.pigpiod-py-userland" ] && [ "$(cat "$root/.pigpiod-py-userland")" = "$stamp" ]; then
        return
    fi
    mirror="$(debian_mirror)"
    [ -n "$mirror" ] || { echo "no Debian mirror in /etc/apt/sources*" >&2; exit 1; }
    rm -rf "$root" "$root.new"
    mkdir -p "$cache"
    local opts=()
    mapfile -t opts < <(apt_proxy_options)
    if ! mmdebstrap --variant=apt --architectures="$arch" --include="$(echo $PACKAGES | tr ' ' ,)" \
            --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Languages "none"' \
            --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
            --dpkgopt='path-exclude=/usr/share/locale/*' "${opts[@]}" \
            "$SUITE" "$root.new" "deb $mirror $SUITE main" >"$cache/mmdebstrap-$arch.log" 2>&1; then
        tail -30 "$cache/mmdebstrap-$arch.log" >&2
        exit 1
    fi
    echo "$stamp" >"$root.new/.pigpiod-py-userland"
    mv "$root.new" "$root"
}

# ---- inside a userland ---------------------------------------------------------

# pip reaches its index from inside as it does here: this machine's proxy
# variables and pip settings, and what they name (CA bundles and other files
# are copied in, directories such as local indexes bind-mounted read-only;
# for an index directory named simple/, its parent, which holds the files
# it links to), all taken at run time.
PIP_CONFIGS="/etc/pip.conf /etc/xdg/pip/pip.conf $HOME/.pip/pip.conf $HOME/.config/pip/pip.conf"

passed_env() {  # not PIP_CACHE_DIR: each userland keeps its own cache
    env | grep -E '^((https?|ftp|no|all)_proxy|(HTTPS?|FTP|NO|ALL)_PROXY|PIP_[A-Z_]+|SSL_CERT_(FILE|DIR)|REQUESTS_CA_BUNDLE)=' \
        | grep -v '^PIP_CACHE_DIR=' || true
}

# Absolute paths (or file:// URLs) in those settings, one a line.
named_paths() {
    { passed_env | sed 's/^[^=]*=//'; grep -h -v '^\s*[#;]' $PIP_CONFIGS 2>/dev/null || true; } \
        | tr -s ' \t=' '\n' | sed -n -E 's#^(file://)?(/.+)$#\2#p' | sort -u
}

outside_settings() {
    local root="$1" file
    cp -L /etc/resolv.conf /etc/hosts "$root/etc/"
    rm -rf "$root/etc/xdg/pip"
    for file in $PIP_CONFIGS /etc/xdg/pip/* $(named_paths); do
        [ -f "$file" ] && install -D -m 0644 "$file" "$root${file/#$HOME//root}"
    done
    return 0
}

in_userland() {  # in_userland ARCH COMMAND: bash -c COMMAND inside, in a private mount namespace
    local root="$cache/bookworm-$1" vars=() dirs=() dir
    mapfile -t vars < <(passed_env)
    for dir in $(named_paths); do
        [ -d "$dir" ] || continue
        [ "$(basename "$dir")" = simple ] && dir="$(dirname "$dir")"
        dirs+=("$dir")
    done
    unshare --mount --propagation private -- sh -c '
        root="$1"; shift
        # The root a mount point, so that unshare works inside (check_wheel.sh).
        mount --bind "$root" "$root" || exit 1
        mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" || exit 1
        while [ "$1" != -- ]; do
            mkdir -p "$root$1" && mount --bind -o ro "$1" "$root$1" || exit 1
            shift
        done
        shift
        exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"' \
        sh "$root" "${dirs[@]}" -- "${vars[@]}" CFLAGS="$(cflags "$1")" bash -euo pipefail -c "$2"
}

cflags() { [ "$1" = armhf ] && echo "$ARMV6_CFLAGS" || true; }

# The working tree as git sees it (tracked and untracked, not ignored files).
copy_source() {
    local root="$cache/bookworm-$1"
    rm -rf "$root/build"
    mkdir -p "$root/build/src"
    git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' file; do [ ! -e "$file" ] || printf '%s\0' "$file"; done \
        | tar --null -T - -cf - | tar -xf - -C "$root/build/src"
}

# Like `pip install` from a checkout: an isolated build, then the wheel installed.
arm_build() {
    in_userland "$1" 'python3 -m venv /build/venv
        /build/venv/bin/pip install -q pytest
        cd /build/src
        /build/venv/bin/pip install -v . >/build/build.log 2>&1 || { tail -40 /build/build.log; exit 1; }'
}

# Tests run outside the source tree, so that neither they nor the simulator
# processes they start (python -m) import the uncompiled source copy.
tests() {  # tests ARCH PYTEST-ARGS...
    local arch="$1"
    shift
    in_userland "$arch" "cd /build && /build/venv/bin/pytest -p no:cacheprovider $*"
}

arm_import() {
    in_userland "$1" 'cd / && /build/venv/bin/python -c "import pigpiod_py._pigpiod as m; print(m.__file__)"'
    tests "$1" -q src/tests/test_extension_build.py
}

arm_smoke() { in_userland "$1" 'cd / && /build/venv/bin/python /build/src/scripts/smoke_test.py'; }

arm_subset() { tests "$1" -q -m "'not distorted_by_emulation'" $(printf 'src/tests/%s ' $SUBSET); }

arm_sanitizers() { tests "$1" -q -rs src/tests/test_c_sanitizers.py; }

arm_wheel() { in_userland "$1" 'PYTHON=python3 bash /build/src/scripts/check_wheel.sh /build/wheel'; }

# ---- main ---------------------------------------------------------------------

main() {
    step "host tools, binfmt" host_tools
    for arch in "${arches[@]}"; do
        step "$arch userland" userland "$arch"
        outside_settings "$cache/bookworm-$arch"
        copy_source "$arch"
        steps="build import smoke subset"
        if [ "$full" = 1 ]; then
            steps="$steps sanitizers wheel"
        elif [ "$arch" = armhf ]; then
            steps="$steps sanitizers"
        fi
        for s in $steps; do
            step "$arch $s" "arm_$s" "$arch"
        done
    done
    echo "wall time per step:"
    printf '  %s\n' "${timings[@]}"
}

main
