/* test-params.c: parameters take the coalescing path, offline and exact
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The volume and each slot's gain, loop region, retrigger policy and
 * choke group are parameters (core/fz-params.h): never queued on the
 * command ring, the latest value set between two periods wins, and it is
 * in effect from the first frame of the next period, for that period's
 * triggers too.  A slider moved at 1 kHz (ten thousand calls between two
 * periods here) never fails, never takes a place in the command ring and
 * never delays a trigger.
 */
#include "config.h"

#include <math.h>

#include "flitzis.h"
#include "flitzis-test.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD
#define RAMP 240                  /* 5 ms at 48 kHz */
#define MOVES 10000

/* Renders @frames frames in periods of PERIOD, both channels. */
static float *
render_stereo (FlitzisAudioEngine *engine, gsize frames)
{
  float *out = g_new (float, 2 * frames);

  for (gsize done = 0; done < frames; done += PERIOD)
    flitzis_test_render_ok (engine, out + 2 * done, MIN (PERIOD, frames - done));
  return out;
}

/* Channel @c of frame @f, against the straight line of a ramp from @from
 * to @to that starts on frame 0 (within a float product's rounding), and
 * exactly @to from RAMP on. */
static void
assert_ramp (const float *out, guint c, gsize frames, float from, float to)
{
  for (gsize f = 0; f < frames; f++)
    {
      float expected = f < RAMP ? from + (to - from) * (float) (f + 1) / (float) RAMP : to;

      if (f < RAMP ? fabsf (out[2 * f + c] - expected) > 1e-6f : out[2 * f + c] != to)
        g_error ("channel %u, frame %" G_GSIZE_FORMAT ": got %.9g, expected %.9g", c, f,
                 (double) out[2 * f + c], (double) expected);
    }
}

static void
assert_constant (const float *out, guint c, gsize frames, float value)
{
  for (gsize f = 0; f < frames; f++)
    if (out[2 * f + c] != value)
      g_error ("channel %u, frame %" G_GSIZE_FORMAT ": got %.9g, expected exactly %.9g", c, f,
               (double) out[2 * f + c], (double) value);
}

/* A slider: @moves values of the slot's gain and as many of the volume,
 * none of them the last ones, then @gain and @volume.  Every call
 * succeeds. */
static void
drag_sliders (FlitzisAudioEngine *engine, guint slot, guint moves, double gain, double volume)
{
  for (guint i = 0; i < moves; i++)
    {
      g_autoptr (GError) error = NULL;

      if (!flitzis_audio_engine_set_sample_gain (engine, slot, 0.05 + (i % 97) * 0.02, &error) ||
          !flitzis_audio_engine_set_volume (engine, 0.1 + (i % 89) * 0.03, &error))
        g_error ("move %u failed: %s", i, error->message);
    }
  g_assert_true (flitzis_audio_engine_set_sample_gain (engine, slot, gain, NULL));
  g_assert_true (flitzis_audio_engine_set_volume (engine, volume, NULL));
}

/* Pings until the command ring is full; returns how many were queued. */
static guint
fill_command_ring (FlitzisAudioEngine *engine)
{
  g_autoptr (GError) error = NULL;
  guint queued = 0;

  while (flitzis_audio_engine_ping (engine, &error))
    queued++;
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL);
  return queued;
}

/* ---- a slider at 1 kHz ---- */

/* 10,000 moves of each slider between two periods, and a trigger queued
 * after them: it starts on the next period's first frame, and the last
 * values win exactly (the moves before them are never heard). */
static void
test_slider_trigger_and_final_value (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree float *left = g_new (float, 3 * RATE);
  g_autofree float *right = g_new (float, 3 * RATE);
  g_autofree char *a = NULL, *b = NULL, *started = NULL;
  g_autofree float *out = NULL;
  guint64 start;

  (void) data;
  for (guint f = 0; f < 3 * RATE; f++)
    {
      left[f] = 0.5f;
      right[f] = 0.125f;
    }
  a = flitzis_test_write_stereo (fixture->dir, "a.wav", RATE, left, NULL, 3 * RATE);
  b = flitzis_test_write_stereo (fixture->dir, "b.wav", RATE, NULL, right, 3 * RATE);
  flitzis_test_load_ok (fixture->engine, 0, a);
  flitzis_test_load_ok (fixture->engine, 1, b);
  flitzis_test_play_ok (fixture->engine, 0, 1.0f);
  g_free (render_stereo (fixture->engine, PERIOD));
  flitzis_test_assert_events (fixture, (const char *[]) { "started 0 0", NULL });

  start = flitzis_audio_engine_get_frame_time (fixture->engine);
  drag_sliders (fixture->engine, 0, MOVES, 0.25, 2.0);
  flitzis_test_play_ok (fixture->engine, 1, 1.0f);
  out = render_stereo (fixture->engine, 4 * PERIOD);
  /* Slot 0: 0.5 at gain 1 and volume 1, to 0.5 * 0.25 * 2: one straight
   * line (both ramps start on the same frame, for the same 5 ms). */
  assert_ramp (out, 0, 4 * PERIOD, 0.5f, 0.25f);
  /* Slot 1, triggered after the moves: from the period's first frame, at
   * gain 1 under the volume's ramp from 1 to 2. */
  assert_ramp (out, 1, 4 * PERIOD, 0.125f, 0.25f);
  started = g_strdup_printf ("started 1 %" G_GUINT64_FORMAT, start);
  flitzis_test_assert_events (fixture, (const char *[]) { started, NULL });
  g_assert_cmpfloat (flitzis_audio_engine_get_volume (fixture->engine), ==, 2.0);
}

