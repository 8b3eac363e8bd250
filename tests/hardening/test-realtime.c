/* test-realtime.c: the audio callback allocates, frees, locks, sleeps,
 * reads, writes and prints nothing, under a stress of loads, replacements,
 * triggers and full queues on a real stream
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sndfile.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "fz-stretch-rubberband.h"
#include "flitzis-test-jack.h"
#include "flitzis-test-pipewire.h"
#include "rt-interposer.h"

#include <stdatomic.h>
#include <jack/jack.h>
#include <jack/midiport.h>

#define RATE 48000
#define PERIOD 128
/* How much audio the stress covers. */
#define STRESS_FRAMES (3 * RATE)

static FlitzisTestJack *jack;
static FlitzisTestPipewire *pipewire;

/* The interposer's counts reset, and the engine's frame time then: a
 * scenario runs for frames rendered from there on (loading its samples
 * and setting it up can take a second on a loaded machine, and those
 * frames were no callbacks of the scenario's). */
static guint64 reset_frame;

static void
reset_counts (FlitzisAudioEngine *engine)
{
  rt_reset ();
  reset_frame = flitzis_audio_engine_get_frame_time (engine);
}

static guint64
frames_since_reset (FlitzisAudioEngine *engine)
{
  return flitzis_audio_engine_get_frame_time (engine) - reset_frame;
}

static void
report_counts (void)
{
  for (int kind = 0; kind < RT_N_KINDS; kind++)
    g_test_message ("%-20s in callback: %lu, anywhere: %lu", rt_kind_names[kind],
                    rt_count_in_callback (kind), rt_count_total (kind));
}

/* After a scenario: @callback (what ran) made not one call of a kind the
 * interposer counts, but @allowed (a kind the scenario may make; -1 for
 * none); @what says under what. */
static void
assert_callback_clean (const char *callback, const char *what, int allowed)
{
  for (int kind = 0; kind < RT_N_KINDS; kind++)
    if (kind != allowed && rt_count_in_callback (kind) != 0)
      g_error ("%s made %lu %s calls%s", callback, rt_count_in_callback (kind),
               rt_kind_names[kind], what);
}

/* Shuts @engine down, checks that it and every sample it held are gone,
 * and removes @dir, the scenario's files. */
static void
end_scenario (FlitzisAudioEngine *engine, const char *dir)
{
  flitzis_audio_engine_shut_down (engine);
  g_assert_finalize_object (engine);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  flitzis_test_remove_tree (dir);
}

/* A scenario on two samples, a.wav (700 frames) and b.wav, in a directory
 * of its own, and its engine. */
typedef struct {
  char *dir;
  char *paths[2];
  FlitzisAudioEngine *engine;
} Scenario;

/* Writes @scenario's samples (b.wav: @long_frames) and runs @engine,
 * which the scenario then owns; returns it. */
static FlitzisAudioEngine *
start_scenario (Scenario *scenario, FlitzisAudioEngine *engine, gsize long_frames)
{
  g_autoptr (GError) error = NULL;

  scenario->dir = flitzis_test_make_tmpdir ();
  scenario->paths[0] = flitzis_test_write_sample (scenario->dir, "a.wav", RATE, 2, 700, 1, 0.1f);
  scenario->paths[1] = flitzis_test_write_sample (scenario->dir, "b.wav", RATE, 2, long_frames, 2,
                                                  0.1f);
  scenario->engine = engine;
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  return engine;
}

/* Ends @scenario as end_scenario() does, and frees its names. */
static void
close_scenario (Scenario *scenario)
{
  for (guint i = 0; i < 2; i++)
    g_free (scenario->paths[i]);
  end_scenario (scenario->engine, scenario->dir);
  g_free (scenario->dir);
}

/* After @scenario's stress: the callbacks' count and the interposer's
 * counts reported, the callback clean (@what: under what), the scenario
 * closed. */
static void
finish_scenario (Scenario *scenario, const char *what)
{
  g_test_message ("%lu callbacks", rt_callbacks ());
  report_counts ();
  assert_callback_clean ("the audio callback", what, -1);
  close_scenario (scenario);
}

/* Called through volatile pointers, so that the compiler cannot elide an
 * allocation and its free, or a print of nothing. */
static void *(*volatile call_malloc) (size_t) = malloc;
static void (*volatile call_free) (void *) = free;
static gpointer (*volatile call_g_malloc) (gsize) = g_malloc;
static void (*volatile call_g_free) (gpointer) = g_free;
static int (*volatile call_fputs) (const char *, FILE *) = fputs;
static double (*volatile call_exp) (double) = exp;

/* The detector detects: every kind of call, made while this thread is
 * marked, is counted. */
static void
test_interposer_detects (void)
{
  static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  FILE *sink = fopen ("/dev/null", "w");
  char byte = 0;
  int fd = open ("/dev/null", O_RDWR);

  g_assert_nonnull (sink);
  rt_reset ();
  rt_mark_in_callback (1);
  call_free (call_malloc (16));
  pthread_mutex_lock (&mutex);
  pthread_mutex_unlock (&mutex);
  g_assert_cmpint (write (fd, &byte, 1), ==, 1);
  g_assert_cmpint (read (fd, &byte, 1), ==, 0);
  syscall (SYS_getpid);
  call_fputs ("x", sink);
  g_assert_cmpfloat (call_exp (0.0), ==, 1.0);
  rt_mark_in_callback (0);
  report_counts ();
  for (int kind = 0; kind < RT_N_KINDS; kind++)
    g_assert_cmpuint (rt_count_in_callback (kind), >, 0);

  /* GLib's allocator reaches the same malloc. */
  rt_reset ();
  rt_mark_in_callback (1);
  call_g_free (call_g_malloc (8));
  rt_mark_in_callback (0);
  g_assert_cmpuint (rt_count_in_callback (RT_ALLOC), ==, 1);
  g_assert_cmpuint (rt_count_in_callback (RT_FREE), ==, 1);
  fclose (sink);
  close (fd);
  rt_reset ();
}

