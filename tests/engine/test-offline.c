/* test-offline.c: engines that render without a device
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An offline engine runs the same core as a device engine, driven by
 * flitzis_audio_engine_render().  Here: exact output, determinism,
 * render_bytes(), errors and misuse, shutting down while another thread
 * renders, and (live, on the program's private JACK dummy server) the
 * proof that its output equals a live capture.
 */
#include "config.h"

#include <string.h>
#include <sndfile.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD

static void
test_exact_output (FlitzisTestOffline *fixture, gconstpointer data)
{
  const gsize length = 1000;   /* not a multiple of the period */
  g_autofree float *signal = flitzis_test_signal (length, 3);
  g_autofree char *path = flitzis_test_write_mono (fixture->dir, "a.wav", RATE, signal, length);
  float out[4 * PERIOD * 2];
  g_autoptr (GError) error = NULL;

  (void) data;
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (fixture->engine), ==, RATE);
  g_assert_cmpuint (flitzis_audio_engine_get_channels (fixture->engine), ==, 2);
  g_assert_true (flitzis_audio_engine_load_sample (fixture->engine, 0, path, &error));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 0.5f, &error));
  for (guint p = 0; p < 4; p++)
    flitzis_test_render_ok (fixture->engine, out + p * PERIOD * 2, PERIOD);

  for (gsize f = 0; f < 4 * PERIOD; f++)
    {
      float want = f < length ? signal[f] * 0.5f : 0.0f;

      g_assert_cmpfloat (out[2 * f], ==, want);
      g_assert_cmpfloat (out[2 * f + 1], ==, want);
    }
  g_assert_cmpuint (flitzis_audio_engine_get_frame_time (fixture->engine), ==, 4 * PERIOD);
}

/* A script of loads, triggers, a replacement and pings, with renders of
 * uneven sizes in between; returns what it rendered. */
static float *
run_script (const char *a, const char *b, gsize *n_frames)
{
  static const gsize sizes[] = { 256, 100, 1, 512, 37, 256, 1024, 300 };
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;
  GArray *out = g_array_new (FALSE, TRUE, sizeof (float));
  gsize done = 0;

  g_assert_true (flitzis_audio_engine_run (engine, &error));
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_assert_true (flitzis_audio_engine_load_sample (engine, i % 3, i % 2 ? a : b, &error));
      g_assert_true (flitzis_audio_engine_play_sample (engine, i % 3, 0.1f * (float) (i + 1), &error));
      g_assert_true (flitzis_audio_engine_ping (engine, &error));
      g_array_set_size (out, (done + sizes[i]) * 2);
      flitzis_test_render_ok (engine, &g_array_index (out, float, done * 2), sizes[i]);
      done += sizes[i];
    }
  *n_frames = done;
  return (float *) g_array_free (out, FALSE);
}

static void
test_deterministic (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree float *sa = flitzis_test_signal (700, 11);
  g_autofree float *sb = flitzis_test_signal (2000, 12);
  g_autofree char *a = flitzis_test_write_mono (fixture->dir, "a.wav", RATE, sa, 700);
  g_autofree char *b = flitzis_test_write_mono (fixture->dir, "b.wav", RATE, sb, 2000);
  gsize n1, n2;
  g_autofree float *first = run_script (a, b, &n1);
  g_autofree float *second = run_script (a, b, &n2);
  gsize nonzero = 0;

  (void) data;
  for (gsize i = 0; i < n1 * 2; i++)
    nonzero += first[i] != 0.0f;
  g_assert_cmpuint (nonzero, >, n1);   /* it played, on both channels */
  g_assert_cmpmem (first, n1 * 2 * sizeof (float), second, n2 * 2 * sizeof (float));
}

static void
test_render_bytes (FlitzisTestOffline *fixture, gconstpointer data)
{
  const gsize length = 300;
  g_autofree float *signal = flitzis_test_signal (length, 21);
  g_autofree char *path = flitzis_test_write_mono (fixture->dir, "a.wav", RATE, signal, length);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  const float *data_out;
  gsize size;

  (void) data;
  g_assert_true (flitzis_audio_engine_load_sample (fixture->engine, 1, path, &error));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 1, 1.0f, &error));
  bytes = flitzis_audio_engine_render_bytes (fixture->engine, 400, &error);
  g_assert_no_error (error);
  data_out = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size, ==, 400 * 2 * sizeof (float));
  for (gsize f = 0; f < 400; f++)   /* this host is little-endian */
    g_assert_cmpfloat (data_out[2 * f], ==, f < length ? signal[f] : 0.0f);
}

