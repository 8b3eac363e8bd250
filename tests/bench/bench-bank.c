/* bench-bank.c: loading a bank of samples, and what resampling costs
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * - `bench-bank bank FILES REPS`: FILES deterministic 1 s files (16-bit,
 *   stereo; every third at 44.1 kHz, resampled as it loads) loaded into
 *   an engine of FILES slots one after the other with load_sample(), and
 *   all at once with load_sample_async() (the loading pool: one thread per
 *   core), alternating, a fresh engine each run; files per second of each
 *   and the ratio per alternation, with their spread.
 * - `bench-bank resample REPS`: one 60 s 16-bit stereo 44.1 kHz WAV loaded
 *   into a 48 kHz engine at each resample-quality against a bare
 *   libsndfile sf_readf_float() of it, alternating, every big block a
 *   fresh mmap() (M_MMAP_THRESHOLD fixed), so that each load faults in
 *   fresh pages; and each recipe's residual on a 1 kHz and an 8 kHz sine
 *   (exact, deterministic).
 * - `bench-bank ir QUALITY|bare SECONDS`: one load (or bare read) of a
 *   44.1 kHz file inside bench_region(), for callgrind.
 * - `bench-bank -k --tap` (make check): each once, small.
 *
 * Wall time (loading is I/O, decoding and the kernel's page faults); the
 * machine's load average is printed beside.
 */
#include "config.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <sndfile.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "bench-common.h"
#include "fz-loader.h"

#define RATE 48000
#define CHANNELS 2

static gboolean quick;

static const char *const quality_names[] = { "quick", "low", "medium", "high", "very-high" };

/* @seconds of 16-bit stereo at @rate, the test signal of @seed. */
static char *
write_file (const char *dir, const char *name, guint rate, double seconds, guint seed)
{
  return bench_write_signal (dir, name, SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate, seconds, seed);
}

/* ---- a bank ---- */

static FlitzisAudioEngine *
bank_engine (guint files)
{
  FlitzisAudioEngine *engine = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "offline", TRUE,
                                             "sample-rate", RATE, "channels", CHANNELS,
                                             "slots", files, NULL);

  flitzis_test_run_ok (engine);
  return engine;
}

typedef struct {
  guint done;
  guint failed;
  guint files;
} Finished;

static void
loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  Finished *finished = data;

  if (!flitzis_audio_engine_load_sample_finish (FLITZIS_AUDIO_ENGINE (source), result, NULL))
    finished->failed++;
  finished->done++;
}

static gboolean
all_done (gpointer data)
{
  Finished *finished = data;

  return finished->done == finished->files;
}

/* Seconds to load @paths into a fresh engine, one by one or all at once. */
static double
load_bank (char **paths, guint files, gboolean parallel)
{
  FlitzisAudioEngine *engine = bank_engine (files);
  Finished finished = { .files = files };
  double start = bench_now_s (), seconds;

  if (!parallel)
    for (guint i = 0; i < files; i++)
      flitzis_test_load_ok (engine, i, paths[i]);
  else
    {
      for (guint i = 0; i < files; i++)
        flitzis_audio_engine_load_sample_async (engine, i, paths[i], NULL, loaded, &finished);
      g_assert_true (flitzis_test_wait_until (NULL, all_done, &finished, 600000));
      g_assert_cmpuint (finished.failed, ==, 0);
    }
  seconds = bench_now_s () - start;
  flitzis_audio_engine_shut_down (engine);
  g_object_unref (engine);
  return seconds;
}

static void
scenario_bank (guint files, guint reps)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_auto (GStrv) paths = g_new0 (char *, files + 1);
  g_autofree double *serial = g_new (double, reps);
  g_autofree double *parallel = g_new (double, reps);
  g_autofree double *ratio = g_new (double, reps);

  for (guint i = 0; i < files; i++)
    {
      g_autofree char *name = g_strdup_printf ("pad-%03u.wav", i);

      paths[i] = write_file (dir, name, i % 3 == 0 ? 44100 : RATE, quick ? 0.05 : 1.0, i + 1);
    }
  bench_print_loadavg ("bank-loadavg-start");
  /* Warm the page cache and the code. */
  load_bank (paths, files, FALSE);
  for (guint r = 0; r < reps; r++)
    {
      double s, p;

      if (r % 2 == 0)
        {
          s = load_bank (paths, files, FALSE);
          p = load_bank (paths, files, TRUE);
        }
      else
        {
          p = load_bank (paths, files, TRUE);
          s = load_bank (paths, files, FALSE);
        }
      serial[r] = files / s;
      parallel[r] = files / p;
      ratio[r] = s / p;
    }
  flitzis_test_result ("bank-files", "%u", files);
  flitzis_test_result ("bank-cores", "%u", g_get_num_processors ());
  flitzis_test_spread ("bank-serial-files-per-s", "%.0f", serial, reps);
  flitzis_test_spread ("bank-parallel-files-per-s", "%.0f", parallel, reps);
  flitzis_test_spread ("bank-speedup", "%.2f", ratio, reps);
  bench_print_loadavg ("bank-loadavg-end");
  flitzis_test_remove_tree (dir);
}

/* ---- one resampled load at each quality ---- */

static double
engine_load (FlitzisAudioEngine *engine, const char *path, FlitzisResampleQuality quality)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_set_resample_quality (engine, quality, &error));
  return bench_engine_load (engine, path);
}

/* A 1 s mono sine of @hz at 44.1 kHz converted at @quality: its residual
 * against the exact sine at 48 kHz, in dB, away from the ends. */
static double
sine_residual_db (const char *dir, double hz, FzResampleQuality quality)
{
  g_autofree float *sine = g_new (float, 44100);
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  double err = 0.0, power = 0.0;
  FzSample *sample;

  for (guint i = 0; i < 44100; i++)
    sine[i] = (float) (0.5 * sin (2.0 * G_PI * hz * i / 44100.0));
  path = flitzis_test_write_audio (dir, "sine.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 1,
                                   sine, 44100);
  sample = fz_load_sample_progress (path, RATE, 1, &(FzLoadOptions) { quality, FALSE }, NULL,
                                    NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = RATE / 20; i < RATE - RATE / 20; i++)
    {
      double exact = 0.5 * sin (2.0 * G_PI * hz * i / RATE);
      double diff = (double) sample->data[i] - exact;

      err += diff * diff;
      power += exact * exact;
    }
  fz_sample_unref (sample);
  return 10.0 * log10 (MAX (err, 1e-30) / power);
}

#define RESAMPLE_REPS 15
static void
scenario_resample (guint reps)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "long-44100.wav", 44100, quick ? 1 : 60, 7);
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, CHANNELS);
  g_autoptr (GError) error = NULL;
  double load[5][RESAMPLE_REPS], ratio[5][RESAMPLE_REPS], bare[RESAMPLE_REPS];

  g_assert_cmpuint (reps, <=, RESAMPLE_REPS);
  g_assert_cmpint (mallopt (M_MMAP_THRESHOLD, 64 * 1024), ==, 1);
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  bench_print_loadavg ("resample-loadavg-start");
  bench_bare_read (path);
  engine_load (engine, path, FLITZIS_RESAMPLE_HIGH);
  for (guint r = 0; r < reps; r++)
    {
      bare[r] = bench_bare_read (path);
      for (guint q = 0; q < 5; q++)
        {
          load[q][r] = engine_load (engine, path, q);
          ratio[q][r] = load[q][r] / bare[r];
        }
    }
  flitzis_test_spread ("resample-bare-seconds", "%.4f", bare, reps);
  for (guint q = 0; q < 5; q++)
    {
      g_autofree char *seconds = g_strdup_printf ("resample-%s-seconds", quality_names[q]);
      g_autofree char *key = g_strdup_printf ("resample-%s-ratio", quality_names[q]);
      g_autofree char *db1 = g_strdup_printf ("resample-%s-sine-1k-db", quality_names[q]);
      g_autofree char *db8 = g_strdup_printf ("resample-%s-sine-8k-db", quality_names[q]);

      flitzis_test_spread (seconds, "%.4f", load[q], reps);
      flitzis_test_spread (key, "%.2f", ratio[q], reps);
      flitzis_test_result (db1, "%.1f", sine_residual_db (dir, 1000.0, q));
      flitzis_test_result (db8, "%.1f", sine_residual_db (dir, 8000.0, q));
    }
  bench_print_loadavg ("resample-loadavg-end");
  flitzis_audio_engine_shut_down (engine);
  flitzis_test_remove_tree (dir);
}

void bench_region (const char *path, int quality);

/* Everything callgrind counts (--toggle-collect=bench_region): one load of
 * @path at @quality into a 48 kHz stereo sample, or (-1) a bare read. */
__attribute__ ((noinline)) void
bench_region (const char *path, int quality)
{
  g_autoptr (GError) error = NULL;
  FzSample *sample;

  if (quality < 0)
    {
      bench_bare_read (path);
      return;
    }
  sample = fz_load_sample_progress (path, RATE, CHANNELS,
                                    &(FzLoadOptions) { (FzResampleQuality) quality, FALSE },
                                    NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fz_sample_unref (sample);
}

/* ir QUALITY|bare SECONDS: a SECONDS-long 16-bit stereo 44.1 kHz file
 * (written before the counted region) loaded once at QUALITY. */
static void
scenario_ir (const char *what, guint seconds)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "ir-44100.wav", 44100, seconds, 7);
  int quality = -1;

  for (guint q = 0; q < G_N_ELEMENTS (quality_names); q++)
    if (g_str_equal (what, quality_names[q]))
      quality = (int) q;
  g_assert_true (quality >= 0 || g_str_equal (what, "bare"));
  bench_region (path, quality);
  flitzis_test_remove_tree (dir);
}

static void
test_bank (void)
{
  scenario_bank (24, 2);
}

static void
test_resample (void)
{
  if (!g_test_subprocess ())
    {
      /* mallopt() stays set: in a process of its own. */
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  scenario_resample (1);
  scenario_ir ("quick", 1);
  scenario_ir ("bare", 1);
}

int
main (int argc, char **argv)
{
  const char *scenario = bench_init (&argc, &argv);

  if (scenario == NULL)
    {
      quick = TRUE;
      g_test_add_func ("/bench/bank/bank", test_bank);
      g_test_add_func ("/bench/bank/resample", test_resample);
      return g_test_run ();
    }
  if (g_str_equal (scenario, "bank") && argc == 4)
    scenario_bank ((guint) atoi (argv[2]), (guint) atoi (argv[3]));
  else if (g_str_equal (scenario, "resample") && argc == 3)
    scenario_resample ((guint) atoi (argv[2]));
  else if (g_str_equal (scenario, "ir") && argc == 4)
    scenario_ir (argv[2], (guint) atoi (argv[3]));
  else
    {
      fprintf (stderr, "usage: %s bank FILES REPS | resample REPS | ir QUALITY|bare SECONDS\n"
               "       %s -k --tap  (every scenario once, small)\n", argv[0], argv[0]);
      return 2;
    }
  return 0;
}