static guint
burst_of_pings (FlitzisAudioEngine *engine)
{
  g_autoptr (GError) error = NULL;
  guint sent = 0;

  while (flitzis_audio_engine_ping (engine, &error))
    sent++;
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL);
  return sent;
}

/* @data: the FlitzisBackend to stress, JACK's process thread or
 * PipeWire's data thread (both servers run). */
static void
test_callback_is_realtime_safe (gconstpointer data)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  const gsize lengths[4] = { 200, 700, 3000, RATE / 2 };
  char *paths[4];
  FlitzisAudioEngine *engine = flitzis_audio_engine_new ();
  g_autoptr (GError) error = NULL;
  guint iterations = 0, loads = 0, triggers = 0, pings = 0, pongs = 0;
  FlitzisMessage *message;
  /* A context the engine is not attached to: waiting in it is a main
   * loop that has stalled. */
  GMainContext *stalled = g_main_context_new ();

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("s%u.wav", i);
      paths[i] = flitzis_test_write_sample (dir, name, RATE, 2, lengths[i], i + 1, 0.1f);
    }
  flitzis_audio_engine_set_backend (engine, GPOINTER_TO_INT (data));
  /* JACK's engine follows the server's period; PipeWire's asks for it. */
  if (GPOINTER_TO_INT (data) == FLITZIS_BACKEND_PIPEWIRE)
    flitzis_audio_engine_set_period_frames (engine, PERIOD);
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (engine), ==, GPOINTER_TO_INT (data));
  reset_counts (engine);

  while (frames_since_reset (engine) < STRESS_FRAMES)
    {
      guint slot = iterations % 8;

      /* Replace a slot whose voices may still play, trigger, ping. */
      g_assert_true (flitzis_audio_engine_load_sample (engine, slot, paths[iterations % 4], &error));
      loads++;
      for (guint v = 0; v < 3; v++, triggers++)
        g_assert_true (flitzis_audio_engine_play_sample (engine, (slot + v) % 8, 0.5f, &error));
      g_assert_true (flitzis_audio_engine_ping (engine, &error));
      pings++;
      /* Every other period paused: the callback silences, voices wait. */
      if (iterations % 2 == 0)
        g_assert_true (flitzis_audio_engine_pause (engine, &error));
      else
        g_assert_true (flitzis_audio_engine_resume (engine, &error));
      /* Now and then, fill the command ring twice, with a period between
       * in which nobody takes the replies: the audio thread answers 1024
       * pings at once, and the second burst finds the reply ring full. */
      if (iterations % 40 == 39)
        for (guint burst = 0; burst < 2; burst++)
          {
            pings += burst_of_pings (engine);
            flitzis_test_wait_frames (stalled, engine, PERIOD);
          }
      g_assert_no_error (error);
      while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
        {
          pongs += flitzis_message_get_kind (message) == FLITZIS_MESSAGE_KIND_PONG;
          flitzis_message_unref (message);
        }
      flitzis_test_wait_frames (NULL, engine, PERIOD);
      iterations++;
    }

  g_test_message ("%u iterations: %u loads, %u triggers (%" G_GUINT64_FORMAT " dropped), "
                  "%u pings (%" G_GUINT64_FORMAT " replies dropped) over %lu callbacks",
                  iterations, loads, triggers, flitzis_test_count (engine, flitzis_engine_stats_get_dropped_voices),
                  pings, flitzis_test_count (engine, flitzis_engine_stats_get_dropped_replies), rt_callbacks ());
  report_counts ();
  /* The stress reached the paths it is meant to reach. */
  g_assert_cmpuint (rt_callbacks (), >=, STRESS_FRAMES / PERIOD / 2);
  g_assert_cmpuint (flitzis_test_count (engine, flitzis_engine_stats_get_dropped_voices), >, 0);
  g_assert_cmpuint (pings, >, 20 * FLITZIS_QUEUE_CAPACITY);
  g_assert_cmpuint (rt_count_total (RT_ALLOC), >, 0);
  g_assert_cmpuint (rt_count_total (RT_FREE), >, 0);
  /* And the callback never once did what it must not. */
  assert_callback_clean ("the audio callback", "", -1);

  /* Every ping was answered, or counted where it was dropped. */
  flitzis_audio_engine_shut_down (engine);
  while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
    {
      /* Sample events and xruns come the same way: only pongs count. */
      pongs += flitzis_message_get_kind (message) == FLITZIS_MESSAGE_KIND_PONG;
      flitzis_message_unref (message);
    }
  /* Messages pushed out of the receive_msg() queue may be pongs or events:
   * with none pushed out, the count is exact. */
  g_test_message ("%u pongs received, %" G_GUINT64_FORMAT " dropped, %" G_GUINT64_FORMAT
                  " messages pushed out, %" G_GUINT64_FORMAT " events dropped", pongs,
                  flitzis_test_count (engine, flitzis_engine_stats_get_dropped_replies),
                  flitzis_test_count (engine, flitzis_engine_stats_get_dropped_messages),
                  flitzis_test_count (engine, flitzis_engine_stats_get_dropped_events));
  g_assert_cmpuint (pongs + flitzis_test_count (engine, flitzis_engine_stats_get_dropped_replies), <=, pings);
  g_assert_cmpuint (pongs + flitzis_test_count (engine, flitzis_engine_stats_get_dropped_replies)
                    + flitzis_test_count (engine, flitzis_engine_stats_get_dropped_messages), >=, pings);
  g_assert_finalize_object (engine);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  for (guint i = 0; i < 4; i++)
    g_free (paths[i]);
  flitzis_test_remove_tree (dir);
  g_main_context_unref (stalled);
}

