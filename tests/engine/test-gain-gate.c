/* test-gain-gate.c: set_sample_gain() without the engine's lock
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * set_sample_gain() writes the running core's parameter cell through a
 * gate (flitzis-audio-engine-commands.c) instead of taking the lock.
 * These tests check that it still does what it did: the gain applies from
 * the next period, an engine that is not running refuses it with
 * NOT_RUNNING, bad values change nothing, and setters racing run() and
 * shut_down() on other threads only ever succeed or get NOT_RUNNING
 * (make check-tsan and the sanitizer builds see the memory side).
 */
#include "config.h"

#include <math.h>

#include "flitzis-test.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD
/* The gain's ramp: 5 ms at 48 kHz. */
#define RAMP_FRAMES 240

/* The left channel's last frame after @frames more frames. */
static float
last_left (FlitzisAudioEngine *engine, gsize frames)
{
  g_autofree float *left = flitzis_test_render_left (engine, frames);

  return left[frames - 1];
}

static void
test_applies (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "half.wav", RATE, 0.5f);
  g_autoptr (GError) error = NULL;

  flitzis_test_load_ok (fixture->engine, 3, path);
  flitzis_test_play_ok (fixture->engine, 3, 1.0f);
  g_assert_cmpfloat (last_left (fixture->engine, PERIOD), ==, 0.5f);
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 3, 0.25, &error));
  g_assert_no_error (error);
  /* From the next period on, after its 5 ms ramp. */
  g_assert_cmpfloat (last_left (fixture->engine, PERIOD), ==, 0.125f);
  /* The latest value wins. */
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 3, 2.0, &error));
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 3, 1.5, &error));
  g_assert_cmpfloat (last_left (fixture->engine, PERIOD), ==, 0.75f);
  /* Bad values are refused and change nothing. */
  g_assert_false (flitzis_audio_engine_set_sample_gain (fixture->engine, 3, NAN, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_sample_gain (fixture->engine, 3, INFINITY, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_sample_gain (fixture->engine, 3, -0.5, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_sample_gain (fixture->engine, 32, 1.0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_clear_error (&error);
  g_assert_cmpfloat (last_left (fixture->engine, PERIOD), ==, 0.75f);
  g_assert_cmpint (RAMP_FRAMES, <, PERIOD);
}

static void
test_not_running (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;

  g_assert_false (flitzis_audio_engine_set_sample_gain (engine, 0, 0.5, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  flitzis_test_run_ok (engine);
  g_assert_true (flitzis_audio_engine_set_sample_gain (engine, 0, 0.5, &error));
  g_assert_no_error (error);
  flitzis_audio_engine_shut_down (engine);
  g_assert_false (flitzis_audio_engine_set_sample_gain (engine, 0, 0.5, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  /* And open again with the next run's core. */
  flitzis_test_run_ok (engine);
  g_assert_true (flitzis_audio_engine_set_sample_gain (engine, 31, 0.5, &error));
  flitzis_audio_engine_shut_down (engine);
}

typedef struct {
  FlitzisAudioEngine *engine;
  gint stop;
  guint64 ok;
  guint64 not_running;
  guint64 other;
} Setter;

static gpointer
setter_thread (gpointer data)
{
  Setter *setter = data;

  for (guint i = 0; !g_atomic_int_get (&setter->stop); i++)
    {
      g_autoptr (GError) error = NULL;

      if (flitzis_audio_engine_set_sample_gain (setter->engine, i % 32, (i % 3) * 0.5, &error))
        setter->ok++;
      else if (g_error_matches (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING))
        setter->not_running++;
      else
        setter->other++;
    }
  return NULL;
}

/* Two setters on other threads while run() and shut_down() free and make
 * cores 200 times. */
static void
test_race (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  Setter setters[2] = { { .engine = engine }, { .engine = engine } };
  GThread *threads[2];
  float out[PERIOD * 2];

  for (guint t = 0; t < 2; t++)
    threads[t] = g_thread_new ("setter", setter_thread, &setters[t]);
  for (guint r = 0; r < 200; r++)
    {
      flitzis_test_run_ok (engine);
      flitzis_test_render_ok (engine, out, PERIOD);
      flitzis_audio_engine_shut_down (engine);
    }
  for (guint t = 0; t < 2; t++)
    {
      g_atomic_int_set (&setters[t].stop, 1);
      g_thread_join (threads[t]);
      g_assert_cmpuint (setters[t].other, ==, 0);
      g_assert_cmpuint (setters[t].ok + setters[t].not_running, >, 0);
    }
  g_test_message ("set_sample_gain(): %" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT " set, "
                  "%" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT " not running",
                  setters[0].ok, setters[1].ok, setters[0].not_running, setters[1].not_running);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/engine/gain-gate/applies", FlitzisTestOffline, NULL,
              flitzis_test_offline_setup, test_applies, flitzis_test_offline_teardown);
  g_test_add_func ("/engine/gain-gate/not-running", test_not_running);
  g_test_add_func ("/engine/gain-gate/race", test_race);
  return g_test_run ();
}
