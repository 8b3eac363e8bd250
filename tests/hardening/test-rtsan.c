/* test-rtsan.c: the audio callback's scenarios, for RealtimeSanitizer
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `make check-realtime` builds the library and this program with clang's
 * -fsanitize=realtime and runs it with RTSAN_OPTIONS=halt_on_error=1: the
 * render path (fz_core_process(), and the JACK and PortAudio callbacks
 * around it) is marked nonblocking, so the first allocation, free, lock,
 * system call or I/O made while it runs aborts the process.  Each scenario
 * drives one of the callback's paths, on a live engine (JACK's real-time
 * thread, through the engine's own JACK client), on a native PipeWire
 * stream (PipeWire's data thread, on a private session) and on an offline
 * one (this thread, through flitzis_audio_engine_render()).
 *
 * The negative control makes the callback allocate, through the core's
 * test hook, and expects the sanitizer to abort: without it, a build in
 * which the sanitizer saw nothing would pass.  Built without the sanitizer
 * (plain `make check` builds but does not run this program) the control is
 * skipped and the scenarios run as ordinary tests.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <sndfile.h>
#include <jack/jack.h>
#include <jack/midiport.h>

#include "flitzis.h"
#include "core/fz-core.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-audio-engine-private.h"
#include "fz-stretch-rubberband.h"
#include "flitzis-test-jack.h"
#include "flitzis-test-pipewire.h"

#if defined(__has_feature)
# if __has_feature(realtime_sanitizer)
#  define WITH_RTSAN 1
# endif
#endif

#define RATE 48000
#define PERIOD 128

static FlitzisTestJack *jack;
static FlitzisTestPipewire *pipewire;

/* The fixture's data: where the engine plays. */
enum { OFFLINE, LIVE_JACK, LIVE_PIPEWIRE };
static char *dir;
/* Short, medium and long (half a second: voices outlive many periods). */
static char *paths[3];

typedef struct {
  FlitzisAudioEngine *engine;
  gboolean live;
  GMainContext *stalled;   /* a context nobody attached to: a stalled main loop */
} Fixture;

/* The largest tables an engine has: 1024 slots, 256 voices. */
#define WIDE 0x100

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean wide = (GPOINTER_TO_INT (data) & WIDE) != 0;

  data = GINT_TO_POINTER (GPOINTER_TO_INT (data) & ~WIDE);
  fixture->live = GPOINTER_TO_INT (data) != OFFLINE;
  if (wide && fixture->live)
    fixture->engine = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "slots", 1024, "voices", 256, NULL);
  else if (wide)
    fixture->engine = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "offline", TRUE, "sample-rate", RATE,
                                    "channels", 2, "slots", 1024, "voices", 256, NULL);
  else
    fixture->engine = fixture->live ? flitzis_audio_engine_new ()
                                    : flitzis_audio_engine_new_offline (RATE, 2);
  /* Both servers run: each engine is told which to take. */
  if (GPOINTER_TO_INT (data) == LIVE_JACK)
    flitzis_audio_engine_set_backend (fixture->engine, FLITZIS_BACKEND_JACK);
  else if (GPOINTER_TO_INT (data) == LIVE_PIPEWIRE)
    {
      flitzis_audio_engine_set_backend (fixture->engine, FLITZIS_BACKEND_PIPEWIRE);
      flitzis_audio_engine_set_period_frames (fixture->engine, PERIOD);
    }
  fixture->stalled = g_main_context_new ();
  g_assert_true (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_no_error (error);
}

/* Advances the engine by @periods periods: waits for the audio thread, or
 * renders.  @drain: let the engine take its replies meanwhile (the main
 * context runs), or not (a stalled main loop, a full reply ring). */
static void
advance (Fixture *fixture, guint periods, gboolean drain)
{
  if (fixture->live)
    {
      flitzis_test_wait_frames (drain ? NULL : fixture->stalled, fixture->engine,
                                (guint64) periods * PERIOD);
      return;
    }
  for (guint p = 0; p < periods; p++)
    {
      float out[PERIOD * 2];
      g_autoptr (GError) error = NULL;

      g_assert_true (flitzis_audio_engine_render (fixture->engine, out, PERIOD, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (out); i++)
        g_assert_true (out[i] > -64.0f && out[i] < 64.0f);
      if (drain)
        while (g_main_context_iteration (NULL, FALSE))
          ;
    }
}

static void
drain_messages (Fixture *fixture)
{
  FlitzisMessage *message;

  while ((message = flitzis_audio_engine_receive_msg (fixture->engine)) != NULL)
    flitzis_message_unref (message);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  advance (fixture, 4, TRUE);
  drain_messages (fixture);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_finalize_object (fixture->engine);
  g_main_context_unref (fixture->stalled);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

#define OK(call) G_STMT_START {                 \
    g_autoptr (GError) ok_error = NULL;         \
    gboolean ok_done = call;                    \
    g_assert_no_error (ok_error);               \
    g_assert_true (ok_done);                    \
  } G_STMT_END
#define E (&ok_error)

static void
load_all (Fixture *fixture, guint n_slots)
{
  for (guint slot = 0; slot < n_slots; slot++)
    OK (flitzis_audio_engine_load_sample (fixture->engine, slot, paths[slot % 3], E));
}

/* Three slots loaded, slot 0 looping whole and slot 1 from frame 10 to
 * 300 (seams inside periods). */
static void
load_looping (Fixture *fixture)
{
  load_all (fixture, 3);
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 0, E));
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, 1, TRUE, 10, 300, E));
}

static void
test_loads (Fixture *fixture, gconstpointer data)
{
  (void) data;
  load_all (fixture, FLITZIS_MAX_SAMPLE_SLOTS);
  for (guint slot = 0; slot < FLITZIS_MAX_SAMPLE_SLOTS; slot++)
    OK (flitzis_audio_engine_play_sample (fixture->engine, slot, 0.3f, E));
  advance (fixture, 20, TRUE);
}

static void
test_replacements (Fixture *fixture, gconstpointer data)
{
  (void) data;
  for (guint i = 0; i < 40; i++)
    {
      OK (flitzis_audio_engine_load_sample (fixture->engine, i % 4, paths[i % 3], E));
      OK (flitzis_audio_engine_play_sample (fixture->engine, i % 4, 0.3f, E));
      advance (fixture, 1, TRUE);
    }
}

static void
test_unloads (Fixture *fixture, gconstpointer data)
{
  (void) data;
  load_all (fixture, 8);
  for (guint slot = 0; slot < 8; slot++)
    OK (flitzis_audio_engine_play_sample (fixture->engine, slot, 0.3f, E));
  advance (fixture, 2, TRUE);
  for (guint slot = 0; slot < 8; slot++)
    {
      OK (flitzis_audio_engine_unload_sample (fixture->engine, slot, E));
      advance (fixture, 1, TRUE);
    }
  advance (fixture, 8, TRUE);
}