/* Every pad command, with the largest tables (1024 slots, 256 voices):
 * retrigger crossfades and toggles, choke groups, exclusive triggers,
 * pause, resume, seek and live loop edits, each period. */
static void
test_pads_are_realtime_safe (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = flitzis_test_write_sample (dir, "pad.wav", RATE, 2, 3000, 1, 0.1f);
  FlitzisAudioEngine *engine = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "slots", 1024,
                                             "voices", 256, NULL);
  g_autoptr (GError) error = NULL;
  FlitzisMessage *message;
  guint iterations = 0;

  g_assert_true (flitzis_audio_engine_run (engine, &error));
  for (guint slot = 1016; slot < 1024; slot++)
    g_assert_true (flitzis_audio_engine_load_sample (engine, slot, path, &error));
  g_assert_true (flitzis_audio_engine_set_sample_retrigger (engine, 1016, FLITZIS_RETRIGGER_RESTART,
                                                            &error));
  g_assert_true (flitzis_audio_engine_set_sample_retrigger (engine, 1017, FLITZIS_RETRIGGER_TOGGLE,
                                                            &error));
  g_assert_true (flitzis_audio_engine_set_sample_choke_group (engine, 1018, 16, &error));
  g_assert_true (flitzis_audio_engine_set_sample_choke_group (engine, 1019, 16, &error));
  reset_counts (engine);
  while (frames_since_reset (engine) < STRESS_FRAMES / 4)
    {
      guint slot = 1016 + iterations % 8;
      guint64 now = flitzis_audio_engine_get_frame_time (engine);

      g_assert_true (flitzis_audio_engine_play_sample (engine, slot, 0.3f, &error));
      g_assert_true (flitzis_audio_engine_play_sample_at (engine, 1016 + (iterations + 3) % 8, 0.3f,
                                                          now + PERIOD + iterations % PERIOD,
                                                          &error));
      if (iterations % 7 == 0)
        g_assert_true (flitzis_audio_engine_play_sample_exclusive (engine, slot, 0.3f, &error));
      if (iterations % 2 == 0)
        g_assert_true (flitzis_audio_engine_pause_sample (engine, 1016, &error));
      else
        g_assert_true (flitzis_audio_engine_resume_sample (engine, 1016, &error));
      g_assert_true (flitzis_audio_engine_seek_sample (engine, slot, iterations % 3000, &error));
      g_assert_true (flitzis_audio_engine_set_sample_loop (engine, slot, iterations % 3 != 0,
                                                           iterations % 100, 200 + iterations % 700,
                                                           &error));
      while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
        flitzis_message_unref (message);
      flitzis_test_wait_frames (NULL, engine, PERIOD);
      iterations++;
    }
  g_test_message ("%u iterations over %lu callbacks", iterations, rt_callbacks ());
  report_counts ();
  g_assert_cmpuint (rt_callbacks (), >=, STRESS_FRAMES / 4 / PERIOD / 2);
  assert_callback_clean ("the audio callback", "", -1);
  end_scenario (engine, dir);
}

/* The meters on, at rates that change, over loops, replacements, stops,
 * crossfades, pauses and a stalled main loop (a full meter ring), on the
 * last slots of an engine with 1024 slots and 256 voices (the meter's
 * per-slot arrays are the engine's): the callback still never allocates,
 * frees, locks or calls the system. */
static void
test_meters_are_realtime_safe (void)
{
  Scenario scenario;
  FlitzisAudioEngine *engine = start_scenario (&scenario,
                                               g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "slots",
                                                             1024, "voices", 256, NULL),
                                               RATE / 2);
  g_autoptr (GError) error = NULL;
  GMainContext *stalled = g_main_context_new ();
  g_autoptr (FlitzisEngineStats) stats = NULL;
  g_autoptr (FlitzisLevels) levels = NULL;

  g_assert_true (flitzis_audio_engine_set_sample_retrigger (engine, 1018, FLITZIS_RETRIGGER_RESTART,
                                                            &error));
  rt_reset ();
  for (guint i = 0; i < 120; i++)
    {
      guint slot = 1018 + i % 6;

      if (i % 10 == 0)
        g_assert_true (flitzis_audio_engine_set_meter_rate (engine, 120 - (i / 10) * 9, &error));
      g_assert_true (flitzis_audio_engine_load_sample (engine, slot, scenario.paths[i % 2],
                                                       &error));
      g_assert_true (flitzis_audio_engine_set_sample_loop (engine, slot, i % 3 == 0, 0, 0, &error));
      g_assert_true (flitzis_audio_engine_play_sample (engine, slot, 0.4f, &error));
      if (i % 7 == 0)
        g_assert_true (flitzis_audio_engine_stop_sample (engine, 1018 + (i + 3) % 6, &error));
      if (i % 4 == 1)
        g_assert_true (flitzis_audio_engine_seek_sample (engine, slot, i % 600, &error));
      if (i % 8 == 2)
        g_assert_true (flitzis_audio_engine_pause_sample (engine, slot, &error));
      if (i % 8 == 6)
        g_assert_true (flitzis_audio_engine_resume_sample (engine, 1018 + (i - 4) % 6, &error));
      g_assert_no_error (error);
      /* Every 30th round, 20 meter periods that nobody takes. */
      flitzis_test_wait_frames (i % 30 == 29 ? stalled : NULL, engine,
                                i % 30 == 29 ? 20 * PERIOD * 4 : PERIOD);
      g_clear_pointer (&stats, flitzis_engine_stats_unref);
      g_clear_pointer (&levels, flitzis_levels_unref);
      levels = flitzis_audio_engine_get_levels (engine);
    }
  stats = flitzis_audio_engine_get_stats (engine);
  g_test_message ("%lu callbacks, %" G_GUINT64_FORMAT " level snapshots dropped", rt_callbacks (),
                  flitzis_engine_stats_get_dropped_levels (stats));
  report_counts ();
  g_assert_nonnull (levels);
  g_assert_cmpuint (flitzis_levels_get_n_slots (levels), ==, 1024);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_levels (stats), >, 0);
  assert_callback_clean ("the audio callback", " with the meters on", -1);
  close_scenario (&scenario);
  g_main_context_unref (stalled);
}

