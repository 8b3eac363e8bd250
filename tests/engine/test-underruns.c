/* test-underruns.c: the engine's own underruns, told apart from the xruns
 * a JACK server reports for other clients
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * On a private JACK dummy server (5.3 ms periods), the test's own JACK
 * client stands for a foreign one: sleeping 10 ms in its process callback
 * makes the whole graph late, and the server reports an xrun to every
 * client.  The engine counts those as xruns, not as underruns of its own.
 * A stall inside the engine's own callback (the core's test hook) is an
 * underrun of its own.  The core's flag is checked exactly, offline.
 */
#include "config.h"

#include "flitzis.h"
#include "core/fz-core.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"

#define RATE 48000
#define PERIOD 256
#define STALLS 10

typedef struct {
  FlitzisTestJack *jack;
  FlitzisAudioEngine *engine;
  guint xrun_signals;
  guint underrun_signals;
  guint64 last_underrun_count;
} Fixture;

static void
on_xrun (FlitzisAudioEngine *engine, guint64 count, guint64 frame, Fixture *fixture)
{
  (void) engine; (void) count; (void) frame;
  fixture->xrun_signals++;
}

static void
on_underrun (FlitzisAudioEngine *engine, guint64 count, guint64 frame, Fixture *fixture)
{
  (void) engine; (void) frame;
  fixture->underrun_signals++;
  fixture->last_underrun_count = count;
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  fixture->jack = flitzis_test_jack_start (RATE, PERIOD);
  fixture->engine = flitzis_audio_engine_new ();
  g_signal_connect (fixture->engine, "xrun", G_CALLBACK (on_xrun), fixture);
  g_signal_connect (fixture->engine, "underrun", G_CALLBACK (on_underrun), fixture);
  g_assert_true (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fz_core_set_test_hook (NULL);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_finalize_object (fixture->engine);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  flitzis_test_jack_stop (fixture->jack);
}

static guint64
count_xruns (FlitzisAudioEngine *engine)
{
  return flitzis_test_count (engine, flitzis_engine_stats_get_xruns);
}

static guint64
count_underruns (FlitzisAudioEngine *engine)
{
  return flitzis_test_count (engine, flitzis_engine_stats_get_underruns);
}

/* Another client sleeps 10 ms (two periods) in ten cycles: ten xruns or
 * more in the graph, none of them the engine's. */
static void
test_foreign_client_stalls (Fixture *fixture, gconstpointer data)
{
  guint64 xruns_before;

  (void) data;
  flitzis_test_wait_frames (NULL, fixture->engine, 8 * PERIOD);
  xruns_before = count_xruns (fixture->engine);
  for (guint i = 0; i < STALLS; i++)
    {
      guint64 xruns = count_xruns (fixture->engine);

      flitzis_test_jack_stall_next_cycle (fixture->jack, 10);
      g_assert_true (flitzis_test_wait_count (fixture->engine, flitzis_engine_stats_get_xruns,
                                              xruns + 1, 5000));
      flitzis_test_wait_frames (NULL, fixture->engine, 4 * PERIOD);
    }
  /* Long enough for a late period of the engine's to be reported. */
  flitzis_test_wait_frames (NULL, fixture->engine, 16 * PERIOD);
  g_test_message ("%" G_GUINT64_FORMAT " xruns in the graph, %" G_GUINT64_FORMAT
                  " underruns of the engine's own; %u xrun and %u underrun signals",
                  count_xruns (fixture->engine) - xruns_before,
                  count_underruns (fixture->engine), fixture->xrun_signals,
                  fixture->underrun_signals);
  g_assert_cmpuint (count_xruns (fixture->engine) - xruns_before, >=, STALLS);
  g_assert_cmpuint (fixture->xrun_signals, >=, STALLS);
  /* Not one underrun a stall: an engine that took the server's xruns for
   * its own would count at least that many.  Not none either: the
   * engine's own callback is timed by the wall clock, and on a loaded
   * machine (ThreadSanitizer's build beside other suites) it may itself
   * be late now and then, which is an underrun of its own and counted as
   * one.  A test that asserted none would assert the machine's timing. */
  g_assert_cmpuint (count_underruns (fixture->engine), <, STALLS);
  g_assert_cmpuint (fixture->underrun_signals, <=, count_underruns (fixture->engine));
}

static gboolean
underrun_signalled (gpointer data)
{
  return ((Fixture *) data)->underrun_signals > 0;
}

/* The engine's own callback is late: an underrun of its own, signalled
 * and counted (and an xrun, which the server reports too). */
static void
test_own_callback_stalls (Fixture *fixture, gconstpointer data)
{
  (void) data;
  flitzis_test_wait_frames (NULL, fixture->engine, 4 * PERIOD);
  /* Four periods' worth. */
  flitzis_test_stall_next_period (20);
  g_assert_true (flitzis_test_wait_until (NULL, underrun_signalled, fixture, 5000));
  g_assert_cmpuint (fixture->last_underrun_count, >=, 1);
  g_assert_cmpuint (count_underruns (fixture->engine), >=, 1);
  g_assert_cmpuint (count_underruns (fixture->engine), <=, count_xruns (fixture->engine) + 1);
  g_assert_true (flitzis_audio_engine_get_running (fixture->engine));
}

/* Offline, exactly: the flags each count their own, with their events. */
static void
test_core_flags (void)
{
  FzCore *core = fz_core_new (RATE, 2);
  float out[PERIOD * 2];
  FzMsg reply;
  guint underruns = 0, xruns = 0;

  fz_core_process (core, out, PERIOD, FZ_PROCESS_UNDERRUN);
  fz_core_process (core, out, PERIOD, FZ_PROCESS_UNDERRUN | FZ_PROCESS_OWN_UNDERRUN);
  fz_core_process (core, out, PERIOD, 0);
  g_assert_cmpuint (fz_core_get_xruns (core), ==, 2);
  g_assert_cmpuint (fz_core_get_underruns (core), ==, 1);
  while (fz_core_receive (core, &reply))
    if (reply.type == FZ_REPLY_UNDERRUN)
      {
        underruns++;
        g_assert_cmpuint (reply.seq, ==, 1);
        g_assert_cmpuint (reply.frame, ==, PERIOD);
      }
    else if (reply.type == FZ_REPLY_XRUN)
      xruns++;
  g_assert_cmpuint (underruns, ==, 1);
  g_assert_cmpuint (xruns, ==, 2);
  fz_core_free (core);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/underruns/core-flags", test_core_flags);
  g_test_add ("/engine/underruns/foreign-client-stalls", Fixture, NULL, fixture_setup,
              test_foreign_client_stalls, fixture_teardown);
  g_test_add ("/engine/underruns/own-callback-stalls", Fixture, NULL, fixture_setup,
              test_own_callback_stalls, fixture_teardown);
  return g_test_run ();
}