static void
test_errors (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) device = flitzis_audio_engine_new ();
  g_autoptr (FlitzisAudioEngine) stopped = flitzis_audio_engine_new_offline (44100, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  float out[64];

  (void) data;
  g_assert_false (flitzis_audio_engine_render (device, out, 32, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_OFFLINE);
  g_clear_error (&error);
  bytes = flitzis_audio_engine_render_bytes (device, 32, &error);
  g_assert_null (bytes);
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_OFFLINE);
  g_clear_error (&error);

  g_assert_false (flitzis_audio_engine_render (stopped, out, 32, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  g_assert_cmpuint (flitzis_audio_engine_get_frame_time (stopped), ==, 0);

  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_false (flitzis_audio_engine_render (fixture->engine, out, 32, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  /* And it runs again, from frame 0, at its own rate. */
  g_assert_true (flitzis_audio_engine_run (stopped, &error));
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (stopped), ==, 44100);
  g_assert_cmpuint (flitzis_audio_engine_get_channels (stopped), ==, 1);
  flitzis_test_render_ok (stopped, out, 64);
  g_assert_cmpuint (flitzis_audio_engine_get_frame_time (stopped), ==, 64);
}

static void
test_bad_arguments (void)
{
  if (g_test_subprocess ())
    {
      g_assert_null (flitzis_audio_engine_new_offline (0, 2));
      g_assert_null (flitzis_audio_engine_new_offline (RATE, 0));
      g_assert_null (flitzis_audio_engine_new_offline (RATE, FLITZIS_MAX_OFFLINE_CHANNELS + 1));
      g_assert_null (flitzis_audio_engine_new_offline (FLITZIS_MAX_OFFLINE_RATE + 1, 2));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*flitzis_audio_engine_new_offline*sample_rate > 0*");
}

typedef struct {
  FlitzisAudioEngine *engine;
  gint renders;          /* successful ones */
  gint stop;
} Renderer;

static gpointer
render_until_stopped (gpointer data)
{
  Renderer *renderer = data;
  float out[PERIOD * 2];

  while (!g_atomic_int_get (&renderer->stop))
    {
      g_autoptr (GError) error = NULL;

      if (flitzis_audio_engine_render (renderer->engine, out, PERIOD, &error))
        g_atomic_int_inc (&renderer->renders);
      else
        g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
    }
  return NULL;
}

static gboolean
rendered_some (gpointer data)
{
  return g_atomic_int_get (&((Renderer *) data)->renders) > 100;
}

static void
test_shut_down_while_rendering (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (RATE, 5);
  g_autofree char *path = flitzis_test_write_mono (fixture->dir, "long.wav", RATE, signal, RATE);
  g_autoptr (GError) error = NULL;
  Renderer renderer = { fixture->engine, 0, 0 };
  GThread *thread;

  (void) data;
  thread = g_thread_new ("renderer", render_until_stopped, &renderer);
  for (guint round = 0; round < 20; round++)
    {
      g_atomic_int_set (&renderer.renders, 0);
      g_assert_true (flitzis_audio_engine_load_sample (fixture->engine, 0, path, &error));
      g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, &error));
      g_assert_true (flitzis_test_wait_until (NULL, rendered_some, &renderer, 5000));
      /* Voices and samples are released under the renderer's feet. */
      flitzis_audio_engine_shut_down (fixture->engine);
      g_assert_true (flitzis_audio_engine_run (fixture->engine, &error));
    }
  g_atomic_int_set (&renderer.stop, 1);
  g_thread_join (thread);
}

static void
test_offline_matches_live (FlitzisTestLive *fixture, gconstpointer data)
{
  const gsize length = 3000;
  g_autofree float *left = flitzis_test_signal (length, 8);
  g_autofree float *right = flitzis_test_signal (length, 9);
  g_autofree char *path = flitzis_test_write_stereo (fixture->dir, "both.wav", RATE, left, right, length);
  g_autofree float *offline = flitzis_test_render_played (path, 2, 0.7f, length + PERIOD);

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_load_ok (fixture->engine, 2, path);
  /* Offline, the trigger is taken at the first render: frame 0. */
  g_assert_cmpuint (flitzis_test_onset (offline, length + PERIOD, 0), ==, 0);
  flitzis_test_jack_assert_plays (fixture->engine, 2, 0.7f, offline, length + PERIOD);
}

/* An offline engine from its construct properties is the one new_offline()
 * makes; left open, it renders 48 kHz stereo. */
static void
test_from_properties (void)
{
  g_autoptr (FlitzisAudioEngine) engine = NULL;
  g_autoptr (FlitzisAudioEngine) defaults = NULL;
  g_autoptr (FlitzisAudioEngine) device = NULL;
  g_autoptr (GError) error = NULL;
  float out[3 * 16];

  engine = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "offline", TRUE, "sample-rate", 22050,
                         "channels", 3, NULL);
  g_assert_true (flitzis_audio_engine_get_offline (engine));
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (engine), ==, 22050);
  g_assert_cmpuint (flitzis_audio_engine_get_channels (engine), ==, 3);
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_no_error (error);
  g_assert_true (flitzis_audio_engine_render (engine, out, 16, &error));
  g_assert_cmpuint (flitzis_audio_engine_get_frame_time (engine), ==, 16);

  defaults = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "offline", TRUE, NULL);
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (defaults), ==, 48000);
  g_assert_cmpuint (flitzis_audio_engine_get_channels (defaults), ==, 2);
  device = flitzis_audio_engine_new ();
  g_assert_false (flitzis_audio_engine_get_offline (device));
}

/* A device engine takes its channel count from the device: asking for one
 * at construction is a programming error, said at once. */
static void
test_channels_only_offline (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (FlitzisAudioEngine) engine =
        g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "channels", 2, NULL);

      g_assert_cmpuint (flitzis_audio_engine_get_channels (engine), ==, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*channels is set for an offline engine only*");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  FLITZIS_TEST_ADD_OFFLINE ("/engine/offline/render/exact", test_exact_output);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/offline/render/deterministic", test_deterministic);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/offline/render/bytes", test_render_bytes);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/offline/errors", test_errors);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/offline/shut-down-while-rendering", test_shut_down_while_rendering);
  g_test_add_func ("/engine/offline/bad-arguments", test_bad_arguments);
  g_test_add_func ("/engine/offline/from-properties", test_from_properties);
  g_test_add_func ("/engine/offline/channels-only-offline", test_channels_only_offline);
  FLITZIS_TEST_ADD_LIVE ("/engine/offline/matches-live", test_offline_matches_live);

  status = g_test_run ();
  flitzis_test_jack_shared_stop ();
  return status;
}