/* The isolator (issue 18) on a live stream, on the last slots of an
 * engine with 1024 slots and 256 voices: slots going from flat to not and
 * back (their buses taken and given up) while voices loop, restart, stop
 * and end, glides overlapping, the volume ramping, the meters on and off,
 * and replacements: the callback never allocates, frees, locks, calls the
 * system or libm (the filters' coefficients are made at run()). */
static void
test_eq_is_realtime_safe (void)
{
  Scenario scenario;
  FlitzisAudioEngine *engine = start_scenario (&scenario,
                                               g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "slots",
                                                             1024, "voices", 256, NULL),
                                               RATE / 2);
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_set_sample_retrigger (engine, 1019, FLITZIS_RETRIGGER_RESTART,
                                                            &error));
  rt_reset ();
  for (guint i = 0; i < 120; i++)
    {
      guint slot = 1018 + i % 6;
      double low = i % 4 == 0 ? 0.0 : -60.0 + (i % 11) * 6.0;

      if (i % 20 == 0)
        g_assert_true (flitzis_audio_engine_set_meter_rate (engine, i % 40 == 0 ? 60 : 0, &error));
      if (i % 9 == 0)
        g_assert_true (flitzis_audio_engine_load_sample (engine, slot, scenario.paths[i % 2],
                                                         &error));
      g_assert_true (flitzis_audio_engine_set_sample_eq (engine, slot, low, i % 3 ? 0.0 : -60.0,
                                                         i % 5 ? 6.0 : 0.0, &error));
      g_assert_true (flitzis_audio_engine_set_sample_loop (engine, slot, i % 3 == 0, 0, 0, &error));
      g_assert_true (flitzis_audio_engine_play_sample (engine, slot, 0.4f, &error));
      g_assert_true (flitzis_audio_engine_set_volume (engine, 0.5 + (i % 4) * 0.1, &error));
      if (i % 7 == 0)
        g_assert_true (flitzis_audio_engine_stop_sample (engine, 1018 + (i + 3) % 6, &error));
      g_assert_no_error (error);
      flitzis_test_wait_frames (NULL, engine, PERIOD * (1 + i % 3));
    }
  finish_scenario (&scenario, " with the isolators on");
}

/* Speed (issue 17) on a live stream: voices resampled at speeds from
 * 0.25 to 4 (and the tempo lock's products up to 8), looping across
 * their seams and ending, glides overlapping, a tempo-locked loop while
 * the tempo changes every few periods, a slot on its isolator's bus, the
 * meters on: the callback never allocates, frees, locks, calls the system
 * or libm (the interpolator's tables are made once, on the control
 * thread). */
static void
test_speed_is_realtime_safe (void)
{
  static const double speeds[] = { 0.25, 0.8, 1.0, 1.25, 2.0, 4.0, 1.5 };
  Scenario scenario;
  FlitzisAudioEngine *engine = start_scenario (&scenario, flitzis_audio_engine_new (), RATE / 2);
  g_autoptr (GError) error = NULL;

  for (guint k = 0; k < 4; k++)
    g_assert_true (flitzis_audio_engine_load_sample (engine, k, scenario.paths[k % 2], &error));
  g_assert_true (flitzis_audio_engine_set_sample_loop (engine, 1, TRUE, 0, 0, &error));
  g_assert_true (flitzis_audio_engine_set_sample_loop (engine, 3, TRUE, 50, 600, &error));
  g_assert_true (flitzis_audio_engine_set_sample_tempo (engine, 1, 120.0, &error));
  g_assert_true (flitzis_audio_engine_set_sample_eq (engine, 2, -12.0, 0.0, 0.0, &error));
  g_assert_true (flitzis_audio_engine_set_meter_rate (engine, 60, &error));
  flitzis_audio_engine_set_tempo_lock (engine, TRUE);
  rt_reset ();
  for (guint i = 0; i < 120; i++)
    {
      g_assert_true (flitzis_audio_engine_set_sample_speed (engine, i % 4, speeds[i % 7], &error));
      g_assert_true (flitzis_audio_engine_set_speed (engine, speeds[(i + 2) % 7], &error));
      g_assert_true (flitzis_audio_engine_set_tempo (engine, 60.0 + (i % 9) * 37.3, &error));
      g_assert_true (flitzis_audio_engine_play_sample (engine, i % 4, 0.3f, &error));
      if (i % 7 == 0)
        g_assert_true (flitzis_audio_engine_stop_sample (engine, (i + 1) % 4, &error));
      g_assert_no_error (error);
      flitzis_test_wait_frames (NULL, engine, PERIOD * (1 + i % 3));
    }
  finish_scenario (&scenario, " with voices off unity speed");
}

/* The ramping voices' batched path (fz-mixer-ramped.c), period after
 * period: every slot's gain and the master's ramping anew, loops across
 * their seams, a one-shot to its end. */
