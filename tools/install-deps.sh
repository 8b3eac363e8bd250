#!/bin/sh
# Installs, from Debian 12's own archive, everything libflitzis needs to
# build, to run its demo and to run its tests.  Uses sudo when not root.
set -eu

packages="
  build-essential autoconf automake libtool pkg-config autoconf-archive
  autopoint gettext
  libglib2.0-dev libglib2.0-dev-bin
  portaudio19-dev libsndfile1-dev libasound2-dev
  jackd2 libjack-jackd2-dev
  gobject-introspection libgirepository1.0-dev valac gi-docgen
  python3-gi python3-pytest python3-jack-client
  locales
"

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "install-deps: run this as root (or install sudo)" >&2
  exit 1
fi

# jackd2 asks whether to allow real-time priority: keep the default.
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$as_root apt-get update -qq
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages
