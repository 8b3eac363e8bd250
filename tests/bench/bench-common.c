/* bench-common.c: what the benchmarks under tests/bench/ share
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See bench-common.h.  Nothing here is counted by callgrind but
 * bench_bare_read(), which bench-bank's bench_region() calls.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <sndfile.h>

#include "flitzis.h"
#include "core/fz-core.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "bench-common.h"

#define CHANNELS 2

const char *
bench_init (int *argc, char ***argv)
{
  const char *scenario = *argc > 1 ? (*argv)[1] : "";

  if (scenario[0] == '-' || scenario[0] == '\0')
    {
      g_test_init (argc, argv, NULL);
      return NULL;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  return scenario;
}

double
bench_now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

void
bench_print_loadavg (const char *key)
{
  double load[1];

  if (getloadavg (load, 1) == 1)
    flitzis_test_result (key, "%.2f", load[0]);
}

double
bench_quantile (double *values, guint n, double q)
{
  guint i;

  qsort (values, n, sizeof (double), flitzis_test_compare_doubles);
  i = (guint) ceil (q * n) - (q * n >= 1.0 ? 1 : 0);
  return values[MIN (i, n - 1)];
}

void
bench_iterate_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + 1000 * (gint64) ms;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

/* ---- the core ---- */

void
bench_send (FzCore *core, FzMsg message)
{
  g_assert_true (fz_core_send (core, &message));
}

void
bench_drain_replies (FzCore *core)
{
  FzMsg reply;

  while (fz_core_receive (core, &reply))
    fz_sample_unref (reply.sample);
}

FzSample *
bench_signal_sample (size_t frames, guint32 seed)
{
  FzSample *sample = fz_sample_new (frames, CHANNELS, FLITZIS_TEST_RATE);
  g_autofree float *signal = flitzis_test_signal (frames * CHANNELS, seed);

  g_assert_nonnull (sample);
  memcpy (sample->data, signal, frames * CHANNELS * sizeof (float));
  return sample;
}

/* ---- files and loads ---- */

char *
bench_write_signal (const char *dir, const char *name, int format, guint rate, double seconds,
                    guint32 seed)
{
  gsize frames = (gsize) (seconds * rate);
  g_autofree float *signal = flitzis_test_signal (frames * CHANNELS, seed);

  return flitzis_test_write_audio (dir, name, format, (int) rate, CHANNELS, signal, frames);
}

double
bench_bare_read (const char *path)
{
  SF_INFO info = { 0 };
  double start = bench_now_s ();
  SNDFILE *file = sf_open (path, SFM_READ, &info);
  float *data;

  g_assert_nonnull (file);
  data = malloc ((size_t) info.frames * (size_t) info.channels * sizeof (float));
  g_assert_nonnull (data);
  g_assert_cmpint (sf_readf_float (file, data, info.frames), ==, info.frames);
  sf_close (file);
  free (data);
  return bench_now_s () - start;
}

double
bench_engine_load (FlitzisAudioEngine *engine, const char *path)
{
  g_autoptr (GError) error = NULL;
  float out[FLITZIS_TEST_PERIOD * CHANNELS];
  double start = bench_now_s (), seconds;

  g_assert_true (flitzis_audio_engine_load_sample (engine, 0, path, &error));
  seconds = bench_now_s () - start;
  g_assert_true (flitzis_audio_engine_unload_sample (engine, 0, &error));
  for (guint p = 0; p < 4; p++)
    g_assert_true (flitzis_audio_engine_render (engine, out, FLITZIS_TEST_PERIOD, &error));
  return seconds;
}

/* ---- ping → pong ---- */

typedef struct {
  FlitzisAudioEngine *engine;
  GMainLoop *loop;
  GRand *phases;
  double *ms;
  guint n, wanted;
  gint64 sent;
} PingRun;

static gboolean
send_ping (gpointer data)
{
  PingRun *run = data;
  g_autoptr (GError) error = NULL;

  run->sent = g_get_monotonic_time ();
  g_assert_true (flitzis_audio_engine_ping (run->engine, &error));
  return G_SOURCE_REMOVE;
}

static void
on_pong (FlitzisAudioEngine *engine, guint64 frame, gpointer data)
{
  PingRun *run = data;

  (void) engine;
  (void) frame;
  run->ms[run->n++] = (double) (g_get_monotonic_time () - run->sent) / 1000.0;
  if (run->n == run->wanted)
    g_main_loop_quit (run->loop);
  else
    /* A random phase against the audio period. */
    g_timeout_add (1 + (run->phases != NULL ? g_rand_int_range (run->phases, 0, 7)
                                            : g_random_int_range (0, 7)),
                   send_ping, run);
}

double *
bench_pingpong (FlitzisAudioEngine *engine, guint n, GRand *phases)
{
  PingRun run = { .engine = engine, .phases = phases, .wanted = n };
  gulong handler = g_signal_connect (engine, "pong", G_CALLBACK (on_pong), &run);

  run.loop = g_main_loop_new (NULL, FALSE);
  run.ms = g_new (double, n);
  g_timeout_add (100, send_ping, &run);
  g_main_loop_run (run.loop);
  g_signal_handler_disconnect (engine, handler);
  g_main_loop_unref (run.loop);
  return run.ms;
}