static void
test_ramped_is_realtime_safe (void)
{
  Scenario scenario;
  FlitzisAudioEngine *engine = start_scenario (&scenario, flitzis_audio_engine_new (), RATE / 4);
  g_autoptr (GError) error = NULL;

  for (guint k = 0; k < 6; k++)
    g_assert_true (flitzis_audio_engine_load_sample (engine, k, scenario.paths[k % 2], &error));
  for (guint k = 0; k < 6; k += 2)
    g_assert_true (flitzis_audio_engine_set_sample_loop (engine, k, TRUE, 0, 0, &error));
  rt_reset ();
  for (guint i = 0; i < 60; i++)
    {
      if (i % 20 == 0)
        for (guint k = 0; k < 6; k++)
          g_assert_true (flitzis_audio_engine_play_sample (engine, k, 0.8f, &error));
      for (guint k = 0; k < 6; k++)
        g_assert_true (flitzis_audio_engine_set_sample_gain (engine, k, 0.25 + 0.25 * ((i + k) % 3),
                                                             &error));
      g_assert_true (flitzis_audio_engine_set_volume (engine, 0.5 + 0.25 * (i % 2), &error));
      g_assert_no_error (error);
      flitzis_test_wait_frames (NULL, engine, PERIOD);
    }
  finish_scenario (&scenario, " with ramping voices");
}

/* The settled voices' fast path (fz-mixer-settled.c), period after
 * period: looping voices across their seams, a one-shot to its end, a
 * gain change and a stop that leave the path, and their return. */
static void
test_settled_is_realtime_safe (void)
{
  Scenario scenario;
  FlitzisAudioEngine *engine = start_scenario (&scenario, flitzis_audio_engine_new (), RATE / 4);
  g_autoptr (GError) error = NULL;

  for (guint k = 0; k < 4; k++)
    g_assert_true (flitzis_audio_engine_load_sample (engine, k, scenario.paths[k % 2], &error));
  g_assert_true (flitzis_audio_engine_set_sample_loop (engine, 1, TRUE, 0, 0, &error));
  g_assert_true (flitzis_audio_engine_set_sample_loop (engine, 3, TRUE, 50, 600, &error));
  rt_reset ();
  for (guint i = 0; i < 60; i++)
    {
      if (i % 15 == 0)
        for (guint k = 0; k < 4; k++)
          g_assert_true (flitzis_audio_engine_play_sample (engine, k, 1.0f, &error));
      if (i % 15 == 7)
        g_assert_true (flitzis_audio_engine_set_sample_gain (engine, 1, 0.25 + (i % 2), &error));
      if (i % 15 == 11)
        g_assert_true (flitzis_audio_engine_stop_sample (engine, 3, &error));
      g_assert_no_error (error);
      flitzis_test_wait_frames (NULL, engine, PERIOD * 4);
    }
  finish_scenario (&scenario, " with settled voices");
}

/* The musical clock and the quantizer, each period: tempo changes (20 to
 * 400 BPM, and 93.7: beats of a fractional length), bars of 1 to 32
 * beats, downbeats past and to come (a count-in), the metronome and the
 * beat reports, play_sample(), play_sample_exclusive() and both stops on
 * every grid, and syncs to a playing slot of known and unknown tempo.  The
 * clock synthesises its click with exp() and cos() at run(): libm is seen
 * there, on the control thread, and never in the callback. */
static void
test_clock_is_realtime_safe (void)
{
  static const double tempos[] = { 120.0, 93.7, 20.0, 400.0, 171.25 };
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = flitzis_test_write_sample (dir, "loop.wav", RATE, 2, 3000, 1, 0.1f);
  FlitzisAudioEngine *engine = flitzis_audio_engine_new ();
  g_autoptr (GError) error = NULL;
  FlitzisMessage *message;
  guint iterations = 0;

  rt_reset ();
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_cmpuint (rt_count_total (RT_LIBM), >, 0);
  for (guint slot = 0; slot < 4; slot++)
    {
      g_assert_true (flitzis_audio_engine_load_sample (engine, slot, path, &error));
      g_assert_true (flitzis_audio_engine_set_sample_loop (engine, slot, TRUE, 0, 0, &error));
    }
  g_assert_true (flitzis_audio_engine_set_sample_tempo (engine, 1, 96.0, &error));
  g_assert_true (flitzis_audio_engine_set_sample_downbeat (engine, 1, 100, &error));
  g_assert_true (flitzis_audio_engine_set_metronome (engine, TRUE, &error));
  g_assert_true (flitzis_audio_engine_set_report_beats (engine, TRUE, &error));
  reset_counts (engine);
  while (frames_since_reset (engine) < STRESS_FRAMES / 4)
    {
      guint slot = iterations % 4;
      guint64 now = flitzis_audio_engine_get_frame_time (engine);

      flitzis_audio_engine_set_quantize (engine, (FlitzisQuantize) (iterations % 7));
      g_assert_true (flitzis_audio_engine_play_sample (engine, slot, 0.2f, &error));
      if (iterations % 5 == 0)
        g_assert_true (flitzis_audio_engine_play_sample_exclusive (engine, slot, 0.2f, &error));
      if (iterations % 3 == 0)
        g_assert_true (flitzis_audio_engine_stop_sample (engine, (slot + 2) % 4, &error));
      if (iterations % 11 == 0)
        g_assert_true (flitzis_audio_engine_stop_all (engine, &error));
      if (iterations % 4 == 0)
        g_assert_true (flitzis_audio_engine_set_tempo (engine, tempos[iterations / 4 % 5], &error));
      if (iterations % 6 == 0)
        g_assert_true (flitzis_audio_engine_set_beats_per_bar (engine, 1 + iterations % 32, &error));
      if (iterations % 9 == 0)
        g_assert_true (flitzis_audio_engine_set_downbeat_frame (engine, now + (iterations % 2 ? 9000 : 0),
                                                                &error));
      if (iterations % 8 == 0)
        {
          g_assert_true (flitzis_audio_engine_set_sample_tempo (engine, 2, iterations % 16 ? 0.0 : 120.0,
                                                                &error));
          g_assert_true (flitzis_audio_engine_sync_transport_to_sample (engine, 1 + iterations % 2,
                                                                        &error));
        }
      if (iterations % 10 == 0)
        g_assert_true (flitzis_audio_engine_set_metronome_volume (engine, iterations % 20 ? 0.5 : 1.0,
                                                                  &error));
      while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
        flitzis_message_unref (message);
      flitzis_test_wait_frames (NULL, engine, PERIOD);
      iterations++;
    }
  /* Beats and clicks off for two beats at one tempo, and on again: the
   * next beat found before is past, and is found again. */
  g_assert_true (flitzis_audio_engine_set_tempo (engine, 400.0, &error));
  g_assert_true (flitzis_audio_engine_set_report_beats (engine, FALSE, &error));
  g_assert_true (flitzis_audio_engine_set_metronome (engine, FALSE, &error));
  flitzis_test_wait_frames (NULL, engine, 2 * 7200);
  g_assert_true (flitzis_audio_engine_set_report_beats (engine, TRUE, &error));
  g_assert_true (flitzis_audio_engine_set_metronome (engine, TRUE, &error));
  flitzis_test_wait_frames (NULL, engine, 2 * 7200);
  g_test_message ("%u iterations over %lu callbacks", iterations, rt_callbacks ());
  report_counts ();
  g_assert_cmpuint (rt_callbacks (), >=, STRESS_FRAMES / 4 / PERIOD / 2);
  assert_callback_clean ("the audio callback", "", -1);
  end_scenario (engine, dir);
}

