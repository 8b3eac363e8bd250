#!/bin/sh
# Quick start on a fresh Debian 12 machine: installs what libflitzis needs,
# builds it, and plays the demo pattern (data/demo.pattern) with the
# flitzis tool on the default output device.  On a machine without an
# output device it says so and renders the same pattern to demo.wav
# instead.  Exits 0 either way.
set -eu
cd "$(dirname "$0")/.."

tools/install-deps.sh
if [ ! -f Makefile ]; then
  ./autogen.sh
fi
make -j"$(nproc)"

status=0
tools/flitzis play --pattern data/demo.pattern || status=$?
# 3: there is no output device (see flitzis(1), EXIT STATUS).
if [ "$status" -ne 3 ]; then
  exit "$status"
fi

echo "No output device here: rendering the demo pattern to a WAV file instead."
exec tools/flitzis render data/demo.pattern -o "$PWD/demo.wav"
