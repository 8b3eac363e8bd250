#!/bin/sh
# check-installed.sh LIBDIR DATADIR [c] [python] [vala] [docs] [tool]
#
# Checks libflitzis as users of an installed prefix meet it: builds the C
# example with pkg-config and the Vala example with valac --pkg, imports
# Flitzis from Python through the installed typelib, runs all three
# against a private JACK dummy server, finds the API reference, and runs
# the installed flitzis tool ($BINDIR/flitzis) on the installed demo
# pattern.  Run
# by "make installcheck" (and so by "make distcheck") for the parts the
# build enabled.
set -eu

libdir=$1
datadir=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
python3=${PYTHON3:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flitzis-installed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

export PKG_CONFIG_PATH="$libdir/pkgconfig"
export LD_LIBRARY_PATH="$libdir"
export GI_TYPELIB_PATH="$libdir/girepository-1.0"
export PYTHONDONTWRITEBYTECODE=1

"$python3" "$here/tools/write-beep.py" "$tmp/beep.wav"

for part in "$@"; do
  echo "check-installed: $part"
  case $part in
    c)
      # shellcheck disable=SC2046
      ${CC:-cc} -Wall -Werror -o "$tmp/flitzis-play" "$here/examples/flitzis-play.c" \
        $(pkg-config --cflags --libs flitzis-1.0)
      "$here/tools/with-jackd.sh" "$tmp/flitzis-play" "$tmp/beep.wav" ;;
    python)
      "$here/tools/with-jackd.sh" "$python3" "$here/examples/flitzis-play.py" "$tmp/beep.wav" ;;
    vala)
      ${VALAC:-valac} --quiet --vapidir "$datadir/vala/vapi" --pkg flitzis-1.0 -X -w \
        -o "$tmp/flitzis-ping" "$here/examples/flitzis-ping.vala"
      "$here/tools/with-jackd.sh" "$tmp/flitzis-ping" "$tmp/beep.wav" ;;
    tool)
      "$BINDIR/flitzis" render "$datadir/flitzis/demo.pattern" -o "$tmp/demo.wav"
      test -s "$tmp/demo.wav"
      "$here/tools/with-jackd.sh" "$BINDIR/flitzis" play "$tmp/beep.wav" ;;
    docs)
      test -f "$datadir/doc/flitzis-1.0/index.html"
      test -f "$datadir/doc/flitzis-1.0/threading.html" ;;
    *)
      echo "check-installed: unknown part $part" >&2
      exit 1 ;;
  esac
done
echo "check-installed: all good"
