#!/bin/sh
# Bootstraps the build from a git checkout: autoreconf, then configure
# (with the arguments given here) unless NOCONFIGURE is set.
set -e

srcdir=$(dirname "$0")
test -n "$srcdir" || srcdir=.

olddir=$(pwd)
cd "$srcdir"

if ! command -v autoreconf >/dev/null 2>&1; then
  echo "*** autoreconf not found: install autoconf, automake, libtool, autopoint" >&2
  exit 1
fi

autoreconf --force --install --verbose

cd "$olddir"
if [ -z "$NOCONFIGURE" ]; then
  "$srcdir/configure" "$@"
fi