/* A slider on a thread of its own: gains as fast as the engine takes
 * them, while the audio thread applies them.  (Not the volume: each
 * change of a property from a thread other than the main context's queues
 * a notification there, and millions of them would flood it.) */
typedef struct {
  FlitzisAudioEngine *engine;
  gint stop;
  guint64 moves;
} Slider;

static gpointer
drag_slider (gpointer data)
{
  Slider *slider = data;

  while (!g_atomic_int_get (&slider->stop))
    {
      guint slot = (guint) (slider->moves * 67 % 1024);

      g_assert_true (flitzis_audio_engine_set_sample_gain (slider->engine, slot,
                                                           (slider->moves % 9) * 0.2, NULL));
      slider->moves++;
    }
  return NULL;
}

/* The parameter path, with the largest slot table: a slider thread moving
 * gains in every word of the dirty bitmap, while this thread moves the
 * volume, edits loop regions, policies and groups and triggers. */
static void
test_params_are_realtime_safe (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = flitzis_test_write_sample (dir, "pad.wav", RATE, 2, 3000, 1, 0.1f);
  FlitzisAudioEngine *engine = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "slots", 1024, NULL);
  Slider slider = { .engine = engine };
  g_autoptr (GError) error = NULL;
  FlitzisMessage *message;
  GThread *thread;
  guint iterations = 0;

  g_assert_true (flitzis_audio_engine_run (engine, &error));
  for (guint slot = 0; slot < 1024; slot += 128)
    g_assert_true (flitzis_audio_engine_load_sample (engine, slot, path, &error));
  reset_counts (engine);
  thread = g_thread_new ("slider", drag_slider, &slider);
  while (frames_since_reset (engine) < STRESS_FRAMES / 4)
    {
      guint slot = (iterations % 8) * 128;

      g_assert_true (flitzis_audio_engine_set_sample_loop (engine, slot, iterations % 3 != 0,
                                                           iterations % 100,
                                                           200 + iterations % 700, &error));
      g_assert_true (flitzis_audio_engine_set_sample_retrigger (engine, slot,
                                                                (FlitzisRetrigger) (iterations % 3),
                                                                &error));
      g_assert_true (flitzis_audio_engine_set_sample_choke_group (engine, slot, iterations % 17,
                                                                  &error));
      for (guint move = 0; move < 10; move++)
        g_assert_true (flitzis_audio_engine_set_volume (engine, 0.1 + (iterations + move) % 7 * 0.1,
                                                        &error));
      g_assert_true (flitzis_audio_engine_play_sample (engine, slot, 0.3f, &error));
      while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
        flitzis_message_unref (message);
      flitzis_test_wait_frames (NULL, engine, PERIOD);
      iterations++;
    }
  g_atomic_int_set (&slider.stop, TRUE);
  g_thread_join (thread);
  g_test_message ("%u iterations, %" G_GUINT64_FORMAT " slider moves over %lu callbacks",
                  iterations, slider.moves, rt_callbacks ());
  report_counts ();
  g_assert_cmpuint (rt_callbacks (), >=, STRESS_FRAMES / 4 / PERIOD / 2);
  g_assert_cmpuint (slider.moves, >, rt_callbacks ());
  assert_callback_clean ("the audio callback", "", -1);
  end_scenario (engine, dir);
}

/* MIDI input (issue 23): a JACK client of the test's writes note-ons,
 * note-offs, controllers of every target, program changes and malformed
 * bytes into every cycle of the engine's MIDI port; the engine's callback
 * reads them (jack_midi_get_event_count(), jack_midi_event_get()), parses
 * and maps them (fz_core_midi_input(), then fz_core_process()), while
 * injected MIDI comes through the command ring, quantized and not, and
 * the map is replaced again and again: nothing in the callback allocates,
 * frees, locks, calls the system or libm. */
static void
write_source_cycle (void *buffer, guint32 frames, guint n)
{
  const guint8 note[] = { (guint8) (n % 2 ? 0x90 : 0x80), (guint8) (36 + n % 4), 100 };
  const guint8 cc[] = { 0xb0, (guint8) (7 + n % 7), (guint8) (n % 128) };
  const guint8 program[] = { 0xc0, (guint8) (n % 3) };
  const guint8 junk[] = { 0x33, 0xf0, 1, 0xf4 };

  jack_midi_event_write (buffer, n % frames, note, sizeof note);
  jack_midi_event_write (buffer, frames - 2, cc, sizeof cc);
  if (n % 16 == 0)
    jack_midi_event_write (buffer, frames - 1, program, sizeof program);
  if (n % 5 == 0)
    jack_midi_event_write (buffer, frames - 1, junk, sizeof junk);
}

