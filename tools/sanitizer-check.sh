#!/bin/sh
# sanitizer-check.sh KIND [TEST...]
#
# Run by `make check-KIND` (realtime, asan, tsan) and `make fuzz` (KIND
# fuzz) in the top build directory.  Builds the library and the C test programs with clang-22 and
# one sanitizer in build-KIND/, from a snapshot of the sources there
# (`make distdir`: the tree's own build is neither used nor disturbed; the
# snapshot keeps the files' times, so a second run rebuilds only what
# changed), then runs the listed test programs (default: the whole C test
# suite) through automake's test harness with the sanitizer's options.
# The sanitizers' reports go to the tests' logs, which are printed when a
# test fails.
set -eu

kind=$1
shift
make=${MAKE:-make}
cc=${SANITIZER_CC:-clang-22}
dir=build-$kind
srcdir=$(cd "$(dirname "$0")/.." && pwd)
symbolizer=$(command -v llvm-symbolizer-22 || command -v /usr/lib/llvm-22/bin/llvm-symbolizer \
             || command -v llvm-symbolizer || true)

if ! command -v "$cc" >/dev/null 2>&1; then
  echo "check-$kind: $cc not found (packages clang-22 and libclang-rt-22-dev)" >&2
  exit 1
fi

case $kind in
  realtime)
    flags="-fsanitize=realtime"
    # halt_on_error: the first report fails the test.  No suppressions:
    # nothing in the render path is excused.
    export RTSAN_OPTIONS="halt_on_error=1:print_stats_on_exit=0${symbolizer:+:external_symbolizer_path=$symbolizer}"
    ;;
  asan)
    flags="-fsanitize=address,undefined -fno-sanitize-recover=all"
    export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1${symbolizer:+:external_symbolizer_path=$symbolizer}"
    export LSAN_OPTIONS="suppressions=$srcdir/tests/lsan.supp"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
    # No leak suppressions: GLib's, JACK's and PortAudio's one-time
    # allocations are still reachable at exit, which LeakSanitizer does
    # not report.
    ;;
  fuzz)
    # The library instrumented for libFuzzer's coverage, with ASan and
    # UBSan; the fuzz targets linked with libFuzzer's main.
    flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
    export ASAN_OPTIONS="detect_leaks=1${symbolizer:+:external_symbolizer_path=$symbolizer}"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
    export LSAN_OPTIONS="suppressions=$srcdir/tests/lsan.supp"
    ;;
  tsan)
    flags="-fsanitize=thread"
    # halt_on_error: the first report fails the test.  The suppressions
    # are GLib's own hand-overs only (tests/tsan.supp says why).
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$srcdir/tests/tsan.supp${symbolizer:+:external_symbolizer_path=$symbolizer}"
    ;;
  *)
    echo "sanitizer-check.sh: unknown kind $kind" >&2
    exit 1
    ;;
esac

# The test programs' default: every C test program but
# hardening/test-realtime, whose interposer replaces malloc and friends as
# the sanitizers do (and the tool's, the soak and the benchmarks).
if [ $# -eq 0 ]; then
  set -- core/test-ring core/test-mixer core/test-core core/test-peaks core/test-scan \
         core/test-midi core/test-settled core/test-ramped core/test-stretch \
         engine/test-lifecycle engine/test-messages engine/test-samples engine/test-playback \
         engine/test-devices engine/test-offline engine/test-loader engine/test-i18n \
         engine/test-pads engine/test-pipewire engine/test-reconnect engine/test-loader-changes \
         engine/test-levels engine/test-waveform engine/test-pcm engine/test-eq \
         engine/test-scheduling engine/test-memlock engine/test-silence engine/test-midi \
         engine/test-midi-pipewire engine/test-gain-gate engine/test-resample-quality \
         engine/test-bank-load engine/test-keylock engine/test-speed engine/test-clock \
         engine/test-params engine/test-underruns engine/test-watchdog \
         engine/test-watchdog-pipewire \
         hardening/test-stress hardening/test-faults
fi

mkdir -p "$dir"
$make distdir distdir="$dir/src" >/dev/null
cd "$dir"
if [ ! -f config.status ]; then
  src/configure -q CC="$cc" CFLAGS="$flags -g -O1 -fno-omit-frame-pointer" \
    LDFLAGS="$flags" --disable-introspection --disable-vala --disable-docs \
    --disable-maintainer-mode
fi
$make -j2 >/dev/null

if [ "$kind" = fuzz ]; then
  # Each target for FUZZ_SECONDS (default 60), from the committed corpus
  # (copied: what the run finds stays in build-fuzz/corpus/), with a 10 s
  # limit per input.  A crash, leak, hang or abort fails; its input is in
  # build-fuzz/crashes/, to be committed to tests/fuzz/TARGET/ as a
  # regression (make check replays that directory).
  seconds=${FUZZ_SECONDS:-60}
  $make -C tests fuzz-loader fuzz-commands fuzz-midi FUZZ_LDFLAGS=-fsanitize=fuzzer >/dev/null
  mkdir -p crashes
  for target in loader commands midi; do
    rm -rf "corpus/$target"
    mkdir -p "corpus/$target"
    cp src/tests/fuzz/$target/* "corpus/$target/"
    log="fuzz-$target.log"
    if ! "tests/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
         -print_final_stats=1 -artifact_prefix="crashes/$target-" \
         "corpus/$target" >"$log" 2>&1; then
      tail -n 60 "$log"
      echo "fuzz-$target failed: the input is in $dir/crashes/; add it to tests/fuzz/$target/" >&2
      exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz-$target: $runs executions in $seconds s, no crash; corpus $(ls "corpus/$target" | wc -l) inputs"
  done
  exit 0
fi
if ! $make -C tests check TESTS="$*" check_PROGRAMS="$*"; then
  cat tests/test-suite.log
  # What failed, printed last, so that the end of a CI log shows it: each
  # failed program's last lines, then its lines that say what failed.
  find tests -name '*.trs' -exec grep -lE '^:test-result: (FAIL|ERROR|XPASS)' {} + |
    while read -r trs; do
      echo "==== check-$kind failed: $dir/${trs%.trs}.log (its last lines, then its failure lines)"
      tail -n 40 "${trs%.trs}.log"
      echo "----"
      grep -E '^(not ok|Bail out)|FAIL:|ERROR:|CRITICAL|WARNING: ThreadSanitizer|SUMMARY:' "${trs%.trs}.log" | tail -n 15
    done
  exit 1
fi
grep -hE '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' tests/test-suite.log | tr '\n' ' '
echo
