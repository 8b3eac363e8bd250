#!/bin/sh
# Bootstraps the build from a git checkout: autoreconf, then configure
# unless NOCONFIGURE is set.  A checkout is for development, so everything
# is built and tested (introspection, Vala, the API reference) and a
# missing tool is an error rather than a silently smaller build; arguments
# given here come last and win.
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
  "$srcdir/configure" --enable-introspection=yes --enable-vala=yes --enable-docs "$@"
fi
