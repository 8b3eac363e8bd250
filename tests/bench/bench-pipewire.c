/* bench-pipewire.c: latency of the engine's three ways into one PipeWire
 * server, side by side
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One private PipeWire session (tests/flitzis-test-pipewire.c: a null
 * sink at 48 kHz, a 256-frame quantum), and on it, one after the other,
 * an engine playing through:
 *
 * - native: the engine's own pw_stream (backend PIPEWIRE);
 * - alsa: PortAudio's ALSA "default" device, which the ALSA configuration
 *   in ALSA_CONFIG_PATH (tests/bench/alsa-pipewire.conf: pipewire-alsa's
 *   PCM plugin) makes PipeWire (backend PORTAUDIO, 48000 Hz asked for);
 * - pw-jack: the engine's own JACK client, linked at run time with
 *   PipeWire's libjack (pipewire-jack, as `pw-jack` does: LD_LIBRARY_PATH)
 *   (backend JACK).
 *
 * For each, "key value" lines: ping → pong (ping() to the pong handler in
 * a running GMainLoop) and trigger → output (play_sample() to the first
 * non-zero frame at the sink's monitor, recorded by a capture stream of
 * this process: tests/flitzis-test-pipewire.c), as median, p99, minimum
 * and maximum, in ms.  The calls fall on phases of the period drawn from
 * a fixed seed, so that every run asks the same.  A path that cannot run
 * here prints PATH-missing with the reason.
 *
 * `bench-pipewire -k --tap` (make check) runs each path once, small; a
 * path that cannot run skips.  Nothing about time is asserted.
 */
#include "config.h"

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jack/jack.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "flitzis-test-pipewire.h"
#include "bench-common.h"

#define RATE 48000
#define QUANTUM 256
#define SEED 19

typedef enum { PATH_NATIVE, PATH_ALSA, PATH_JACK, N_PATHS } BenchPath;

static const char *const path_names[N_PATHS] = { "native", "alsa", "pw-jack" };

static gboolean quick;
static FlitzisTestPipewire *session;
static char *dir;
static char *click;

static void
report (BenchPath path, const char *what, double *ms, guint n)
{
  g_autofree char *prefix = g_strdup_printf ("%s-%s", path_names[path], what);
  g_autofree char *median = g_strdup_printf ("%s-median-ms", prefix);
  g_autofree char *p99 = g_strdup_printf ("%s-p99-ms", prefix);
  g_autofree char *min = g_strdup_printf ("%s-min-ms", prefix);
  g_autofree char *max = g_strdup_printf ("%s-max-ms", prefix);
  g_autofree char *count = g_strdup_printf ("%s-count", prefix);

  flitzis_test_result (median, "%.3f", bench_quantile (ms, n, 0.5));
  flitzis_test_result (p99, "%.3f", bench_quantile (ms, n, 0.99));
  flitzis_test_result (min, "%.3f", ms[0]);
  flitzis_test_result (max, "%.3f", ms[n - 1]);
  flitzis_test_result (count, "%u", n);
}

/* Whether the libjack this process runs with is PipeWire's. */
static gboolean
jack_is_pipewires (void)
{
  Dl_info info;

  return dladdr ((void *) jack_client_open, &info) != 0 && info.dli_fname != NULL &&
         strstr (info.dli_fname, "pipewire") != NULL;
}

/* An engine running on @path, or NULL with *@why set. */
static FlitzisAudioEngine *
engine_on (BenchPath path, char **why)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  g_autoptr (GError) error = NULL;

  flitzis_audio_engine_set_period_frames (engine, QUANTUM);
  switch (path)
    {
    case PATH_NATIVE:
      flitzis_audio_engine_set_backend (engine, FLITZIS_BACKEND_PIPEWIRE);
      break;
    case PATH_ALSA:
      if (g_getenv ("ALSA_CONFIG_PATH") == NULL)
        {
          *why = g_strdup ("ALSA_CONFIG_PATH names no ALSA configuration for PipeWire");
          return NULL;
        }
      flitzis_audio_engine_set_backend (engine, FLITZIS_BACKEND_PORTAUDIO);
      flitzis_audio_engine_set_device (engine, "default");
      flitzis_audio_engine_set_sample_rate (engine, RATE);
      break;
    case PATH_JACK:
    case N_PATHS:
    default:
      if (!jack_is_pipewires ())
        {
          *why = g_strdup ("this process runs with the system's libjack, not PipeWire's "
                           "(run it under pw-jack)");
          return NULL;
        }
      flitzis_audio_engine_set_backend (engine, FLITZIS_BACKEND_JACK);
      break;
    }
  if (!flitzis_audio_engine_run (engine, &error))
    {
      *why = g_strdup (error->message);
      return NULL;
    }
  return g_steal_pointer (&engine);
}