static void
test_stops (Fixture *fixture, gconstpointer data)
{
  (void) data;
  load_all (fixture, 6);
  for (guint round = 0; round < 4; round++)
    {
      for (guint slot = 0; slot < 6; slot++)
        OK (flitzis_audio_engine_play_sample (fixture->engine, slot, 0.5f, E));
      advance (fixture, 2, TRUE);
      OK (flitzis_audio_engine_stop_sample (fixture->engine, round % 6, E));
      advance (fixture, 2, TRUE);
      OK (flitzis_audio_engine_stop_all (fixture->engine, E));
      advance (fixture, 3, TRUE);
    }
}

static void
test_loops (Fixture *fixture, gconstpointer data)
{
  (void) data;
  load_looping (fixture);
  OK (flitzis_audio_engine_play_sample (fixture->engine, 0, 0.5f, E));
  OK (flitzis_audio_engine_play_sample (fixture->engine, 1, 0.5f, E));
  advance (fixture, 10, TRUE);
  /* Moved while playing, then off. */
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, 1, TRUE, 0, 100, E));
  advance (fixture, 5, TRUE);
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, FALSE, 0, 0, E));
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, 1, FALSE, 0, 0, E));
  advance (fixture, 10, TRUE);
}

static void
test_gain_ramps (Fixture *fixture, gconstpointer data)
{
  (void) data;
  load_all (fixture, 3);
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, 2, TRUE, 0, 0, E));
  for (guint i = 0; i < 12; i++)
    {
      OK (flitzis_audio_engine_play_sample (fixture->engine, i % 3, 0.7f, E));
      OK (flitzis_audio_engine_set_sample_gain (fixture->engine, i % 3, (i % 5) * 0.9, E));
      OK (flitzis_audio_engine_set_volume (fixture->engine, (i % 4) * 0.3, E));
      advance (fixture, 1, TRUE);
    }
  advance (fixture, 4, TRUE);
}

/* The settled voices' fast path (fz-mixer-settled.c): looping and
 * one-shot voices settle, run periods on the fast path (across loop seams,
 * to a sample's end), leave it for a gain change and a stop and come
 * back. */
static void
test_settled (Fixture *fixture, gconstpointer data)
{
  (void) data;
  load_looping (fixture);
  for (guint slot = 0; slot < 3; slot++)
    OK (flitzis_audio_engine_play_sample (fixture->engine, slot, 1.0f, E));
  advance (fixture, 20, TRUE);
  OK (flitzis_audio_engine_set_sample_gain (fixture->engine, 1, 0.5, E));
  advance (fixture, 10, TRUE);
  OK (flitzis_audio_engine_stop_sample (fixture->engine, 0, E));
  OK (flitzis_audio_engine_play_sample (fixture->engine, 2, 0.8f, E));
  advance (fixture, 20, TRUE);
}

/* The ramping voices' batched path (fz-mixer-ramped.c): looping voices
 * whose slots' gains and the master's ramp every period, ramps that end
 * mid-period, loop seams inside periods, a one-shot to its end. */
static void
test_ramped (Fixture *fixture, gconstpointer data)
{
  (void) data;
  load_all (fixture, 6);
  for (guint slot = 0; slot < 6; slot += 2)
    OK (flitzis_audio_engine_set_sample_loop (fixture->engine, slot, TRUE, 0, 0, E));
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, 5, TRUE, 10, 300, E));
  for (guint slot = 0; slot < 6; slot++)
    OK (flitzis_audio_engine_play_sample (fixture->engine, slot, 0.5f + 0.1f * slot, E));
  for (guint i = 0; i < 24; i++)
    {
      for (guint slot = 0; slot < 6; slot++)
        if ((i + slot) % 3 != 0)
          OK (flitzis_audio_engine_set_sample_gain (fixture->engine, slot,
                                                    0.25 + 0.125 * ((i + slot) % 5), E));
      if (i % 2 == 0)
        OK (flitzis_audio_engine_set_volume (fixture->engine, 0.5 + 0.25 * (i % 3), E));
      advance (fixture, 1, TRUE);
    }
  advance (fixture, 4, TRUE);
}

/* Every pad command, on every policy: retrigger crossfades, toggles,
 * choke groups, exclusive triggers (now and scheduled), pause, resume,
 * seek and live loop edits. */
static void
test_pads (Fixture *fixture, gconstpointer data)
{
  (void) data;
  load_all (fixture, 6);
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 0, E));
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, 7, TRUE, 10, 90, E));
  OK (flitzis_audio_engine_set_sample_retrigger (fixture->engine, 0, FLITZIS_RETRIGGER_RESTART, E));
  OK (flitzis_audio_engine_set_sample_retrigger (fixture->engine, 1, FLITZIS_RETRIGGER_TOGGLE, E));
  OK (flitzis_audio_engine_set_sample_choke_group (fixture->engine, 2, 1, E));
  OK (flitzis_audio_engine_set_sample_choke_group (fixture->engine, 3, 1, E));
  for (guint i = 0; i < 16; i++)
    {
      guint64 now = flitzis_audio_engine_get_frame_time (fixture->engine);

      OK (flitzis_audio_engine_play_sample (fixture->engine, i % 4, 0.5f, E));
      OK (flitzis_audio_engine_play_sample_at (fixture->engine, (i + 1) % 4, 0.5f,
                                               now + PERIOD + 17 * i, E));
      if (i % 5 == 4)
        OK (flitzis_audio_engine_play_sample_exclusive (fixture->engine, 4 + i % 2, 0.5f, E));
      if (i % 4 == 1)
        OK (flitzis_audio_engine_pause_sample (fixture->engine, 0, E));
      if (i % 4 == 3)
        OK (flitzis_audio_engine_resume_sample (fixture->engine, 0, E));
      OK (flitzis_audio_engine_seek_sample (fixture->engine, 0, (guint64) i * 7 % 100, E));
      OK (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, i, 50 + i * 3, E));
      advance (fixture, 1, TRUE);
    }
  OK (flitzis_audio_engine_stop_all (fixture->engine, E));
  advance (fixture, 4, TRUE);
}

/* The parameter path: a thousand slider moves a period (gains and the
 * volume), loop regions, policies and groups, on slots in every word of
 * a 1024-slot engine's dirty bitmap, with triggers queued behind them. */