/* The moves take no place in the command ring: after 10,000 of each,
 * exactly FLITZIS_QUEUE_CAPACITY commands fit, as in an idle engine. */
static void
test_slider_leaves_ring_empty (FlitzisTestOffline *fixture, gconstpointer data)
{
  (void) data;
  drag_sliders (fixture->engine, 3, MOVES, 1.0, 1.0);
  for (guint i = 0; i < MOVES / 10; i++)
    {
      g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, i % 32, i % 2,
                                                           i, i + 10, NULL));
      g_assert_true (flitzis_audio_engine_set_sample_retrigger (fixture->engine, i % 32,
                                                                (FlitzisRetrigger) (i % 3), NULL));
      g_assert_true (flitzis_audio_engine_set_sample_choke_group (fixture->engine, i % 32,
                                                                  i % 17, NULL));
    }
  g_assert_cmpuint (fill_command_ring (fixture->engine), ==, FLITZIS_QUEUE_CAPACITY);
  flitzis_test_render_ok (fixture->engine, (float[2 * PERIOD]) { 0 }, PERIOD);
}

/* A full command ring does not stop a parameter: every move succeeds,
 * and takes effect in the next period, while the ring stays as full. */
static void
test_slider_with_full_ring (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", RATE, 0.5f);
  g_autofree float *out = NULL;
  g_autoptr (GError) error = NULL;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  flitzis_test_play_ok (fixture->engine, 0, 1.0f);
  g_free (render_stereo (fixture->engine, PERIOD));
  g_assert_cmpuint (fill_command_ring (fixture->engine), ==, FLITZIS_QUEUE_CAPACITY);
  drag_sliders (fixture->engine, 0, MOVES, 0.5, 0.5);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 0, &error));
  g_assert_no_error (error);
  g_assert_false (flitzis_audio_engine_ping (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL);
  out = render_stereo (fixture->engine, 2 * PERIOD);
  assert_ramp (out, 0, 2 * PERIOD, 0.5f, 0.125f);
}

/* ---- latest value wins ---- */

/* Values set and set back between two periods are never heard: the slot
 * plays on bit for bit, with no ramp. */
static void
test_set_back_changes_nothing (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", RATE, 0.5f);
  g_autofree float *out = NULL;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  flitzis_test_play_ok (fixture->engine, 0, 1.0f);
  g_free (render_stereo (fixture->engine, PERIOD));
  drag_sliders (fixture->engine, 0, 100, 1.0, 1.0);
  out = render_stereo (fixture->engine, 2 * PERIOD);
  assert_constant (out, 0, 2 * PERIOD, 0.5f);
}

/* Many slots, in every word of the dirty bitmap: each slot's last value
 * applies in the next period. */
static void
test_many_slots (void)
{
  static const guint slots[] = { 0, 63, 64, 511, 1023 };
  static const double gains[] = { 0.5, 0.25, 1.0, 2.0, 0.0 };
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = flitzis_test_write_constant (dir, "c.wav", RATE, 0.125f);
  g_autoptr (FlitzisAudioEngine) engine = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE,
                                                        "offline", TRUE, "sample-rate", RATE,
                                                        "channels", 2, "slots", 1024, NULL);
  g_autofree float *out = NULL;

  flitzis_test_run_ok (engine);
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      flitzis_test_load_ok (engine, slots[i], path);
      flitzis_test_play_ok (engine, slots[i], 1.0f);
    }
  g_free (render_stereo (engine, PERIOD));
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    for (guint move = 0; move < 100; move++)
      g_assert_true (flitzis_audio_engine_set_sample_gain (engine, slots[i],
                                                           move == 99 ? gains[i] : move * 0.01,
                                                           NULL));
  out = render_stereo (engine, 2 * PERIOD);
  /* 5 voices of 0.125 to 0.125 * (0.5 + 0.25 + 1 + 2 + 0): exact sums. */
  assert_ramp (out, 0, 2 * PERIOD, 0.625f, 0.46875f);
  flitzis_audio_engine_shut_down (engine);
  flitzis_test_remove_tree (dir);
}

/* ---- order against the triggers of the same period ---- */

/* Renders a fresh engine's first periods after @setup queues a trigger of
 * slot 0 (a counting sample) and sets its parameters, in some order. */
typedef void (*Setup) (FlitzisAudioEngine *engine);

