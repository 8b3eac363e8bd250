/* test-lifecycle.c: run() and shut_down(), calls before run(), and
 * disposing of an engine while it plays, or from inside its own signal
 * handler
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Live: on a real PortAudio stream into the program's private JACK dummy
 * server (flitzis_test_jack_shared()).
 */
#include "config.h"

#include <string.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD

static void
test_lifecycle (FlitzisTestLive *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint running_notifies = 0;

  (void) data;
  g_signal_connect (fixture->engine, "notify::running", G_CALLBACK (flitzis_test_count_notify),
                    &running_notifies);
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (fixture->engine), ==, 0);

  flitzis_test_run_ok (fixture->engine);
  g_assert_true (flitzis_audio_engine_get_running (fixture->engine));
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (fixture->engine), ==, RATE);
  g_assert_cmpuint (flitzis_audio_engine_get_channels (fixture->engine), ==, 2);
  g_assert_cmpuint (running_notifies, ==, 1);

  /* run() twice: refused, and the running stream is untouched. */
  g_assert_false (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_ALREADY_RUNNING);
  g_clear_error (&error);
  g_assert_true (flitzis_audio_engine_get_running (fixture->engine));
  flitzis_test_ping_ok (fixture->engine);

  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (fixture->engine), ==, 0);
  g_assert_cmpuint (flitzis_audio_engine_get_channels (fixture->engine), ==, 0);
  g_assert_cmpuint (running_notifies, ==, 2);
  /* shut_down() twice does nothing. */
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_cmpuint (running_notifies, ==, 2);

  /* And it runs again. */
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_ping_ok (fixture->engine);
  g_assert_cmpuint (running_notifies, ==, 3);
}

static void
test_calls_before_run (FlitzisTestLive *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (16, 1);
  g_autofree char *path = flitzis_test_write_stereo (fixture->dir, "a.wav", RATE, signal, signal, 16);
  g_autoptr (GError) error = NULL;

  (void) data;
  g_assert_false (flitzis_audio_engine_ping (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_load_sample (fixture->engine, 0, path, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_assert_nonnull (strstr (error->message, "run()"));
  g_clear_error (&error);
  g_assert_null (flitzis_audio_engine_receive_msg (fixture->engine));
  g_assert_cmpuint (flitzis_audio_engine_get_frame_time (fixture->engine), ==, 0);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
}

static void
test_dispose_while_playing (FlitzisTestLive *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (RATE, 2);
  g_autofree char *path = flitzis_test_write_stereo (fixture->dir, "long.wav", RATE, signal, signal, RATE);

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  for (guint id = 0; id < 4; id++)
    flitzis_test_load_ok (fixture->engine, id, path);
  for (guint i = 0; i < 20; i++)
    flitzis_test_play_ok (fixture->engine, i % 4, 0.1f);
  /* Replace a slot that plays, and leave replies and commands queued. */
  flitzis_test_load_ok (fixture->engine, 0, path);
  flitzis_test_send_pings (fixture->engine, 10);
  /* The teardown drops the last reference while all of this is pending,
   * and checks that the engine is finalised with every sample freed. */
}

static gboolean
one_pong (gpointer data)
{
  return ((FlitzisTestLive *) data)->pongs >= 1;
}

static gboolean
pongs_two (gpointer data)
{
  return ((FlitzisTestLive *) data)->pongs >= 2;
}

/* The application's one reference, dropped at the first pong. */
static void
unref_in_handler (FlitzisAudioEngine *engine, guint64 frame, gpointer data)
{
  gboolean *dropped = data;

  if (!*dropped)
    g_object_unref (engine);
  *dropped = TRUE;
}

static gboolean
engine_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Dropping the last reference from inside a signal handler, while the
 * engine's own source is dispatching: the engine goes away afterwards,
 * cleanly, and its source with it. */
static void
test_unref_in_pong_handler (FlitzisTestLive *fixture, gconstpointer data)
{
  FlitzisAudioEngine *engine = flitzis_audio_engine_new ();
  gpointer weak = engine;
  gboolean dropped = FALSE;

  (void) data;
  (void) fixture;
  g_object_add_weak_pointer (G_OBJECT (engine), &weak);
  g_signal_connect (engine, "pong", G_CALLBACK (unref_in_handler), &dropped);
  g_assert_true (flitzis_audio_engine_run (engine, NULL));
  g_assert_true (flitzis_audio_engine_ping (engine, NULL));
  g_assert_true (flitzis_audio_engine_ping (engine, NULL));
  g_assert_true (flitzis_test_wait_until (NULL, engine_gone, &weak, 5000));
  /* The second pong has nobody left to reach: nothing runs, nothing crashes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
shut_down_in_handler (FlitzisAudioEngine *engine, guint64 frame, gpointer data)
{
  FlitzisTestLive *fixture = data;

  fixture->pongs++;
  flitzis_audio_engine_shut_down (engine);
}

static void
test_shut_down_in_pong_handler (FlitzisTestLive *fixture, gconstpointer data)
{
  (void) data;
  g_signal_connect (fixture->engine, "pong", G_CALLBACK (shut_down_in_handler), fixture);
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_ping_ok (fixture->engine);
  g_assert_true (flitzis_test_wait_until (NULL, one_pong, fixture, 5000));
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
  /* The source outlives the stream only until it is idle; the engine
   * runs again, from the same thread. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->pongs, ==, 1);
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_ping_ok (fixture->engine);
  g_assert_true (flitzis_test_wait_until (NULL, pongs_two, fixture, 5000));
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
}

static void
test_shut_down_frees_samples (FlitzisTestLive *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (RATE, 3);
  g_autofree char *path = flitzis_test_write_stereo (fixture->dir, "long.wav", RATE, signal, NULL, RATE);

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_load_ok (fixture->engine, 7, path);
  flitzis_test_play_ok (fixture->engine, 7, 1.0f);
  flitzis_test_load_ok (fixture->engine, 7, path);
  g_assert_cmpuint (fz_sample_live_count (), ==, 2);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_load_ok (fixture->engine, 7, path);
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  FLITZIS_TEST_ADD_LIVE ("/engine/lifecycle/run-and-shut-down", test_lifecycle);
  FLITZIS_TEST_ADD_LIVE ("/engine/lifecycle/calls-before-run", test_calls_before_run);
  FLITZIS_TEST_ADD_LIVE ("/engine/lifecycle/dispose-while-playing", test_dispose_while_playing);
  FLITZIS_TEST_ADD_LIVE ("/engine/lifecycle/shut-down-frees-samples", test_shut_down_frees_samples);
  FLITZIS_TEST_ADD_LIVE ("/engine/lifecycle/unref-in-pong-handler", test_unref_in_pong_handler);
  FLITZIS_TEST_ADD_LIVE ("/engine/lifecycle/shut-down-in-pong-handler", test_shut_down_in_pong_handler);

  status = g_test_run ();
  flitzis_test_jack_shared_stop ();
  return status;
}