static void
test_params (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_finalize_object (fixture->engine);
  fixture->engine = fixture->live
    ? g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "slots", 1024, NULL)
    : g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "offline", TRUE, "sample-rate", RATE,
                    "channels", 2, "slots", 1024, NULL);
  g_assert_true (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_no_error (error);
  for (guint slot = 0; slot < 1024; slot += 100)
    flitzis_test_load_ok (fixture->engine, slot, paths[slot % 3]);
  for (guint i = 0; i < 12; i++)
    {
      for (guint move = 0; move < 1000; move++)
        {
          guint slot = (move * 67 + i) % 1024;

          OK (flitzis_audio_engine_set_sample_gain (fixture->engine, slot, (move % 9) * 0.2, E));
          OK (flitzis_audio_engine_set_volume (fixture->engine, 0.1 + (move % 7) * 0.1, E));
          if (move % 10 == 0)
            {
              OK (flitzis_audio_engine_set_sample_loop (fixture->engine, slot, move % 20 == 0,
                                                        move % 50, 60 + move % 900, E));
              OK (flitzis_audio_engine_set_sample_retrigger (fixture->engine, slot,
                                                             (FlitzisRetrigger) (move % 3), E));
              OK (flitzis_audio_engine_set_sample_choke_group (fixture->engine, slot,
                                                               move % 17, E));
            }
        }
      OK (flitzis_audio_engine_play_sample (fixture->engine, (i % 11) * 100, 0.5f, E));
      advance (fixture, 1, TRUE);
    }
  OK (flitzis_audio_engine_stop_all (fixture->engine, E));
  advance (fixture, 4, TRUE);
}

static void
test_scheduled_triggers (Fixture *fixture, gconstpointer data)
{
  guint64 now;

  (void) data;
  load_all (fixture, 3);
  now = flitzis_audio_engine_get_frame_time (fixture->engine);
  /* Mid-period, later, already late, and more than the schedule holds
   * (the rest are dropped, counted): more than the command ring holds
   * too, so they go in two bursts. */
  for (guint i = 0; i < FZ_SCHEDULE_CAPACITY + 76; i++)
    {
      OK (flitzis_audio_engine_play_sample_at (fixture->engine, i % 3, 0.2f,
                                               now + 37 + (guint64) i * 13, E));
      if (i == FZ_SCHEDULE_CAPACITY / 2)
        advance (fixture, 1, TRUE);
    }
  OK (flitzis_audio_engine_play_sample_at (fixture->engine, 0, 0.2f, 0, E));
  advance (fixture, 40, TRUE);
  OK (flitzis_audio_engine_stop_all (fixture->engine, E));
  advance (fixture, 2, TRUE);
  g_assert_cmpuint (flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_voices), >, 0);
}

/* The musical clock and the quantizer: tempo changes (93.7 BPM: beats of
 * a fractional length; 20 and 400), bars of 1 to 32 beats, downbeats past
 * and to come, the metronome and beat reports with nobody taking them
 * (a full reply ring), triggers and stops on every grid, a full schedule
 * of quantized triggers, syncs to a playing slot of known and unknown
 * tempo and to one seeked past its downbeat (a downbeat before frame 0). */
static void
test_clock (Fixture *fixture, gconstpointer data)
{
  static const double tempos[] = { 93.7, 20.0, 400.0, 120.0 };
  FlitzisAudioEngine *engine = fixture->engine;

  (void) data;
  load_all (fixture, 3);
  OK (flitzis_audio_engine_set_sample_loop (engine, 2, TRUE, 0, 0, E));
  OK (flitzis_audio_engine_set_sample_tempo (engine, 2, 100.0, E));
  OK (flitzis_audio_engine_set_sample_downbeat (engine, 2, 50, E));
  OK (flitzis_audio_engine_set_metronome (engine, TRUE, E));
  OK (flitzis_audio_engine_set_metronome_volume (engine, 0.5, E));
  OK (flitzis_audio_engine_set_report_beats (engine, TRUE, E));
  for (guint i = 0; i < 28; i++)
    {
      guint64 now = flitzis_audio_engine_get_frame_time (engine);

      flitzis_audio_engine_set_quantize (engine, (FlitzisQuantize) (i % 7));
      OK (flitzis_audio_engine_play_sample (engine, i % 3, 0.2f, E));
      OK (flitzis_audio_engine_play_sample_exclusive (engine, 2, 0.2f, E));
      OK (flitzis_audio_engine_stop_sample (engine, (i + 1) % 3, E));
      if (i % 4 == 3)
        OK (flitzis_audio_engine_stop_all (engine, E));
      OK (flitzis_audio_engine_set_tempo (engine, tempos[i % 4], E));
      OK (flitzis_audio_engine_set_beats_per_bar (engine, 1 + (i * 5) % 32, E));
      OK (flitzis_audio_engine_set_downbeat_frame (engine, i % 2 ? now + 5000 : now / 2, E));
      OK (flitzis_audio_engine_play_sample (engine, 2, 0.2f, E));
      if (i % 7 == 5)
        OK (flitzis_audio_engine_seek_sample (engine, 2, 23000, E));
      OK (flitzis_audio_engine_set_sample_tempo (engine, 2, i % 3 ? 100.0 : 0.0, E));
      OK (flitzis_audio_engine_sync_transport_to_sample (engine, 2, E));
      OK (flitzis_audio_engine_sync_transport_to_sample (engine, 1, E));
      advance (fixture, 3, i % 2 == 0);
    }
  /* Beats and clicks off for two beats and on again: the next beat found
   * before is past, and is found again. */
  OK (flitzis_audio_engine_set_tempo (engine, 400.0, E));
  OK (flitzis_audio_engine_set_report_beats (engine, FALSE, E));
  OK (flitzis_audio_engine_set_metronome (engine, FALSE, E));
  advance (fixture, 120, TRUE);
  OK (flitzis_audio_engine_set_report_beats (engine, TRUE, E));
  advance (fixture, 120, TRUE);
  OK (flitzis_audio_engine_set_metronome (engine, TRUE, E));
  /* A full schedule of quantized triggers, in two bursts. */
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_BAR);
  OK (flitzis_audio_engine_set_tempo (engine, 20.0, E));
  for (guint i = 0; i < FZ_SCHEDULE_CAPACITY + 10; i++)
    {
      OK (flitzis_audio_engine_play_sample (engine, i % 3, 0.1f, E));
      if (i == FZ_SCHEDULE_CAPACITY / 2)
        advance (fixture, 1, TRUE);
    }
  OK (flitzis_audio_engine_stop_sample (engine, 0, E));
  advance (fixture, 2, TRUE);
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_NONE);
  OK (flitzis_audio_engine_stop_all (engine, E));
  advance (fixture, 4, TRUE);
  g_assert_cmpuint (flitzis_test_count (engine, flitzis_engine_stats_get_dropped_voices), >, 0);
}

static guint
burst_of_pings (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  guint sent = 0;

  while (flitzis_audio_engine_ping (fixture->engine, &error))
    sent++;
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL);
  return sent;
}

static void
test_full_command_ring (Fixture *fixture, gconstpointer data)
{
  (void) data;
  load_all (fixture, 2);
  OK (flitzis_audio_engine_play_sample (fixture->engine, 0, 0.5f, E));
  /* Two loads and a trigger are queued already. */
  if (fixture->live)   /* the audio thread takes commands meanwhile */
    g_assert_cmpuint (burst_of_pings (fixture), >=, FLITZIS_QUEUE_CAPACITY - 3);
  else
    g_assert_cmpuint (burst_of_pings (fixture), ==, FLITZIS_QUEUE_CAPACITY - 3);
  advance (fixture, 2, TRUE);
}

