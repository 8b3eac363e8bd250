/* bench-keylock.c: what key-locked voices cost (issue 17)
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run like bench-memlock (tests/bench/run-bench.py): `bench-keylock
 * keylock` prints "key value" lines; `bench-keylock --tap` (make check)
 * runs it once, small, and asserts nothing about time.
 *
 * An offline stereo engine at 48 kHz renders 256-frame periods of N
 * looping voices of a deterministic 10 s stereo signal, key-locked at
 * speed 1.5 (the speed property), N = 1, 4, 8 and 16: wall time per
 * period (median, 10th and 90th percentile, max of 400 periods after a
 * warm-up of 40) and the thread's CPU time per period (mean), and from
 * the CPU time of 16 the voices one core sustains (5.33 ms / CPU time per
 * voice and period: a stretcher works in hops, so most periods cost it
 * little and some a whole hop; the mean is what a core must sustain).  The idle key lock: 16 voices key-locked at
 * speed 1 and pitch 0 against 16 unlocked, per voice and period.  And the
 * first period of a stretched voice (its priming), per voice.  And a
 * launch: 8 or 16 key-locked slots triggered at one frame, queued 40
 * periods ahead (primed ahead) or in the period before (primed in the
 * trigger's), the CPU time of the trigger's period and of the dearest
 * period around it.  Wall time:
 * the machine's load changes it, which the report states.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "flitzis.h"
#include "flitzis-audio-engine-private.h"
#include "flitzis-test.h"
#include "fz-stretch-rubberband.h"

#define RATE 48000
#define PERIOD 256

static gboolean quick;
static char *path;

static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return -1.0;
  return g_ascii_strtod (text, NULL);
}

static int
compare (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The calling thread's CPU time, µs: what a period cost this thread,
 * whatever else the machine runs (wall time counts the others' too). */
static double
cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_mean;       /* the last measure()'s CPU µs per period */
static double cpu_p90, cpu_max; /* and its periods' 90th percentile and dearest */

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* A running offline engine playing @voices voices of the looping slot 0
 * (key-locked or not, at @speed), one period rendered before the speed
 * is set. */
static FlitzisAudioEngine *
voices_engine (guint voices, gboolean key_lock, double speed)
{
  FlitzisAudioEngine *engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;
  float out[PERIOD * 2];

  flitzis_test_run_ok (engine);
  flitzis_test_load_ok (engine, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (engine, 0, TRUE, 0, 0, &error));
  if (key_lock)
    g_assert_true (flitzis_audio_engine_set_sample_key_lock (engine, 0, TRUE, &error));
  flitzis_test_render_ok (engine, out, PERIOD);
  g_assert_true (flitzis_audio_engine_set_speed (engine, speed, &error));
  for (guint v = 0; v < voices; v++)
    flitzis_test_play_ok (engine, 0, 0.05f);
  return engine;
}

/* @voices voices of slot 0 (key-locked or not, at @speed), period wall
 * times sorted into @times (@n of them), in µs; the first period's into
 * *@first; the mean CPU time per period into cpu_mean. */
static void
measure (guint voices, gboolean key_lock, double speed, gint64 *times, guint n, gint64 *first)
{
  g_autoptr (FlitzisAudioEngine) engine = voices_engine (voices, key_lock, speed);
  g_autofree double *cpus = g_new (double, n);
  float out[PERIOD * 2];
  guint warm = quick ? 2 : 40;
  double cpu0 = 0.0;

  for (guint p = 0; p < warm + n; p++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double c0 = cpu_us ();

      if (p == warm)
        cpu0 = c0;
      flitzis_test_render_ok (engine, out, PERIOD);
      if (p == 0)
        *first = g_get_monotonic_time () - t0;
      if (p >= warm)
        {
          times[p - warm] = g_get_monotonic_time () - t0;
          cpus[p - warm] = cpu_us () - c0;
        }
    }
  cpu_mean = (cpu_us () - cpu0) / n;
  qsort (times, n, sizeof *times, compare);
  qsort (cpus, n, sizeof *cpus, compare_doubles);
  cpu_p90 = cpus[n * 9 / 10];
  cpu_max = cpus[n - 1];
  flitzis_audio_engine_shut_down (engine);
}

/* A launch: @voices key-locked slots (one voice each, at speed 1.5) all
 * triggered at one frame, 40 periods ahead, queued at once (@ahead: their
 * stretchers primed in the periods before, fz-keylock.h) or in the period
 * before the trigger's (primed in the trigger's own).  The CPU time of
 * the trigger's period into *@trigger, and of the dearest period from the
 * queueing to ten periods after the trigger into *@worst, in µs. */
static void
measure_launch (guint voices, gboolean ahead, double *trigger, double *worst)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  const guint64 frame = 41 * PERIOD;
  g_autoptr (GError) error = NULL;
  float out[PERIOD * 2];

  flitzis_test_run_ok (engine);
  for (guint v = 0; v < voices; v++)
    {
      flitzis_test_load_ok (engine, v, path);
      g_assert_true (flitzis_audio_engine_set_sample_key_lock (engine, v, TRUE, &error));
    }
  g_assert_true (flitzis_audio_engine_set_speed (engine, 1.5, &error));
  flitzis_test_render_ok (engine, out, PERIOD);
  *worst = 0.0;
  for (guint p = 1; p <= 51; p++)
    {
      double t0;

      if (p == (ahead ? 1 : 40))
        for (guint v = 0; v < voices; v++)
          g_assert_true (flitzis_audio_engine_play_sample_at (engine, v, 0.05f, frame, &error));
      t0 = cpu_us ();
      flitzis_test_render_ok (engine, out, PERIOD);
      t0 = cpu_us () - t0;
      if (p == 41)
        *trigger = t0;
      *worst = MAX (*worst, t0);
    }
  flitzis_audio_engine_shut_down (engine);
}

