/* test-watchdog.c: a stream that stops advancing is reported and shut
 * down, and shutting down returns whatever the back-end does
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A private JACK dummy server frozen with SIGSTOP stands for a sound
 * server that stops answering: the engine's JACK client is never called
 * again, and closing it (jack_client_close()) blocks until the server is
 * thawed.  The watchdog reports stream-error (STALLED) within the stall
 * timeout, the engine shuts down, leaving the blocked close behind on a
 * thread of its own (counted), and run() works again once the server runs.
 * Nothing sleeps: the main context is iterated until a condition holds.
 */
#include "config.h"

#include <signal.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"

#define RATE 48000
#define PERIOD 256

typedef struct {
  FlitzisTestJack *jack;
  FlitzisAudioEngine *engine;
  GError *stream_error;
  gboolean running_at_error;
} Fixture;

static void
on_stream_error (FlitzisAudioEngine *engine, GError *error, guint64 frame, Fixture *fixture)
{
  (void) frame;
  g_clear_error (&fixture->stream_error);
  fixture->stream_error = g_error_copy (error);
  fixture->running_at_error = flitzis_audio_engine_get_running (engine);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->jack = flitzis_test_jack_start (RATE, PERIOD);
  fixture->engine = flitzis_audio_engine_new ();
  g_signal_connect (fixture->engine, "stream-error", G_CALLBACK (on_stream_error), fixture);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_finalize_object (fixture->engine);
  if (fixture->jack != NULL)
    flitzis_test_jack_stop (fixture->jack);
  g_clear_error (&fixture->stream_error);
}

static void
run_ok (FlitzisAudioEngine *engine)
{
  g_autoptr (GError) error = NULL;

  if (!flitzis_audio_engine_run (engine, &error))
    g_error ("run() failed: %s", error->message);
}

/* The server frozen, if one is: a failed assertion aborts this process,
 * and a stopped server would never see the SIGTERM its parent's death
 * sends it (flitzis-test-jack.c), so the abort handler thaws it. */
static FlitzisTestJack *frozen;

static void
thaw_on_abort (int signum)
{
  (void) signum;
  if (frozen != NULL)
    flitzis_test_jack_signal_unsafe (frozen, SIGCONT);
}

static void
freeze (Fixture *fixture)
{
  frozen = fixture->jack;
  flitzis_test_jack_signal (fixture->jack, SIGSTOP);
}

static void
thaw (Fixture *fixture)
{
  flitzis_test_jack_signal (fixture->jack, SIGCONT);
  frozen = NULL;
}

static gboolean
stream_error_arrived (gpointer data)
{
  return ((Fixture *) data)->stream_error != NULL;
}

static guint64
count_abandoned (FlitzisAudioEngine *engine)
{
  g_autoptr (FlitzisEngineStats) stats = flitzis_audio_engine_get_stats (engine);

  return flitzis_engine_stats_get_streams_abandoned (stats);
}

/* Freezes the server under a running engine; returns once the watchdog
 * has reported it and the engine has shut down. */
static void
freeze_and_wait (Fixture *fixture)
{
  gint64 frozen_at;

  flitzis_audio_engine_set_stall_timeout (fixture->engine, 500);
  run_ok (fixture->engine);
  flitzis_test_wait_frames (NULL, fixture->engine, 8 * PERIOD);
  /* The close that cannot return is left behind, with a warning. */
  g_test_expect_message ("Flitzis", G_LOG_LEVEL_WARNING, "*did not close within*");
  freeze (fixture);
  frozen_at = g_get_monotonic_time ();
  g_assert_true (flitzis_test_wait_until (NULL, stream_error_arrived, fixture, 20000));
  g_test_message ("frozen server: stream-error and shut-down %.0f ms after SIGSTOP "
                  "(500 ms stall timeout, 2 s for the close to give up)",
                  (g_get_monotonic_time () - frozen_at) / 1000.0);
  g_test_assert_expected_messages ();
  g_assert_error (fixture->stream_error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_STALLED);
  g_assert_false (fixture->running_at_error);
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
  g_assert_cmpuint (count_abandoned (fixture->engine), ==, 1);
  /* Shutting down again, and running again while frozen, return. */
  flitzis_audio_engine_shut_down (fixture->engine);
}