static void
test_full_reply_ring (Fixture *fixture, gconstpointer data)
{
  (void) data;
  load_all (fixture, 3);
  /* A full command ring of pings answered at once, and nobody takes the
   * replies (every command sent takes them first, so none is sent): the
   * voices' events find the reply ring full. */
  for (guint burst = 0; burst < 3; burst++)
    {
      for (guint slot = 0; slot < 3; slot++)
        OK (flitzis_audio_engine_play_sample (fixture->engine, slot, 0.3f, E));
      burst_of_pings (fixture);
      advance (fixture, 3, FALSE);
    }
  g_assert_cmpuint (flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_replies)
                    + flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_events), >, 0);
  advance (fixture, 2, TRUE);
}

static void
test_retirement_saturation (Fixture *fixture, gconstpointer data)
{
  guint loads = 0;

  (void) data;
  /* Slot 0 replaced again and again while voices play its versions.
   * Through the engine the retiring list never fills (every command sent
   * takes the replies first, so the hand-backs find room), see
   * /hardening/rtsan/core/retirement-saturation for the full list. */
  for (guint i = 0; i < 3 * FZ_RETIRE_CAPACITY; i++)
    {
      g_autoptr (GError) error = NULL;

      if (flitzis_audio_engine_load_sample (fixture->engine, 0, paths[2], &error))
        loads++;
      else
        g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL);
      g_clear_error (&error);
      if (!flitzis_audio_engine_play_sample (fixture->engine, 0, 0.05f, &error))
        g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL);
      if (i % 4 == 0)
        advance (fixture, 1, FALSE);
    }
  g_test_message ("%u replacements queued", loads);
  g_assert_cmpuint (loads, >, FZ_RETIRE_CAPACITY);
  OK (flitzis_audio_engine_stop_all (fixture->engine, E));
  advance (fixture, 8, TRUE);
}

/* The meters at changing rates over loops, stops, replacements, gain
 * ramps, crossfades (restart and seek) and pauses, on the engine's last
 * six slots (of 1024 in the wide scenario: the meter's per-slot arrays
 * are the engine's), and a stalled main loop that lets the meter ring
 * fill (dropped, counted). */
static void
test_meters (Fixture *fixture, gconstpointer data)
{
  guint base = flitzis_audio_engine_get_slots (fixture->engine) - 6;
  g_autoptr (FlitzisEngineStats) stats = NULL;
  g_autoptr (FlitzisLevels) levels = NULL;

  (void) data;
  for (guint k = 0; k < 6; k++)
    OK (flitzis_audio_engine_load_sample (fixture->engine, base + k, paths[k % 3], E));
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, base + 2, TRUE, 0, 0, E));
  OK (flitzis_audio_engine_set_sample_retrigger (fixture->engine, base + 2,
                                                 FLITZIS_RETRIGGER_RESTART, E));
  for (guint i = 0; i < 12; i++)
    {
      guint slot = base + i % 6;

      OK (flitzis_audio_engine_set_meter_rate (fixture->engine, 120 - i * 10, E));
      OK (flitzis_audio_engine_play_sample (fixture->engine, slot, 0.5f, E));
      OK (flitzis_audio_engine_play_sample (fixture->engine, base + 2, 0.5f, E));
      OK (flitzis_audio_engine_set_sample_gain (fixture->engine, slot, (i % 3) * 0.5, E));
      OK (flitzis_audio_engine_seek_sample (fixture->engine, base + 2, (guint64) i * 11 % 90, E));
      if (i % 4 == 3)
        OK (flitzis_audio_engine_stop_sample (fixture->engine, base + (i + 1) % 6, E));
      if (i % 4 == 1)
        OK (flitzis_audio_engine_pause_sample (fixture->engine, base + 2, E));
      if (i % 4 == 2)
        OK (flitzis_audio_engine_resume_sample (fixture->engine, base + 2, E));
      if (i % 5 == 4)
        OK (flitzis_audio_engine_load_sample (fixture->engine, slot, paths[i % 3], E));
      advance (fixture, 3, TRUE);
      g_clear_pointer (&levels, flitzis_levels_unref);
      levels = flitzis_audio_engine_get_levels (fixture->engine);
    }
  OK (flitzis_audio_engine_set_meter_rate (fixture->engine, 120, E));
  advance (fixture, 90, FALSE);
  stats = flitzis_audio_engine_get_stats (fixture->engine);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_levels (stats), >, 0);
  g_clear_pointer (&levels, flitzis_levels_unref);
  levels = flitzis_audio_engine_get_levels (fixture->engine);
  g_assert_nonnull (levels);
  g_assert_cmpuint (flitzis_levels_get_n_slots (levels), ==, base + 6);
  OK (flitzis_audio_engine_set_meter_rate (fixture->engine, 0, E));
  advance (fixture, 2, TRUE);
}

/* The isolator (issue 18): slots going from flat to not and back while
 * their voices loop, stop, crossfade and end, glides overlapping, every
 * band killed, the meters on (measured on the slot buses), the volume
 * ramping (the buses mixed at its ramp), the last slot of the wide
 * scenario's 1024, and the filters ringing on once the voices are gone. */
static void
test_eq (Fixture *fixture, gconstpointer data)
{
  guint base = flitzis_audio_engine_get_slots (fixture->engine) - 4;

  (void) data;
  for (guint k = 0; k < 4; k++)
    OK (flitzis_audio_engine_load_sample (fixture->engine, base + k, paths[k % 3], E));
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, base + 1, TRUE, 0, 0, E));
  OK (flitzis_audio_engine_set_sample_retrigger (fixture->engine, base + 1,
                                                 FLITZIS_RETRIGGER_RESTART, E));
  OK (flitzis_audio_engine_set_meter_rate (fixture->engine, 120, E));
  for (guint i = 0; i < 16; i++)
    {
      guint slot = base + i % 4;
      double db = i % 3 == 0 ? 0.0 : -60.0 + i * 4.0;

      OK (flitzis_audio_engine_set_sample_eq (fixture->engine, slot, db, i % 2 ? 6.0 : 0.0,
                                              i % 5 == 0 ? -60.0 : 0.0, E));
      OK (flitzis_audio_engine_play_sample (fixture->engine, slot, 0.5f, E));
      OK (flitzis_audio_engine_play_sample (fixture->engine, base + 1, 0.5f, E));
      OK (flitzis_audio_engine_set_volume (fixture->engine, 0.5 + (i % 3) * 0.25, E));
      if (i % 4 == 3)
        OK (flitzis_audio_engine_stop_sample (fixture->engine, base + 1, E));
      if (i % 6 == 5)
        OK (flitzis_audio_engine_load_sample (fixture->engine, slot, paths[i % 3], E));
      advance (fixture, 1 + i % 3, TRUE);
    }
  OK (flitzis_audio_engine_stop_all (fixture->engine, E));
  advance (fixture, 8, TRUE);
  for (guint k = 0; k < 4; k++)
    OK (flitzis_audio_engine_set_sample_eq (fixture->engine, base + k, 0.0, 0.0, 0.0, E));
  advance (fixture, 4, TRUE);
  OK (flitzis_audio_engine_set_meter_rate (fixture->engine, 0, E));
}