/* ---- ping → pong ---- */

static void
measure_pingpong (BenchPath path, FlitzisAudioEngine *engine)
{
  guint n = quick ? 5 : 200;
  g_autoptr (GRand) phases = g_rand_new_with_seed (SEED);
  g_autofree double *ms = bench_pingpong (engine, n, phases);

  report (path, "pingpong", ms, n);
}

/* ---- trigger → output ---- */

static gboolean
sound_arrived (gpointer data)
{
  (void) data;
  return flitzis_test_pipewire_capture_first_sound_time (session) >= 0;
}

static void
measure_trigger (BenchPath path, FlitzisAudioEngine *engine)
{
  guint reps = quick ? 3 : 60;
  g_autofree double *ms = g_new (double, reps);
  g_autoptr (GRand) phases = g_rand_new_with_seed (SEED);
  g_autoptr (GError) error = NULL;
  g_autofree float *captured = NULL;
  gsize frames;

  g_assert_true (flitzis_audio_engine_load_sample (engine, 0, click, &error));
  g_assert_no_error (error);
  for (guint r = 0; r < reps; r++)
    {
      gint64 call;

      flitzis_test_pipewire_capture_start (session, RATE);
      bench_iterate_ms (20 + g_rand_int_range (phases, 0, 7));
      call = g_get_monotonic_time ();
      g_assert_true (flitzis_audio_engine_play_sample (engine, 0, 1.0f, &error));
      g_assert_true (flitzis_test_wait_until (NULL, sound_arrived, NULL, 5000));
      ms[r] = (double) (flitzis_test_pipewire_capture_first_sound_time (session) - call) / 1000.0;
      g_clear_pointer (&captured, g_free);
      captured = flitzis_test_pipewire_capture_stop (session, &frames);
      /* The click (50 ms) is over before the next capture starts. */
      bench_iterate_ms (60);
    }
  report (path, "trigger", ms, reps);
}

static gboolean
measure (BenchPath path)
{
  g_autofree char *why = NULL;
  g_autoptr (FlitzisAudioEngine) engine = engine_on (path, &why);
  g_autofree char *key = g_strdup_printf ("%s-missing", path_names[path]);
  g_autofree char *latency_key = g_strdup_printf ("%s-stream-latency-ms", path_names[path]);
  g_autofree char *rate_key = g_strdup_printf ("%s-rate", path_names[path]);

  if (engine == NULL)
    {
      flitzis_test_result (key, "%s", why);
      if (g_test_initialized ())
        g_test_fail_printf ("%s", why);
      return FALSE;
    }
  flitzis_test_result (rate_key, "%u", flitzis_audio_engine_get_sample_rate (engine));
  flitzis_test_result (latency_key, "%.3f", 1000.0 * flitzis_audio_engine_get_latency (engine));
  measure_pingpong (path, engine);
  measure_trigger (path, engine);
  flitzis_audio_engine_shut_down (engine);
  return TRUE;
}

static void
test_path (gconstpointer data)
{
  measure ((BenchPath) GPOINTER_TO_INT (data));
}

int
main (int argc, char **argv)
{
  const char *scenario = bench_init (&argc, &argv);
  int status = 0;

  quick = scenario == NULL;
  if (quick)
    {
      /* Before anything reads ALSA's configuration; in place of the
       * suites' hermetic one (tests/alsa-hermetic.conf). */
      if (g_getenv ("G_TEST_SRCDIR") != NULL)
        {
          g_autofree char *conf = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "bench",
                                                    "alsa-pipewire.conf", NULL);

          g_setenv ("ALSA_CONFIG_PATH", conf, TRUE);
        }
    }
  if (!quick && !g_str_equal (scenario, "all"))
    {
      fprintf (stderr, "usage: %s all\n", argv[0]);
      return 2;
    }
  dir = flitzis_test_make_tmpdir ();
  click = flitzis_test_write_constant (dir, "click.wav", RATE / 20, 0.5f);
  session = flitzis_test_pipewire_start (RATE, QUANTUM);
  if (quick)
    {
      /* make check runs the native stream alone, which needs nothing but
       * the suite's own PipeWire: the ALSA path needs pipewire-alsa's
       * plugin and the JACK one PipeWire's libjack (pw-jack), which make
       * bench takes, and a check must not pass by skipping them. */
      g_autofree char *name = g_strdup_printf ("/bench/pipewire/%s", path_names[PATH_NATIVE]);

      g_test_add_data_func (name, GINT_TO_POINTER (PATH_NATIVE), test_path);
      status = g_test_run ();
    }
  else
    for (BenchPath p = 0; p < N_PATHS; p++)
      measure (p);
  flitzis_test_pipewire_stop (session);
  flitzis_test_remove_tree (dir);
  g_free (dir);
  g_free (click);
  return status;
}
