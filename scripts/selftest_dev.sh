#!/usr/bin/env bash
# Inside a private mount namespace: make /dev a tmpfs that links to the real
# /dev entries and to the simulator's FIFOs, then run the rest of the arguments.
# Usage: selftest_dev.sh OLD_DEV_MOUNTPOINT FIFO_DIR PIPE_DIR COMMAND...
set -euo pipefail
old=$1 fifo=$2 pipe=$3
shift 3
mount --rbind /dev "$old"
mount -t tmpfs -o mode=755 selftest-dev /dev
for entry in "$old"/*; do
    name=${entry##*/}
    case $name in pigpio*|pigout|pigerr) continue ;; esac
    ln -s "$entry" "/dev/$name"
done
for handle in $(seq 0 31); do
    ln -s "$fifo/pigpio$handle" "/dev/pigpio$handle"
done
for name in pigpio pigout pigerr; do
    ln -s "$pipe/$name" "/dev/$name"
done
exec "$@"