/* MIDI (issue 23): injected MIDI of every kind (notes mapped and not,
 * gates, running status, every controller target, program changes
 * switching banks, SysEx whole and truncated, stray and undefined bytes)
 * through the map, quantized and not, while the map is replaced under
 * the audio thread again and again (it takes each new one and lets the
 * old go, which this thread frees). */
static const char *const midi_maps[] = {
  "flitzis-midi-map 1\nbank-size 2\nnote 36 slot 0 gate\nnote 37 channel 2 slot 1 velocity "
  "curve 2\nnote 38 slot 2 velocity fixed 0.5\ncc 7 volume\ncc 8 gain 1\ncc 9 eq-low 0\n"
  "cc 10 eq-mid 1\ncc 11 eq-high 2\ncc 12 tempo\ncc 13 speed 0\nprogram 1 bank 1\n",
  "flitzis-midi-map 1\nnote 36 slot 2\nnote 36 slot 1 gate\ncc 7 volume range 0.5 1\n",
  "flitzis-midi-map 1\n",
};

static void
test_midi (Fixture *fixture, gconstpointer data)
{
  static const guint8 bytes[] = {
    0x90, 36, 100, 37, 90, 0x91, 37, 64, 0x90, 38, 1, 0x80, 36, 0, 0xb0, 7, 100, 8, 20, 9, 64,
    10, 0, 11, 127, 12, 64, 13, 3, 0xc0, 1, 0x90, 36, 127, 0xc0, 0, 0xf0, 1, 2, 3, 0xf7, 0x33,
    0xf0, 5, 0x90, 38, 4, 0xf4, 0xf9, 0xe0, 0, 64, 0xd0, 5, 0xa0, 36, 1, 0xf8, 0x90, 36, 0,
  };

  (void) data;
  load_all (fixture, 4);
  for (guint i = 0; i < 24; i++)
    {
      guint64 now = flitzis_audio_engine_get_frame_time (fixture->engine);

      OK (flitzis_audio_engine_set_midi_map_from_string (fixture->engine,
                                                         midi_maps[i % G_N_ELEMENTS (midi_maps)],
                                                         E));
      flitzis_audio_engine_set_quantize (fixture->engine, i % 3 == 0 ? FLITZIS_QUANTIZE_SIXTEENTH
                                                                     : FLITZIS_QUANTIZE_NONE);
      OK (flitzis_audio_engine_inject_midi (fixture->engine, bytes, sizeof bytes,
                                            i % 2 ? 0 : now + PERIOD + i * 7, E));
      advance (fixture, 1 + i % 3, i % 4 != 0);
    }
  flitzis_audio_engine_set_quantize (fixture->engine, FLITZIS_QUANTIZE_NONE);
  advance (fixture, 8, TRUE);
}

/* The JACK back-end's MIDI port: a client of the test's writes a note-on,
 * a controller and malformed bytes into every cycle, which the engine's
 * callback reads (jack_midi_get_event_count(), jack_midi_event_get())
 * and hands to the core in the same cycle. */
static void
write_source_cycle (void *buffer, guint32 frames, guint n)
{
  const guint8 note[] = { 0x90, (guint8) (36 + n % 3), (guint8) (n % 2 ? 100 : 0) };
  const guint8 cc[] = { 0xb0, 7, (guint8) (n % 128) };
  const guint8 junk[] = { 0x33, 0xf0, 1 };

  jack_midi_event_write (buffer, n % frames, note, sizeof note);
  jack_midi_event_write (buffer, frames - 1, cc, sizeof cc);
  if (n % 5 == 0)
    jack_midi_event_write (buffer, frames - 1, junk, sizeof junk);
}

/* @engine (its back-end chosen) with MIDI input, running, slots 0 to 2
 * loaded and the first map set: ready for its port to be connected. */
static void
start_midi_port (FlitzisAudioEngine *engine)
{
  g_autoptr (GError) error = NULL;

  flitzis_audio_engine_set_midi_input (engine, TRUE);
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_no_error (error);
  for (guint slot = 0; slot < 3; slot++)
    OK (flitzis_audio_engine_load_sample (engine, slot, paths[slot], E));
  OK (flitzis_audio_engine_set_midi_map_from_string (engine, midi_maps[0], E));
}

/* With @engine's port connected to a source: 64 periods on each of two
 * maps, and the malformed bytes the source sent counted. */
static void
check_midi_port (FlitzisAudioEngine *engine)
{
  g_autoptr (FlitzisEngineStats) stats = NULL;

  flitzis_test_wait_frames (NULL, engine, 64 * PERIOD);
  OK (flitzis_audio_engine_set_midi_map_from_string (engine, midi_maps[1], E));
  flitzis_test_wait_frames (NULL, engine, 64 * PERIOD);
  stats = flitzis_audio_engine_get_stats (engine);
  /* The stray data bytes and truncated SysEx arrived, and were counted. */
  g_assert_cmpuint (flitzis_engine_stats_get_midi_errors (stats), >, 0);
}

