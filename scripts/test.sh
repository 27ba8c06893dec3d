#!/usr/bin/env bash
# The test suite, against the simulator (or a real pigpiod when PIGPIO_ADDR is set).
. "$(dirname "$0")/setup.sh"
exec python -m pytest "$@"