static const char *const midi_maps[] = {
  "flitzis-midi-map 1\nbank-size 2\nnote 36 slot 0 gate\nnote 37 slot 1 velocity curve 2\n"
  "note 38 slot 2 velocity fixed 0.5\nnote 39 channel 1 slot 3 gate\ncc 7 volume\n"
  "cc 8 gain 1\ncc 9 eq-low 0\ncc 10 eq-mid 1\ncc 11 eq-high 2\ncc 12 tempo\n"
  "cc 13 speed 0\nprogram 1 bank 1\n",
  "flitzis-midi-map 1\nnote 36 slot 2\nnote 36 slot 1 gate\ncc 7 volume range 0.5 1\n",
};

/* While MIDI comes in at @engine's port: 60 rounds of injected MIDI
 * (running status, a program change, a stray data byte), quantized and
 * not, the map replaced every 10th. */
static void
inject_midi (FlitzisAudioEngine *engine)
{
  static const guint8 injected[] = { 0x90, 36, 100, 37, 90, 0xb0, 7, 64, 0xc0, 1, 0x80, 36, 0,
                                     0x33 };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < 60; i++)
    {
      guint64 now = flitzis_audio_engine_get_frame_time (engine);

      if (i % 10 == 0)
        g_assert_true (flitzis_audio_engine_set_midi_map_from_string (engine, midi_maps[i / 10 % 2],
                                                                      &error));
      flitzis_audio_engine_set_quantize (engine, i % 4 == 0 ? FLITZIS_QUANTIZE_SIXTEENTH
                                                            : FLITZIS_QUANTIZE_NONE);
      g_assert_true (flitzis_audio_engine_inject_midi (engine, injected, sizeof injected,
                                                       i % 2 ? 0 : now + PERIOD + i, &error));
      g_assert_no_error (error);
      flitzis_test_wait_frames (NULL, engine, PERIOD * (1 + i % 3));
    }
}

static void
test_midi_is_realtime_safe (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = flitzis_test_write_sample (dir, "a.wav", RATE, 2, 2000, 1, 0.1f);
  FlitzisAudioEngine *engine = flitzis_audio_engine_new ();
  g_autoptr (GError) error = NULL;
  FlitzisTestJackMidiSource *source = flitzis_test_jack_midi_source_open ("rt-midi",
                                                                         write_source_cycle);

  flitzis_audio_engine_set_backend (engine, FLITZIS_BACKEND_JACK);
  flitzis_audio_engine_set_midi_input (engine, TRUE);
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  for (guint slot = 0; slot < 4; slot++)
    g_assert_true (flitzis_audio_engine_load_sample (engine, slot, path, &error));
  g_assert_true (flitzis_audio_engine_connect_midi_input (engine, "rt-midi:out", &error));
  g_assert_no_error (error);
  rt_reset ();
  inject_midi (engine);
  g_test_message ("%lu callbacks, %lu MIDI inputs", rt_callbacks (), rt_midi_inputs ());
  g_assert_cmpuint (rt_midi_inputs (), >, 60);
  report_counts ();
  assert_callback_clean ("the audio callback", " with MIDI coming in", -1);
  flitzis_audio_engine_shut_down (engine);
  g_assert_finalize_object (engine);
  flitzis_test_jack_midi_source_close (source);
}

/* Key lock and pitch (issue 17) on a live JACK stream: stretched voices
 * started, looping, seeked, pitch-shifted while they play, the property
 * switched, more of them than there are stretchers, triggers a few
 * periods ahead (their stretchers primed before their frames); no call
 * the interposer counts in the callback.  Skipped (not passed) without
 * Rubber Band. */
static void
test_keylock_is_realtime_safe (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = flitzis_test_write_sample (dir, "pad.wav", RATE, 2, 6000, 1, 0.1f);
  FlitzisAudioEngine *engine = NULL;
  g_autoptr (GError) error = NULL;
  FlitzisMessage *message;
  guint iterations = 0;

  if (!fz_stretch_supported ())
    {
      g_test_skip ("built without Rubber Band");
      return;
    }
  engine = flitzis_audio_engine_new ();
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  for (guint slot = 0; slot < 4; slot++)
    g_assert_true (flitzis_audio_engine_load_sample (engine, slot, path, &error));
  g_assert_true (flitzis_audio_engine_set_sample_key_lock (engine, 0, TRUE, &error));
  g_assert_true (flitzis_audio_engine_set_sample_pitch (engine, 1, 5.0, &error));
  g_assert_true (flitzis_audio_engine_set_sample_loop (engine, 2, TRUE, 0, 0, &error));
  g_assert_true (flitzis_audio_engine_set_key_lock (engine, TRUE, &error));
  g_assert_true (flitzis_audio_engine_set_sample_tempo (engine, 0, 120.0, &error));
  reset_counts (engine);
  while (frames_since_reset (engine) < STRESS_FRAMES / 4)
    {
      guint slot = iterations % 4;

      g_assert_true (flitzis_audio_engine_set_sample_pitch (engine, 1,
                                                            (double) (iterations % 25) - 12.0,
                                                            &error));
      g_assert_true (flitzis_audio_engine_play_sample (engine, slot, 0.1f, &error));
      /* A trigger a few periods ahead: its stretcher primed before its
       * frame; now and then cancelled (the stop below) after that. */
      if (iterations % 3 == 0)
        g_assert_true (flitzis_audio_engine_play_sample_at (
          engine, (slot + 1) % 4, 0.1f,
          flitzis_audio_engine_get_frame_time (engine) + (4 + iterations % 9) * PERIOD, &error));
      if (iterations % 7 == 3)
        g_assert_true (flitzis_audio_engine_seek_sample (engine, 2, iterations * 37 % 5000,
                                                         &error));
      /* The transport synced to the key-locked slot. */
      if (iterations % 11 == 5)
        g_assert_true (flitzis_audio_engine_sync_transport_to_sample (engine, 0, &error));
      if (iterations % 40 == 39)
        for (guint i = 0; i < FLITZIS_MAX_KEY_LOCKED_VOICES + 1; i++)
          g_assert_true (flitzis_audio_engine_play_sample (engine, 0, 0.01f, &error));
      if (iterations % 50 == 49)
        g_assert_true (flitzis_audio_engine_stop_all (engine, &error));
      while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
        flitzis_message_unref (message);
      flitzis_test_wait_frames (NULL, engine, PERIOD);
      iterations++;
    }
  g_test_message ("%u iterations over %lu callbacks", iterations, rt_callbacks ());
  report_counts ();
  g_assert_cmpuint (rt_callbacks (), >=, STRESS_FRAMES / 4 / PERIOD / 2);
  /* Rubber Band's phase vocoder calls libm (atan2, sin, cos, exp...) in
   * its process call: computation only, no allocation, lock or system
   * call, so it is allowed to the stretcher (the core's own objects call
   * no libm function: tests/layout/test-core-symbols.sh).  Counted, and
   * it must be there (the stretchers did run). */
  g_assert_cmpuint (rt_count_in_callback (RT_LIBM), >, 0);
  assert_callback_clean ("the audio callback", "", RT_LIBM);
  end_scenario (engine, dir);
}