static float *
render_after (const char *dir, Setup setup, gsize frames)
{
  g_autofree float *signal = g_new (float, 4000);
  g_autofree char *path = NULL;
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  float *out;

  for (guint f = 0; f < 4000; f++)
    signal[f] = (float) (f + 1) / 4096.0f;
  path = flitzis_test_write_mono (dir, "count.wav", RATE, signal, 4000);
  flitzis_test_run_ok (engine);
  flitzis_test_load_ok (engine, 0, path);
  flitzis_test_load_ok (engine, 1, path);
  setup (engine);
  out = render_stereo (engine, frames);
  flitzis_audio_engine_shut_down (engine);
  return out;
}

static void
params (FlitzisAudioEngine *engine)
{
  g_assert_true (flitzis_audio_engine_set_sample_loop (engine, 0, TRUE, 100, 3900, NULL));
  g_assert_true (flitzis_audio_engine_set_sample_gain (engine, 0, 0.5, NULL));
}

static void
params_then_trigger (FlitzisAudioEngine *engine)
{
  params (engine);
  flitzis_test_play_ok (engine, 0, 1.0f);
}

static void
trigger_then_params (FlitzisAudioEngine *engine)
{
  flitzis_test_play_ok (engine, 0, 1.0f);
  params (engine);
}

/* Of slot 0 (restart) and slot 1 (same choke group), both sounding: the
 * policy set before the retrigger is in effect for it. */
static void
policies_then_triggers (FlitzisAudioEngine *engine)
{
  flitzis_test_play_ok (engine, 0, 1.0f);
  flitzis_test_play_ok (engine, 1, 1.0f);
  flitzis_test_render_ok (engine, (float[2 * PERIOD]) { 0 }, PERIOD);
  g_assert_true (flitzis_audio_engine_set_sample_retrigger (engine, 0, FLITZIS_RETRIGGER_TOGGLE,
                                                            NULL));
  flitzis_test_play_ok (engine, 0, 1.0f);
}

/* A parameter set before a trigger of the same period is in effect for
 * it (the voice starts at the new loop start, with the new gain's ramp
 * from its first frame), and so is one set after it: both orders give
 * the same bits. */
static void
test_order_with_triggers (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree float *before = render_after (dir, params_then_trigger, 4 * PERIOD);
  g_autofree float *after = render_after (dir, trigger_then_params, 4 * PERIOD);
  g_autofree float *toggled = NULL;

  /* Frame 0 is source frame 100 at a gain ramping from 1 to 0.5. */
  g_assert_cmpfloat_with_epsilon (before[0], 101.0f / 4096.0f * (1.0f - 0.5f / RAMP), 1e-6);
  /* From the ramp's end on, exactly half of the counting sample. */
  for (gsize f = RAMP; f < 4 * PERIOD; f++)
    g_assert_cmpfloat (before[2 * f], ==, 0.5f * (float) (100 + f + 1) / 4096.0f);
  g_assert_cmpmem (before, 8 * PERIOD * sizeof (float), after, 8 * PERIOD * sizeof (float));

  /* TOGGLE set before the trigger: slot 0's trigger fades it out instead
   * of starting another voice; slot 1 plays on. */
  toggled = render_after (dir, policies_then_triggers, 2 * PERIOD);
  for (gsize f = RAMP; f < 2 * PERIOD; f++)
    g_assert_cmpfloat (toggled[2 * f], ==, (float) (PERIOD + f + 1) / 4096.0f);
  flitzis_test_remove_tree (dir);
}

/* ---- errors ---- */

/* Bad values still fail at once and change nothing; a stopped engine
 * refuses slot parameters (the volume waits for the next run()). */
static void
test_errors (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;

  g_assert_false (flitzis_audio_engine_set_sample_gain (engine, 0, 1.0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  g_assert_true (flitzis_audio_engine_set_volume (engine, 0.5, &error));
  g_assert_no_error (error);
  flitzis_test_run_ok (engine);
  g_assert_false (flitzis_audio_engine_set_volume (engine, -1.0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN);
  g_clear_error (&error);
  g_assert_cmpfloat (flitzis_audio_engine_get_volume (engine), ==, 0.5);
  g_assert_false (flitzis_audio_engine_set_sample_gain (engine, 32, 1.0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_sample_loop (engine, 0, TRUE, 10, 10, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_LOOP);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_sample_choke_group (engine, 0, 17, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GROUP);
  flitzis_audio_engine_shut_down (engine);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  FLITZIS_TEST_ADD_EVENTS ("/engine/params/slider/trigger-and-final-value",
                           test_slider_trigger_and_final_value);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/params/slider/ring-stays-empty",
                            test_slider_leaves_ring_empty);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/params/slider/full-ring", test_slider_with_full_ring);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/params/latest/set-back", test_set_back_changes_nothing);
  g_test_add_func ("/engine/params/latest/many-slots", test_many_slots);
  g_test_add_func ("/engine/params/order/triggers", test_order_with_triggers);
  g_test_add_func ("/engine/params/errors", test_errors);

  return g_test_run ();
}