static void
test_midi_port (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  FlitzisTestJackMidiSource *source = flitzis_test_jack_midi_source_open ("rtsan-midi",
                                                                         write_source_cycle);

  flitzis_audio_engine_set_backend (engine, FLITZIS_BACKEND_JACK);
  start_midi_port (engine);
  OK (flitzis_audio_engine_connect_midi_input (engine, "rtsan-midi:out", E));
  check_midi_port (engine);
  flitzis_audio_engine_shut_down (engine);
  flitzis_test_jack_midi_source_close (source);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* The native PipeWire back-end's MIDI port (issue 23): the engine's node
 * is a filter; a MIDI source node of the test's, linked to its "midi_in"
 * by connect_midi_input(), writes a note-on, a controller and malformed
 * bytes into every cycle, which on_filter_process() dequeues, walks (a
 * spa_pod_sequence) and hands to the core before it renders. */
static void
test_pipewire_midi_port (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  FlitzisTestPwMidiSource *source = flitzis_test_pw_midi_source_new ();

  flitzis_test_pw_midi_source_set_busy (source, TRUE);
  flitzis_audio_engine_set_backend (engine, FLITZIS_BACKEND_PIPEWIRE);
  flitzis_audio_engine_set_period_frames (engine, PERIOD);
  start_midi_port (engine);
  OK (flitzis_audio_engine_connect_midi_input (engine, FLITZIS_TEST_PW_MIDI_SOURCE, E));
  flitzis_test_pw_midi_source_wait_cycles (source, 8);
  check_midi_port (engine);
  flitzis_audio_engine_shut_down (engine);
  flitzis_test_pw_midi_source_free (source);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* The core directly: more events than the inbox holds, and maps replaced
 * while it is full. */
static void
test_core_midi_inbox (void)
{
  FzCore *core = fz_core_new (RATE, 2);
  const guint8 note[] = { 0x90, 36, 100 };
  float out[PERIOD * 2];
  FzMsg reply;

  for (guint p = 0; p < 8; p++)
    {
      fz_core_set_midi_map (core, fz_midi_map_new ());
      for (guint i = 0; i < FZ_MIDI_INBOX_CAPACITY + 10; i++)
        fz_core_midi_input (core, note, sizeof note, (p + 1) * PERIOD + i % (2 * PERIOD));
      fz_core_process (core, out, PERIOD, 0);
      while (fz_core_receive (core, &reply))
        fz_sample_unref (reply.sample);
    }
  g_assert_cmpuint (fz_core_get_midi_dropped (core), >, 0);
  fz_core_free (core);
}

/* Speed (issue 17): voices at many speeds, looping (taps across the loop
 * seam, from the scratch block) and ending (taps past the sample's end),
 * glides overlapping as the engine's and the slots' speeds change every
 * few periods, a slot on its isolator's bus, the meters on, and a
 * tempo-locked loop while the tempo changes; then all back to 1.0. */
static void
test_speed (Fixture *fixture, gconstpointer data)
{
  static const double speeds[] = { 0.25, 0.8, 1.0, 1.25, 2.0, 4.0, 1.5 };
  static const double tempos[] = { 93.7, 140.0, 60.0, 400.0, 20.0 };
  guint base = flitzis_audio_engine_get_slots (fixture->engine) - 4;

  (void) data;
  for (guint k = 0; k < 4; k++)
    OK (flitzis_audio_engine_load_sample (fixture->engine, base + k, paths[k % 3], E));
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, base + 1, TRUE, 0, 0, E));
  OK (flitzis_audio_engine_set_sample_loop (fixture->engine, base + 2, TRUE, 100, 2000, E));
  OK (flitzis_audio_engine_set_sample_tempo (fixture->engine, base + 2, 120.0, E));
  OK (flitzis_audio_engine_set_sample_eq (fixture->engine, base + 3, -6.0, 0.0, 3.0, E));
  OK (flitzis_audio_engine_set_meter_rate (fixture->engine, 120, E));
  flitzis_audio_engine_set_tempo_lock (fixture->engine, TRUE);
  for (guint i = 0; i < 20; i++)
    {
      guint slot = base + i % 4;

      OK (flitzis_audio_engine_set_sample_speed (fixture->engine, slot, speeds[i % 7], E));
      OK (flitzis_audio_engine_set_speed (fixture->engine, speeds[(i + 3) % 7], E));
      OK (flitzis_audio_engine_set_tempo (fixture->engine, tempos[i % 5], E));
      OK (flitzis_audio_engine_play_sample (fixture->engine, slot, 0.5f, E));
      if (i % 5 == 4)
        OK (flitzis_audio_engine_stop_sample (fixture->engine, base + 1, E));
      if (i % 6 == 5)
        flitzis_audio_engine_set_tempo_lock (fixture->engine, i % 12 != 11);
      advance (fixture, 1 + i % 3, TRUE);
    }
  OK (flitzis_audio_engine_set_speed (fixture->engine, 1.0, E));
  for (guint k = 0; k < 4; k++)
    OK (flitzis_audio_engine_set_sample_speed (fixture->engine, base + k, 1.0, E));
  flitzis_audio_engine_set_tempo_lock (fixture->engine, FALSE);
  advance (fixture, 4, TRUE);
  OK (flitzis_audio_engine_stop_all (fixture->engine, E));
  advance (fixture, 4, TRUE);
  OK (flitzis_audio_engine_set_meter_rate (fixture->engine, 0, E));
}

/* The core driven directly, as the engine cannot: the reply ring full of
 * pongs nobody takes, so nothing can be handed back, then more
 * replacements of a slot whose voices play than the retiring list holds:
 * it fills, the rest wait in the command ring, and everything comes back
 * once the replies are taken. */
static void
test_core_retirement_saturation (void)
{
  FzCore *core = fz_core_new (RATE, 2);
  FzMsg ping = { .type = FZ_CMD_PING }, reply;
  float out[PERIOD * 2];
  guint sent = 0, retired = 0;

  for (guint i = 0; i < FZ_RING_CAPACITY; i++)
    g_assert_true (fz_core_send (core, &ping));
  fz_core_process (core, out, PERIOD, 0);
  for (guint i = 0; i < FZ_RETIRE_CAPACITY + 8; i++)
    {
      FzSample *sample = fz_sample_new (RATE, 2, RATE);
      FzMsg load = { .type = FZ_CMD_LOAD, .slot = 0, .sample = sample };
      FzMsg play = { .type = FZ_CMD_PLAY, .slot = 0, .gain = 0.1f };

      for (gsize f = 0; f < (gsize) RATE * 2; f++)
        sample->data[f] = 0.01f;
      g_assert_true (fz_core_send (core, &load));
      g_assert_true (fz_core_send (core, &play));
      sent++;
      fz_core_process (core, out, PERIOD, 0);
    }
  g_assert_cmpuint (core->n_retiring, ==, FZ_RETIRE_CAPACITY);
  g_assert_true (fz_ring_has_data (core->commands));
  /* The replies taken, retirement and commands go on. */
  for (guint p = 0; p < 2 * RATE / PERIOD && (retired < sent - 1 || core->n_retiring > 0); p++)
    {
      while (fz_core_receive (core, &reply))
        if (reply.type == FZ_REPLY_RETIRE)
          {
            fz_sample_unref (reply.sample);
            retired++;
          }
      fz_core_process (core, out, PERIOD, 0);
    }
  g_assert_cmpuint (retired, ==, sent - 1);
  fz_core_free (core);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* A core that took over a stopped core's slots (a reconnection,
 * fz_core_adopt()) runs like any other: the adopted samples play, the
 * loads and settings still queued to the old core are carried out in its
 * first period, and what they replace is handed back, all under the
 * sanitizer. */
