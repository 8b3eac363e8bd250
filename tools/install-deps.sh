#!/bin/sh
# Installs, from Debian 12's own archive, everything libflitzis needs to
# build, to run its demo and to run its tests.  The list lives in one
# place, debian/control's Build-Depends (and Build-Depends-Indep, for the
# API reference).  Uses sudo when not root.
set -eu
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "install-deps: run this as root (or install sudo)" >&2
  exit 1
fi

# jackd2 asks whether to allow real-time priority: keep the default.
$as_root apt-get update -qq
$as_root env DEBIAN_FRONTEND=noninteractive \
  apt-get build-dep -y -qq --no-install-recommends ./
