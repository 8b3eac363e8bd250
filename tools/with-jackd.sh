#!/bin/sh
# with-jackd.sh COMMAND [ARG...]
#
# Runs COMMAND with a private JACK server as its default server: the dummy
# back-end, paced in real time like a sound card, but with no hardware.
# The server is stopped by its PID afterwards, whatever COMMAND did, and
# COMMAND's exit status is returned (with the server's output on stderr
# when it is not 0).  Used by the quick start on machines
# without a sound card, and by the tests of the examples and bindings.
#
# JACKD names the server binary (default: jackd on PATH);
# FLITZIS_JACK_RATE and FLITZIS_JACK_PERIOD set its sample rate (48000)
# and period (256 frames).
set -u

jackd=${JACKD:-jackd}
rate=${FLITZIS_JACK_RATE:-48000}
period=${FLITZIS_JACK_PERIOD:-256}
server="flitzis-$$"
log=$(mktemp "${TMPDIR:-/tmp}/with-jackd.XXXXXX")

# -t: clients get 5 s, not 0.5 s, to answer the server, so that a loaded
# machine does not make a client's start-up fail.
"$jackd" -t 5000 -n "$server" -d dummy -r "$rate" -p "$period" </dev/null >"$log" 2>&1 &
jackd_pid=$!

stop_server () {
  kill -TERM "$jackd_pid" 2>/dev/null
  wait "$jackd_pid" 2>/dev/null
  rm -f "$log"
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export JACK_DEFAULT_SERVER="$server"
export JACK_NO_START_SERVER=1

# Ready once a client can connect; give up after 10 s.  (Not "jack_lsp -s":
# its copy of the server name overruns a buffer.)
tries=0
until jack_lsp >/dev/null 2>&1; do
  if ! kill -0 "$jackd_pid" 2>/dev/null || [ "$tries" -ge 200 ]; then
    echo "with-jackd: the JACK server did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  tries=$((tries + 1))
  sleep 0.05
done

"$@"
status=$?
if [ "$status" -ne 0 ]; then
  echo "with-jackd: the command failed (status $status); the JACK server said:" >&2
  cat "$log" >&2
fi
exit "$status"