static void
test_core_adopted_slots (void)
{
  FzCore *old = fz_core_new (RATE, 2), *core = fz_core_new (RATE, 2);
  float out[PERIOD * 2];
  FzMsg reply;
  guint retired = 0, started = 0;

  for (guint slot = 0; slot < 4; slot++)
    {
      FzSample *sample = fz_sample_new (3000, 2, RATE);
      FzMsg load = { .type = FZ_CMD_LOAD, .slot = slot, .sample = sample };
      FzMsg loop = { .type = FZ_CMD_SET_LOOP, .slot = slot, .flag = 1, .start = 10, .end = 2000 };

      for (gsize f = 0; f < 3000 * 2; f++)
        sample->data[f] = 0.01f;
      g_assert_true (fz_core_send (old, &load));
      g_assert_true (fz_core_send (old, &loop));
    }
  fz_core_process (old, out, PERIOD, 0);
  /* Queued, never carried out by @old: a replacement, a gain, a trigger. */
  {
    FzSample *sample = fz_sample_new (3000, 2, RATE);
    FzMsg load = { .type = FZ_CMD_LOAD, .slot = 0, .sample = sample };
    FzMsg gain = { .type = FZ_CMD_SET_GAIN, .slot = 1, .gain = 0.5f };
    FzMsg play = { .type = FZ_CMD_PLAY, .slot = 2, .gain = 1.0f };

    for (gsize f = 0; f < 3000 * 2; f++)
      sample->data[f] = 0.02f;
    g_assert_true (fz_core_send (old, &load));
    g_assert_true (fz_core_send (old, &gain));
    g_assert_true (fz_core_send (old, &play));
  }
  g_assert_cmpuint (fz_core_adopt (core, old), ==, 1);
  fz_core_free (old);
  /* Fewer triggers than voices: the looping voices all play on. */
  for (guint p = 0; p < 20; p++)
    {
      FzMsg play = { .type = FZ_CMD_PLAY, .slot = p % 4, .gain = 0.5f };

      g_assert_true (fz_core_send (core, &play));
      fz_core_process (core, out, PERIOD, 0);
      while (fz_core_receive (core, &reply))
        if (reply.type == FZ_REPLY_RETIRE)
          {
            fz_sample_unref (reply.sample);
            retired++;
          }
        else if (reply.type == FZ_REPLY_STARTED)
          started++;
    }
  /* The replaced sample of slot 0 came back; every trigger played. */
  g_assert_cmpuint (retired, ==, 1);
  g_assert_cmpuint (started, ==, 20);
  g_assert_true (core->mixer.slots[2].loop);
  g_assert_cmpuint (core->mixer.slots[2].loop_start, ==, 10);
  g_assert_cmpfloat (core->mixer.slots[1].gain.target, ==, 0.5f);
  fz_core_free (core);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* The engine's own underrun, on JACK's thread: one callback busy for three
 * periods, timed by the callback itself (fz-jack.c), then counted and
 * replied by the core.  And both underrun flags through the core alone. */
static void
test_late_callback (Fixture *fixture, gconstpointer data)
{
  (void) data;
  flitzis_test_stall_next_period (3 * PERIOD * 1000 / RATE);
  g_assert_true (flitzis_test_wait_count (fixture->engine, flitzis_engine_stats_get_underruns, 1, 5000));
  advance (fixture, 4, TRUE);
  fz_core_set_test_hook (NULL);
}

static void
test_core_underrun_flags (void)
{
  FzCore *core = fz_core_new (RATE, 2);
  float out[PERIOD * 2];
  FzMsg reply;

  for (guint p = 0; p < 4; p++)
    fz_core_process (core, out, PERIOD, FZ_PROCESS_UNDERRUN | (p % 2 ? FZ_PROCESS_OWN_UNDERRUN : 0));
  g_assert_cmpuint (fz_core_get_xruns (core), ==, 4);
  g_assert_cmpuint (fz_core_get_underruns (core), ==, 2);
  while (fz_core_receive (core, &reply))
    ;
  fz_core_free (core);
}

/* The negative control. */
#ifdef WITH_RTSAN
static void *volatile kept;

static void
allocating_hook (FzCore *core, size_t frames)
{
  (void) core; (void) frames;
  kept = malloc (64);
  free (kept);
}
#endif

static void
test_negative_control (Fixture *fixture, gconstpointer data)
{
  (void) data;
#ifndef WITH_RTSAN
  (void) fixture;
  g_test_skip ("built without RealtimeSanitizer");
#else
  if (g_test_subprocess ())
    {
      fz_core_set_test_hook (allocating_hook);
      advance (fixture, 4, TRUE);
      fz_core_set_test_hook (NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*RealtimeSanitizer*malloc*real-time context*");
#endif
}

/* Key lock and pitch (issue 17): stretched voices started (the
 * stretcher reset, padded and its delay thrown away in the callback),
 * looping, seeked (primed again), pitch-shifted up and down while they
 * play, reloaded under them, more of them than there are stretchers (the
 * 17th dropped), stopped and ending on their own, under speeds that
 * change (each stretcher's time ratio set in the callback), the transport
 * synced to one, and triggers waiting for a frame, their stretchers
 * primed ahead.  Without Rubber Band the calls refuse and nothing runs. */
static void
test_keylock (Fixture *fixture, gconstpointer data)
{
  FlitzisAudioEngine *engine = fixture->engine;
  const double speeds[] = { 1.0, 1.5, 0.7, 2.0, 1.0, 0.5 };

  (void) data;
  if (!fz_stretch_supported ())
    {
      g_test_skip ("built without Rubber Band: /engine/keylock/not-supported covers it");
      return;
    }
  for (guint k = 0; k < 4; k++)
    OK (flitzis_audio_engine_load_sample (engine, k, paths[1 + k % 2], E));
  OK (flitzis_audio_engine_set_sample_key_lock (engine, 0, TRUE, E));
  OK (flitzis_audio_engine_set_sample_pitch (engine, 1, 7.0, E));
  OK (flitzis_audio_engine_set_sample_key_lock (engine, 2, TRUE, E));
  OK (flitzis_audio_engine_set_sample_pitch (engine, 2, -12.0, E));
  OK (flitzis_audio_engine_set_key_lock (engine, TRUE, E));
  OK (flitzis_audio_engine_set_sample_loop (engine, 3, TRUE, 100, 2900, E));
  OK (flitzis_audio_engine_set_sample_tempo (engine, 0, 120.0, E));
  for (guint i = 0; i < 12; i++)
    {
      OK (flitzis_audio_engine_set_speed (engine, speeds[i % G_N_ELEMENTS (speeds)], E));
      OK (flitzis_audio_engine_play_sample (engine, i % 4, 0.2f, E));
      OK (flitzis_audio_engine_set_sample_pitch (engine, 1, (double) (i % 25) - 12.0, E));
      if (i % 3 == 1)
        OK (flitzis_audio_engine_seek_sample (engine, 3, (guint64) i * 97 % 2000, E));
      if (i % 4 == 2)
        OK (flitzis_audio_engine_load_sample (engine, i % 4, paths[1 + i % 2], E));
      if (i % 5 == 4)
        OK (flitzis_audio_engine_stop_sample (engine, i % 4, E));
      /* The transport synced to a key-locked voice off speed 1. */
      if (i % 4 == 3)
        OK (flitzis_audio_engine_sync_transport_to_sample (engine, 0, E));
      advance (fixture, 3, TRUE);
    }
  for (guint i = 0; i < FLITZIS_MAX_KEY_LOCKED_VOICES + 1; i++)
    OK (flitzis_audio_engine_play_sample (engine, 0, 0.05f, E));
  advance (fixture, 4, TRUE);
  OK (flitzis_audio_engine_stop_all (engine, E));
  advance (fixture, 8, TRUE);
  /* Triggers waiting for a frame: their stretchers primed in the periods
   * before it (fz-keylock.h), one of them cancelled after its stretcher
   * was primed (freed once its frame has passed), then taken by triggers
   * that find every other stretcher busy. */
  {
    guint64 downbeat = flitzis_audio_engine_get_frame_time (engine) + 12 * PERIOD;

    for (guint i = 0; i < 6; i++)
      OK (flitzis_audio_engine_play_sample_at (engine, i % 3, 0.05f, downbeat + i % 2, E));
    advance (fixture, 4, TRUE);
    OK (flitzis_audio_engine_stop_sample (engine, 2, E));
    for (guint i = 0; i < FLITZIS_MAX_KEY_LOCKED_VOICES; i++)
      OK (flitzis_audio_engine_play_sample (engine, 0, 0.05f, E));
    advance (fixture, 16, TRUE);
    OK (flitzis_audio_engine_stop_all (engine, E));
    advance (fixture, 8, TRUE);
  }
}

static void
add (const char *name, void (*test) (Fixture *, gconstpointer))
{
  static const char *const where[] = { "offline", "live", "pipewire" };

  for (int live = OFFLINE; live <= LIVE_PIPEWIRE; live++)
    {
      g_autofree char *path = g_strdup_printf ("/hardening/rtsan/%s/%s", where[live], name);

      g_test_add (path, Fixture, GINT_TO_POINTER (live), fixture_setup, test, fixture_teardown);
    }
}

/* The same, on engines with 1024 slots and 256 voices. */
static void
add_wide (const char *name, void (*test) (Fixture *, gconstpointer))
{
  static const char *const where[] = { "offline", "live", "pipewire" };

  for (int live = OFFLINE; live <= LIVE_PIPEWIRE; live++)
    {
      g_autofree char *path = g_strdup_printf ("/hardening/rtsan/%s/%s", where[live], name);

      g_test_add (path, Fixture, GINT_TO_POINTER (live | WIDE), fixture_setup, test,
                  fixture_teardown);
    }
}

/* The isolator's four-lane build (run_pair_narrow(), what a CPU without
 * AVX runs; this machine's engines run the eight-lane one), driven on a
 * core of three channels (a pair and a lone one): live, gliding, every
 * band killed, back to flat and given up, under the sanitizer. */
static void
test_core_eq_four_lanes (void)
{
  FzCore *core = fz_core_new (RATE, 3);
  FzSample *sample = fz_sample_new (RATE / 2, 3, RATE);
  float out[PERIOD * 3];
  FzMsg reply;
  gboolean heard = FALSE;

  core->eq.avx = false;
  for (gsize i = 0; i < (gsize) RATE / 2 * 3; i++)
    sample->data[i] = (i % 7) * 0.01f - 0.03f;
  g_assert_true (fz_core_send (core, &(FzMsg) { .type = FZ_CMD_LOAD, .slot = 0, .sample = sample }));
  g_assert_true (fz_core_send (core, &(FzMsg) { .type = FZ_CMD_SET_LOOP, .slot = 0, .flag = 1 }));
  g_assert_true (fz_core_send (core, &(FzMsg) { .type = FZ_CMD_PLAY, .slot = 0, .gain = 0.5f }));
  for (guint p = 0; p < 24; p++)
    {
      static const float gains[][3] = {
        { 0.5f, 1.0f, 2.0f }, { 0.0f, 1.0f, 1.0f }, { 0.0f, 0.0f, 0.0f }, { 1.0f, 1.0f, 1.0f },
      };

      if (p % 6 == 0)
        fz_params_set_eq (&core->params, 0, gains[p / 6][0], gains[p / 6][1], gains[p / 6][2]);
      fz_core_process (core, out, PERIOD, 0);
      if (p < 6)
        for (guint i = 0; i < PERIOD * 3; i++)
          heard = heard || out[i] != 0.0f;
      if (p == 1)
        g_assert_nonnull (core->mixer.slots[0].eq);
    }
  g_assert_true (heard);
  g_assert_null (core->mixer.slots[0].eq);
  while (fz_core_receive (core, &reply))
    if (reply.type == FZ_REPLY_RETIRE)
      fz_sample_unref (reply.sample);
  fz_core_free (core);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  dir = flitzis_test_make_tmpdir ();
  paths[0] = flitzis_test_write_sample (dir, "short.wav", RATE, 1, 100, 1, 0.2f);
  paths[1] = flitzis_test_write_sample (dir, "medium.wav", RATE, 1, 3000, 2, 0.2f);
  paths[2] = flitzis_test_write_sample (dir, "long.wav", RATE, 1, RATE / 2, 3, 0.2f);
  /* The negative control's subprocess uses the parent's server. */
  if (!g_test_subprocess ())
    {
      jack = flitzis_test_jack_start (RATE, PERIOD);
      pipewire = flitzis_test_pipewire_start (RATE, PERIOD);
    }

  add ("negative-control", test_negative_control);
  add ("loads", test_loads);
  add ("replacements", test_replacements);
  add ("unloads", test_unloads);
  add ("stop-and-stop-all", test_stops);
  add ("loops", test_loops);
  add ("gain-ramps", test_gain_ramps);
  add ("settled-voices", test_settled);
  add ("ramped-voices", test_ramped);
  add ("pads", test_pads);
  add ("params", test_params);
  add ("scheduled-triggers", test_scheduled_triggers);
  add ("clock", test_clock);
  add ("full-command-ring", test_full_command_ring);
  add ("full-reply-ring", test_full_reply_ring);
  add ("retirement-pressure", test_retirement_saturation);
  add ("meters", test_meters);
  add_wide ("meters-1024-slots", test_meters);
  add ("eq", test_eq);
  add_wide ("eq-1024-slots", test_eq);
  add ("keylock", test_keylock);
  add ("speed", test_speed);
  add_wide ("speed-1024-slots", test_speed);
  g_test_add_func ("/hardening/rtsan/core/retirement-saturation", test_core_retirement_saturation);
  g_test_add_func ("/hardening/rtsan/core/adopted-slots", test_core_adopted_slots);
  g_test_add_func ("/hardening/rtsan/core/underrun-flags", test_core_underrun_flags);
  g_test_add_func ("/hardening/rtsan/core/eq-four-lanes", test_core_eq_four_lanes);
  add ("midi", test_midi);
  g_test_add_func ("/hardening/rtsan/core/midi-inbox", test_core_midi_inbox);
  g_test_add_func ("/hardening/rtsan/live/midi-port", test_midi_port);
  g_test_add_func ("/hardening/rtsan/pipewire/midi-port", test_pipewire_midi_port);
  g_test_add ("/hardening/rtsan/live/late-callback", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_late_callback, fixture_teardown);

  status = g_test_run ();
  if (jack != NULL)
    flitzis_test_jack_stop (jack);
  if (pipewire != NULL)
    flitzis_test_pipewire_stop (pipewire);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    g_free (paths[i]);
  flitzis_test_remove_tree (dir);
  g_free (dir);
  return status;
}