/* Thawed, the same server plays again. */
static void
test_frozen_server_thawed (Fixture *fixture, gconstpointer data)
{
  (void) data;
  freeze_and_wait (fixture);
  thaw (fixture);
  run_ok (fixture->engine);
  flitzis_test_wait_frames (NULL, fixture->engine, 8 * PERIOD);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_cmpuint (count_abandoned (fixture->engine), ==, 1);
}

/* Once the frozen server is thawed and stopped, a new one is played.
 * (Not while the old one stays frozen: libjack serialises
 * jack_client_open() and jack_client_close() in a process, and the close
 * left behind holds that lock until its server answers or dies.  Nor is
 * the frozen server killed here: a JACK server killed with SIGKILL keeps
 * its slot of the 8 in JACK's shared-memory registry, and eight such
 * slots stop every JACK test on the machine.) */
static void
test_frozen_server_replaced (Fixture *fixture, gconstpointer data)
{
  (void) data;
  freeze_and_wait (fixture);
  thaw (fixture);
  flitzis_test_jack_stop (fixture->jack);
  fixture->jack = flitzis_test_jack_start (RATE, PERIOD);
  run_ok (fixture->engine);
  flitzis_test_wait_frames (NULL, fixture->engine, 8 * PERIOD);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_cmpuint (count_abandoned (fixture->engine), ==, 1);
}

/* A watchdog turned off reports nothing: the timeout is what decides.
 * (Frozen for a second, then thawed.) */
static void
test_watchdog_off (Fixture *fixture, gconstpointer data)
{
  gint64 deadline;

  (void) data;
  flitzis_audio_engine_set_stall_timeout (fixture->engine, 0);
  g_assert_cmpuint (flitzis_audio_engine_get_stall_timeout (fixture->engine), ==, 0);
  run_ok (fixture->engine);
  flitzis_test_wait_frames (NULL, fixture->engine, 4 * PERIOD);
  freeze (fixture);
  /* Iterate for a second of the frozen server: no stream-error. */
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (fixture->stream_error);
  g_assert_true (flitzis_audio_engine_get_running (fixture->engine));
  thaw (fixture);
  flitzis_test_wait_frames (NULL, fixture->engine, 4 * PERIOD);
  g_assert_cmpuint (count_abandoned (fixture->engine), ==, 0);
}

/* Disposed under a frozen server, with no watchdog to notice first:
 * dispose returns, leaving the close behind. */
static void
test_dispose_frozen (Fixture *fixture, gconstpointer data)
{
  (void) data;
  flitzis_audio_engine_set_stall_timeout (fixture->engine, 0);
  run_ok (fixture->engine);
  flitzis_test_wait_frames (NULL, fixture->engine, 4 * PERIOD);
  freeze (fixture);
  g_test_expect_message ("Flitzis", G_LOG_LEVEL_WARNING, "*did not close within*");
  g_assert_finalize_object (g_steal_pointer (&fixture->engine));
  g_test_assert_expected_messages ();
  thaw (fixture);
  fixture->engine = flitzis_audio_engine_new ();
}

/* The default is documented: 500 ms, or FLITZIS_STALL_TIMEOUT_MS (make
 * check-valgrind sets 10000). */
static void
test_default_timeout (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  const char *from_env = g_getenv ("FLITZIS_STALL_TIMEOUT_MS");
  guint timeout = 0;

  g_object_get (engine, "stall-timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, from_env != NULL ? (guint) g_ascii_strtoull (from_env, NULL, 10)
                                                  : 500);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGABRT, thaw_on_abort);
  g_test_add_func ("/engine/watchdog/default-timeout", test_default_timeout);
  g_test_add ("/engine/watchdog/frozen-server-thawed", Fixture, NULL, fixture_setup,
              test_frozen_server_thawed, fixture_teardown);
  g_test_add ("/engine/watchdog/frozen-server-replaced", Fixture, NULL, fixture_setup,
              test_frozen_server_replaced, fixture_teardown);
  g_test_add ("/engine/watchdog/dispose-frozen", Fixture, NULL, fixture_setup,
              test_dispose_frozen, fixture_teardown);
  g_test_add ("/engine/watchdog/off", Fixture, NULL, fixture_setup,
              test_watchdog_off, fixture_teardown);
  return g_test_run ();
}