/* The same on the native PipeWire back-end (issue 23): the engine's node
 * is a filter whose "midi_in" a MIDI source node of the test's, linked by
 * connect_midi_input(), fills every cycle (notes, a controller, malformed
 * bytes); the filter's callback takes the sequence, hands each event to
 * the core and renders into the audio ports, while injected MIDI comes
 * too and the map is replaced. */
static void
test_pipewire_midi_is_realtime_safe (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = flitzis_test_write_sample (dir, "a.wav", RATE, 2, 2000, 1, 0.1f);
  FlitzisAudioEngine *engine = flitzis_audio_engine_new ();
  g_autoptr (GError) error = NULL;
  FlitzisTestPwMidiSource *source = flitzis_test_pw_midi_source_new ();
  unsigned long inputs;

  flitzis_test_pw_midi_source_set_busy (source, TRUE);
  flitzis_audio_engine_set_backend (engine, FLITZIS_BACKEND_PIPEWIRE);
  flitzis_audio_engine_set_period_frames (engine, PERIOD);
  flitzis_audio_engine_set_midi_input (engine, TRUE);
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_no_error (error);
  for (guint slot = 0; slot < 4; slot++)
    g_assert_true (flitzis_audio_engine_load_sample (engine, slot, path, &error));
  g_assert_true (flitzis_audio_engine_connect_midi_input (engine, FLITZIS_TEST_PW_MIDI_SOURCE,
                                                          &error));
  g_assert_no_error (error);
  flitzis_test_pw_midi_source_wait_cycles (source, 4);
  rt_reset ();
  inputs = rt_midi_inputs ();
  inject_midi (engine);
  g_test_message ("%lu callbacks, %lu MIDI inputs, %lu filter buffers", rt_callbacks (),
                  rt_midi_inputs () - inputs, rt_filter_buffers ());
  /* The source's events (two or three a cycle) came through the port, not
   * only the injected ones. */
  g_assert_cmpuint (rt_midi_inputs () - inputs, >, 2 * 60);
  g_assert_cmpuint (rt_filter_buffers (), >, 60);
  report_counts ();
  assert_callback_clean ("the PipeWire filter's callback", " with MIDI coming in", -1);
  flitzis_audio_engine_shut_down (engine);
  g_assert_finalize_object (engine);
  flitzis_test_pw_midi_source_free (source);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  flitzis_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  jack = flitzis_test_jack_start (RATE, PERIOD);
  pipewire = flitzis_test_pipewire_start (RATE, PERIOD);

  g_test_add_func ("/hardening/realtime/interposer-detects", test_interposer_detects);
  g_test_add_data_func ("/hardening/realtime/callback-is-realtime-safe",
                        GINT_TO_POINTER (FLITZIS_BACKEND_JACK), test_callback_is_realtime_safe);
  g_test_add_data_func ("/hardening/realtime/pipewire/callback-is-realtime-safe",
                        GINT_TO_POINTER (FLITZIS_BACKEND_PIPEWIRE), test_callback_is_realtime_safe);
  g_test_add_func ("/hardening/realtime/pads-are-realtime-safe", test_pads_are_realtime_safe);
  g_test_add_func ("/hardening/realtime/meters-are-realtime-safe", test_meters_are_realtime_safe);
  g_test_add_func ("/hardening/realtime/clock-is-realtime-safe", test_clock_is_realtime_safe);
  g_test_add_func ("/hardening/realtime/eq-is-realtime-safe", test_eq_is_realtime_safe);
  g_test_add_func ("/hardening/realtime/speed-is-realtime-safe", test_speed_is_realtime_safe);
  g_test_add_func ("/hardening/realtime/settled-is-realtime-safe",
                   test_settled_is_realtime_safe);
  g_test_add_func ("/hardening/realtime/ramped-is-realtime-safe",
                   test_ramped_is_realtime_safe);
  g_test_add_func ("/hardening/realtime/params-are-realtime-safe",
                   test_params_are_realtime_safe);
  g_test_add_func ("/hardening/realtime/midi-is-realtime-safe", test_midi_is_realtime_safe);
  g_test_add_func ("/hardening/realtime/pipewire/midi-is-realtime-safe",
                   test_pipewire_midi_is_realtime_safe);
  g_test_add_func ("/hardening/realtime/keylock-is-realtime-safe",
                   test_keylock_is_realtime_safe);

  status = g_test_run ();
  flitzis_test_jack_stop (jack);
  flitzis_test_pipewire_stop (pipewire);
  return status;
}