static void
run_launches (void)
{
  const guint counts[] = { 8, 16 };

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    for (int ahead = 0; ahead <= 1; ahead++)
      {
        const char *how = ahead ? "ahead" : "due";
        double trigger, worst;

        measure_launch (counts[i], ahead, &trigger, &worst);
        flitzis_test_result (g_strdup_printf ("keylock-launch-%u-%s-trigger-us", counts[i], how),
                             "%.0f", trigger);
        flitzis_test_result (g_strdup_printf ("keylock-launch-%u-%s-worst-us", counts[i], how),
                             "%.0f", worst);
      }
}

/* callgrind's --toggle-collect=bench_region counts this alone: @periods
 * periods of @engine. */
__attribute__ ((noinline)) void bench_region (FlitzisAudioEngine *engine, guint periods);

__attribute__ ((noinline)) void
bench_region (FlitzisAudioEngine *engine, guint periods)
{
  float out[PERIOD * 2];

  for (guint p = 0; p < periods; p++)
    flitzis_test_render_ok (engine, out, PERIOD);
}

/* `bench-keylock ir VOICES SPEED LOCK`: VOICES voices (key-locked when
 * LOCK is 1) at SPEED, 40 periods of warm-up, then 400 in bench_region(). */
static int
run_ir (guint voices, double speed, gboolean key_lock)
{
  g_autoptr (FlitzisAudioEngine) engine = voices_engine (voices, key_lock, speed);
  float out[PERIOD * 2];

  for (guint p = 0; p < 40; p++)
    flitzis_test_render_ok (engine, out, PERIOD);
  bench_region (engine, 400);
  flitzis_audio_engine_shut_down (engine);
  return 0;
}

static void
run_all (void)
{
  const guint counts[] = { 1, 4, 8, 16 };
  guint n = quick ? 4 : 400;
  g_autofree gint64 *times = g_new (gint64, n);
  gint64 first = 0, locked_median, plain_median;
  double per_voice = 0.0;

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      measure (counts[i], TRUE, 1.5, times, n, &first);
      flitzis_test_result (g_strdup_printf ("keylock-%u-median-us", counts[i]), "%" G_GINT64_FORMAT,
                           times[n / 2]);
      flitzis_test_result (g_strdup_printf ("keylock-%u-p10-us", counts[i]), "%" G_GINT64_FORMAT,
                           times[n / 10]);
      flitzis_test_result (g_strdup_printf ("keylock-%u-p90-us", counts[i]), "%" G_GINT64_FORMAT,
                           times[n * 9 / 10]);
      flitzis_test_result (g_strdup_printf ("keylock-%u-max-us", counts[i]), "%" G_GINT64_FORMAT,
                           times[n - 1]);
      flitzis_test_result (g_strdup_printf ("keylock-%u-first-us", counts[i]), "%" G_GINT64_FORMAT, first);
      {
        gint64 sum = 0;

        for (guint k = 0; k < n; k++)
          sum += times[k];
        flitzis_test_result (g_strdup_printf ("keylock-%u-mean-us", counts[i]), "%.1f", (double) sum / n);
        flitzis_test_result (g_strdup_printf ("keylock-%u-cpu-us", counts[i]), "%.1f", cpu_mean);
        flitzis_test_result (g_strdup_printf ("keylock-%u-cpu-p90-us", counts[i]), "%.1f", cpu_p90);
        flitzis_test_result (g_strdup_printf ("keylock-%u-cpu-max-us", counts[i]), "%.1f", cpu_max);
        per_voice = cpu_mean / counts[i];
      }
    }
  flitzis_test_result ("keylock-voices-per-core", "%.1f", 1e6 * PERIOD / RATE / per_voice);
  flitzis_test_result ("keylock-load", "%.2f", load_average ());
  measure (16, TRUE, 1.0, times, n, &first);
  locked_median = times[n / 2];
  measure (16, FALSE, 1.0, times, n, &first);
  plain_median = times[n / 2];
  flitzis_test_result ("keylock-idle-per-voice-us", "%.1f", (double) (locked_median - plain_median) / 16);
  flitzis_test_result ("keylock-plain-per-voice-us", "%.2f", (double) plain_median / 16);
  run_launches ();
}

static void
test_all (void)
{
  if (!fz_stretch_supported ())
    {
      g_test_skip ("built without Rubber Band: nothing to measure");
      return;
    }
  run_all ();
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  int status;

  path = flitzis_test_write_sample (dir, "loop.wav", RATE, 2, RATE * 10, 7, 0.3f);
  if (argc >= 2 && !fz_stretch_supported () &&
      (strcmp (argv[1], "keylock") == 0 || strcmp (argv[1], "ir") == 0))
    {
      fprintf (stderr, "bench-keylock: built without Rubber Band\n");
      status = 1;
    }
  else if (argc >= 5 && strcmp (argv[1], "ir") == 0)
    status = run_ir ((guint) atoi (argv[2]), g_ascii_strtod (argv[3], NULL), atoi (argv[4]) != 0);
  else if (argc >= 2 && strcmp (argv[1], "keylock") == 0)
    {
      run_all ();
      status = 0;
    }
  else
    {
      quick = TRUE;
      g_test_init (&argc, &argv, NULL);
      g_test_add_func ("/bench/keylock/quick", test_all);
      status = g_test_run ();
    }
  flitzis_test_remove_tree (dir);
  g_free (path);
  return status;
}
