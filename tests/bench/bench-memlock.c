/* bench-memlock.c: what locking samples in RAM costs
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run like bench-core (tests/bench/run-bench.py): `bench-memlock memlock`
 * prints "key value" lines; `bench-memlock -k --tap` (make check) runs it
 * once, small, and asserts nothing about time.
 *
 * - memlock: fz_memlock_sample() (mlock() of the frames and the peak
 *   pyramid) of a decoded 60 s stereo 48 kHz sample, and its munlock()
 *   when freed: median and spread of 21 runs, each on a fresh sample;
 *   then whole loads of the same PCM through the engine
 *   (load_sample_from_bytes()) with lock-memory on and off, alternating,
 *   medians of 11, as a ratio.  Wall time (mlock is a system call:
 *   callgrind does not see the kernel's work); the input is deterministic.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "fz-memlock.h"

#define RATE 48000
#define CHANNELS 2

static gboolean quick;

static double
median (double *values, guint n)
{
  qsort (values, n, sizeof *values, flitzis_test_compare_doubles);
  return values[n / 2];
}

/* A decoded sample as the loader leaves it: frames written, pyramid built. */
static FzSample *
make_sample (const float *pcm, gsize frames)
{
  FzSample *sample = fz_sample_new (frames, CHANNELS, RATE);

  g_assert_nonnull (sample);
  memcpy (sample->data, pcm, frames * CHANNELS * sizeof (float));
  g_assert_true (fz_sample_build_peaks (sample));
  return sample;
}

static double
time_load (FlitzisAudioEngine *engine, GBytes *pcm, gboolean lock)
{
  g_autoptr (GError) error = NULL;
  gint64 start;

  flitzis_audio_engine_set_lock_memory (engine, lock);
  start = g_get_monotonic_time ();
  g_assert_true (flitzis_audio_engine_load_sample_from_bytes (engine, 0, pcm, RATE, CHANNELS,
                                                              &error));
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
bench_memlock (void)
{
  gsize frames = (gsize) RATE * (quick ? 1 : 60);
  guint reps = quick ? 1 : 21, loads = quick ? 1 : 11;
  g_autofree float *pcm = flitzis_test_signal (frames * CHANNELS, 3);
  g_autofree double *lock_ms = g_new (double, reps);
  g_autofree double *unlock_ms = g_new (double, reps);
  g_autofree double *on_ms = g_new (double, loads);
  g_autofree double *off_ms = g_new (double, loads);
  g_autoptr (GBytes) bytes = g_bytes_new (pcm, frames * CHANNELS * sizeof (float));
  FlitzisAudioEngine *engine;
  gsize size = 0;

  for (guint i = 0; i < reps; i++)
    {
      FzSample *sample = make_sample (pcm, frames);
      gint64 start;

      size = fz_sample_memory_size (sample);
      start = g_get_monotonic_time ();
      if (!fz_memlock_sample (sample))
        {
          /* An unprivileged build machine's RLIMIT_MEMLOCK. */
          flitzis_test_result ("memlock-refused", "%zu", size);
          fz_sample_unref (sample);
          return;
        }
      lock_ms[i] = (g_get_monotonic_time () - start) / 1000.0;
      start = g_get_monotonic_time ();
      fz_sample_unref (sample);
      unlock_ms[i] = (g_get_monotonic_time () - start) / 1000.0;
    }
  g_assert_cmpuint (fz_memlock_locked_bytes (), ==, 0);
  flitzis_test_result ("memlock-bytes", "%zu", size);
  flitzis_test_result ("memlock-lock-median-ms", "%.3f", median (lock_ms, reps));
  flitzis_test_result ("memlock-lock-min-ms", "%.3f", lock_ms[0]);
  flitzis_test_result ("memlock-lock-max-ms", "%.3f", lock_ms[reps - 1]);
  flitzis_test_result ("memlock-free-median-ms", "%.3f", median (unlock_ms, reps));

  engine = flitzis_audio_engine_new_offline (RATE, CHANNELS);
  flitzis_test_run_ok (engine);
  for (guint i = 0; i < loads; i++)
    {
      on_ms[i] = time_load (engine, bytes, TRUE);
      off_ms[i] = time_load (engine, bytes, FALSE);
    }
  g_assert_finalize_object (engine);
  /* The spread of the ratio: each alternation's pair on its own (before
   * median() sorts the two apart). */
  {
    g_autofree double *ratio = g_new (double, loads);

    for (guint i = 0; i < loads; i++)
      ratio[i] = on_ms[i] / off_ms[i];
    flitzis_test_spread ("memlock-load-pair-ratio", "%.3f", ratio, loads);
  }
  flitzis_test_result ("memlock-load-on-median-ms", "%.3f", median (on_ms, loads));
  flitzis_test_result ("memlock-load-off-median-ms", "%.3f", median (off_ms, loads));
  flitzis_test_result ("memlock-load-ratio", "%.3f", median (on_ms, loads) / median (off_ms, loads));
}

static void
test_all (void)
{
  bench_memlock ();
}

int
main (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "memlock") == 0)
    {
      bench_memlock ();
      return 0;
    }
  quick = TRUE;
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bench/memlock/quick", test_all);
  return g_test_run ();
}
