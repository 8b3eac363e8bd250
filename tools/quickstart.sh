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
server="flitzis-quickstart-$$"
jackd -n "$server" -d dummy -r 48000 -p 256 </dev/null >/dev/null 2>&1 &
jackd_pid=$!
trap 'kill -TERM "$jackd_pid" 2>/dev/null; wait "$jackd_pid" 2>/dev/null || true' EXIT
tries=0
# (not "jack_lsp -s": its copy of the name overruns its buffer)
until JACK_NO_START_SERVER=1 JACK_DEFAULT_SERVER="$server" jack_lsp >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -gt 100 ]; then
    echo "quickstart: the JACK server did not start" >&2
    exit 1
  fi
  sleep 0.1
done
JACK_DEFAULT_SERVER="$server" examples/flitzis-demo
