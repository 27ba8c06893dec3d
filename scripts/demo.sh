#!/usr/bin/env bash
# The main job: a short demo and the toggle benchmark, on the daemon named by
# PIGPIO_ADDR / PIGPIO_PORT, else on a pigpiod answering on localhost, else
# on the built-in simulator (the first line says which).
. "$(dirname "$0")/setup.sh"
exec python -m pigpiod_py demo "$@"
