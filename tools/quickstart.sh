#!/bin/sh
# Quick start on a fresh Debian 12 machine: installs what libflitzis needs,
# builds it, and plays the demo beat on the default output device.  On a
# machine without a sound card it says so and plays the same beat into a
# private JACK server with the dummy back-end instead (real time, no sound).
set -eu
cd "$(dirname "$0")/.."

tools/install-deps.sh
if [ ! -f Makefile ]; then
  ./autogen.sh
fi
make -j"$(nproc)"

status=0
examples/flitzis-demo || status=$?
if [ "$status" -ne 2 ]; then
  exit "$status"
fi

echo "No output device here: playing into a private JACK dummy server instead."
exec tools/with-jackd.sh examples/flitzis-demo
