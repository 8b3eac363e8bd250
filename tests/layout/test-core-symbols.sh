#!/bin/sh
# test-core-symbols.sh: the real-time core, as compiled, calls no libm
# function (as TAP).
#
# libm's functions (exp, pow, sin, floor ...) may take slow paths: long
# argument reductions, multi-precision fall-backs for hard cases, errno
# and exception handling.  The audio thread's clock (fz-clock.c,
# fz-transport.c) and everything else under flitzis/core/ is integer
# arithmetic and plain float multiply-adds, so none of its objects may
# reference a symbol that libm exports.  This checks the objects the build
# made (whatever the compiler chose to inline or call: a builtin floor()
# that became a call would show), against libm's own list of exports.
# The interposer (hardening/test-realtime.c) checks the same at run time
# for the calls it wraps; this covers every libm symbol.  Never skips: no
# objects, no nm or no libm fails.
set -u
builddir=${G_TEST_BUILDDIR:-$(dirname "$0")/..}
srcdir=${G_TEST_SRCDIR:-$(dirname "$0")/..}
core_src=$(cd "$srcdir/../flitzis/core" && pwd)
core_obj=$builddir/../flitzis/core
n=0
failed=0

ok () {
  n=$((n + 1))
  echo "ok $n - $1"
}
not_ok () {
  n=$((n + 1))
  failed=1
  echo "not ok $n - $1"
}

libm=$(${CC:-cc} -print-file-name=libm.so.6 2>/dev/null)
case $libm in
  /*) ;;
  *) libm=$(ldconfig -p 2>/dev/null | awk '/libm\.so\.6 /{ print $NF; exit }') ;;
esac
exports=$(mktemp)
trap 'rm -f "$exports"' EXIT
if command -v nm >/dev/null && [ -n "$libm" ] && [ -r "$libm" ] &&
   nm -D --defined-only "$libm" | awk '{ print $NF }' | sed 's/@.*//' | sort -u > "$exports" &&
   [ "$(wc -l < "$exports")" -gt 100 ]; then
  ok "libm's exports read from $libm ($(wc -l < "$exports") symbols)"
else
  not_ok "libm's exports could not be read (nm, libm.so.6: '$libm')"
fi

# Each source of the core has its object (libtool's PIC one, or a plain
# one); each object's undefined symbols, none of them libm's.
for source in "$core_src"/*.c; do
  name=$(basename "$source" .c)
  object=
  for candidate in "$core_obj"/.libs/*-"$name".o "$core_obj"/*-"$name".o "$core_obj/$name.o"; do
    if [ -f "$candidate" ]; then
      object=$candidate
      break
    fi
  done
  if [ -z "$object" ]; then
    not_ok "core/$name.c: no object in $core_obj (build first)"
    continue
  fi
  found=$(nm -u "$object" | awk '{ print $NF }' | sed 's/@.*//' | sort -u | comm -12 - "$exports")
  if [ -z "$found" ]; then
    ok "core/$name.c calls no libm function ($(nm -u "$object" | wc -l) undefined symbols, none libm's)"
  else
    not_ok "core/$name.c calls libm: $(echo $found)"
  fi
done

echo "1..$n"
exit $failed
