#!/bin/sh
# test-layout.sh: the source tree keeps the shape that its docs promise
# (flitzis/flitzis-audio-engine-private.h, README.md), as TAP.
#
# - flitzis/core/ is the real-time core alone: plain C that includes
#   nothing but the C library, the compiler's intrinsics and itself, so
#   that it can be read, tested and built on its own, and no GLib call can
#   slip into the audio thread through a header.
# - No C file of the library is over 900 lines: each has one job.
# - The API documentation speaks one dialect, gi-docgen's links
#   ([method@Flitzis.AudioEngine.run]): no gtk-doc sigils (#Type,
#   %CONSTANT, function()) are left in the doc comments, where gi-docgen
#   would show them as plain text.
set -u
srcdir=${G_TEST_SRCDIR:-$(dirname "$0")/..}
top=$(cd "$srcdir/.." && pwd)
core=$top/flitzis/core
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

# The C library's headers (C17) and the x86 intrinsics the mixer uses.
libc='assert complex ctype errno fenv float inttypes iso646 limits locale math setjmp signal
      stdalign stdarg stdatomic stdbool stddef stdint stdio stdlib stdnoreturn string tgmath
      threads time uchar wchar wctype xmmintrin emmintrin pmmintrin immintrin'

# Prints the headers of core file $1 (in folder $2) that are not allowed.
foreign_includes () {
  for header in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p' "$1"); do
    case $header in
      \<*\>)
        base=${header#<}; base=${base%>}; base=${base%.h}
        case " $(echo $libc) " in
          *" $base "*) ;;
          *) printf ' %s' "$header" ;;
        esac ;;
      \"*\")
        inner=${header#\"}; inner=${inner%\"}
        case $inner in
          */*) printf ' %s' "$header" ;;
          *) [ -f "$2/$inner" ] || printf ' %s' "$header" ;;
        esac ;;
    esac
  done
}

for file in "$core"/*.c "$core"/*.h; do
  name=${file#"$top"/}
  bad=$(foreign_includes "$file" "$core")
  if [ -z "$bad" ]; then
    ok "$name includes only libc and core/"
  else
    not_ok "$name includes$bad: core/ may include only the C library and its own headers"
  fi
done

# The check itself can fail: a core file that includes GLib is caught.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$core"/*.h "$scratch"/
{ echo '#include <glib.h>'; echo '#include "../fz-stream.h"'; cat "$core/fz-core.c"; } > "$scratch/fz-core.c"
caught=$(foreign_includes "$scratch/fz-core.c" "$scratch")
if [ "$caught" = " <glib.h> \"../fz-stream.h\"" ]; then
  ok "a core file including <glib.h> and a control-side header is caught"
else
  not_ok "the include check missed <glib.h> or ../fz-stream.h (it found:$caught)"
fi

for file in "$top"/flitzis/*.c "$core"/*.c; do
  name=${file#"$top"/}
  [ "$name" = flitzis/flitzis-enum-types.c ] && continue
  lines=$(wc -l < "$file")
  if [ "$lines" -le 900 ]; then
    ok "$name has $lines lines (at most 900)"
  else
    not_ok "$name has $lines lines: split it by job (at most 900)"
  fi
done

# Prints "file:line: text" for each line of a doc comment (/** ... */) in
# the files given that uses a gtk-doc sigil.
sigils () {
  awk '/^[[:space:]]*\/\*\*[[:space:]]*$/ { doc = 1 }
       doc { print FILENAME ":" FNR ": " $0 }
       doc && /\*\// { doc = 0 }' "$@" |
    grep -E '(^|[^[:alnum:]_`])(#[A-Z][[:alnum:]_]+|%[A-Z][A-Z0-9_]+|(flitzis|g)_[a-z0-9_]+\(\))' |
    grep -vE '%(TRUE|FALSE|NULL)([^A-Z0-9_]|$)' || true
}

# The sources, and the template of the generated version header; not what
# the build generates (an in-tree build's flitzis-enum-types.[ch] and
# flitzis-version.h), which VPATH builds do not have in the source tree.
for file in "$top"/flitzis/*.c "$top"/flitzis/*.h "$top"/flitzis/*.h.in; do
  name=${file#"$top"/}
  case $name in
    flitzis/flitzis-enum-types.[ch] | flitzis/flitzis-version.h) continue ;;
  esac
  found=$(sigils "$file")
  if [ -z "$found" ]; then
    ok "$name: doc comments use gi-docgen links only"
  else
    not_ok "$name: gtk-doc sigils in doc comments; use gi-docgen links ([class@Flitzis.AudioEngine], [const@Flitzis.MAX_VOICES], [method@Flitzis.AudioEngine.run]):"
    echo "$found" | sed 's/^/# /'
  fi
done

# The sigil check itself can fail.
printf '/**\n * See #FlitzisAudioEngine, %%FLITZIS_MAX_VOICES and flitzis_audio_engine_run().\n */\n' \
  > "$scratch/sigils.c"
if [ "$(sigils "$scratch/sigils.c" | wc -l)" -eq 1 ]; then
  ok "a doc comment with gtk-doc sigils is caught"
else
  not_ok "the sigil check missed a doc comment with #Type, %CONST and function()"
fi

echo "1..$n"
exit $failed
