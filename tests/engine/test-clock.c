/* test-clock.c: the musical clock: tempo, bars and beats, quantized
 * launch, phase sync, the metronome
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Offline engines (every frame exact), and one live test on the JACK
 * dummy server.  Expected frames are computed here independently of the
 * clock's fixed-point arithmetic: whole numbers where a beat is a whole
 * number of frames (120 BPM at 48 kHz), and otherwise the exact grid time
 * in double precision, rounded up, at points chosen (and checked) to be
 * at least 1e-6 frame from a whole frame, so that the rounding cannot be
 * in doubt.  The Python suite (test_clock.py) checks the same at 93.7 BPM
 * against exact rationals.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"
#include "fz-stretch-rubberband.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD

static const FlitzisQuantize grids[] = {
  FLITZIS_QUANTIZE_BAR, FLITZIS_QUANTIZE_BEAT, FLITZIS_QUANTIZE_EIGHTH,
  FLITZIS_QUANTIZE_SIXTEENTH, FLITZIS_QUANTIZE_THIRTY_SECOND, FLITZIS_QUANTIZE_SIXTY_FOURTH,
};

/* Beats per grid point, with 4 beats a bar. */
static double
grid_beats (FlitzisQuantize grid)
{
  return grid == FLITZIS_QUANTIZE_BAR ? 4.0 : 1.0 / (double) (1u << (grid - FLITZIS_QUANTIZE_BEAT));
}

/* The first frame at or after @from of a grid of @step frames (exact
 * time k * step, rounded up to a frame), from the downbeat at 0. */
static guint64
expected_grid_frame (double step, guint64 from)
{
  for (guint64 k = (guint64) floor ((double) from / step); ; k++)
    {
      double t = (double) k * step;
      double up = ceil (t);

      if (up < (double) from)
        continue;
      /* The rounding is beyond doubt (the clock's bias is far smaller). */
      g_assert_true (up - t > 1e-6 || up == t);
      return (guint64) up;
    }
}

/* Renders @frames frames in periods of @period frames; returns the left
 * channel (stereo engines). */
static float *
render_left (FlitzisAudioEngine *engine, gsize frames, gsize period)
{
  float *left = g_new (float, frames);
  g_autofree float *block = g_new (float, 2 * period);

  for (gsize done = 0; done < frames; done += period)
    {
      gsize n = MIN (period, frames - done);

      flitzis_test_render_ok (engine, block, n);
      for (gsize f = 0; f < n; f++)
        left[done + f] = block[2 * f];
    }
  return left;
}

static void
skip_frames (FlitzisAudioEngine *engine, gsize frames)
{
  g_free (render_left (engine, frames, frames));
}

static char *
write_impulse (FlitzisTestOffline *fixture)
{
  const float impulse[4] = { 0.5f, 0.5f, 0.5f, 0.5f };

  return flitzis_test_write_mono (fixture->dir, "impulse.wav", RATE, impulse, 4);
}

static void
set_tempo_ok (FlitzisAudioEngine *engine, double bpm)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_set_tempo (engine, bpm, &error));
  g_assert_no_error (error);
}

/* A fresh offline engine at @bpm, running, with the impulse in slot 0. */
static FlitzisAudioEngine *
clock_engine (FlitzisTestOffline *fixture, double bpm)
{
  FlitzisAudioEngine *engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autofree char *path = write_impulse (fixture);

  set_tempo_ok (engine, bpm);
  flitzis_test_run_ok (engine);
  flitzis_test_load_ok (engine, 0, path);
  return engine;
}

/* Quantized to @grid, a trigger taken in the period that starts at @from
 * sounds first on the returned frame (-1: silent within @window). */
static gssize
quantized_onset (FlitzisTestOffline *fixture, double bpm, FlitzisQuantize grid, guint64 from,
                 gsize window, guint64 *reported)
{
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, bpm);
  g_autoptr (GError) error = NULL;
  g_autofree float *left = NULL;
  g_autoptr (FlitzisMessage) message = NULL;
  gssize onset;

  flitzis_audio_engine_set_quantize (engine, grid);
  skip_frames (engine, from);
  /* What the engine says the grid frame is, before the command. */
  *reported = flitzis_audio_engine_get_grid_frame (engine, grid, from);
  g_assert_true (flitzis_audio_engine_play_sample (engine, 0, 1.0f, &error));
  /* Periods of 1000 frames: the command is taken in the first one. */
  left = render_left (engine, window, 1000);
  onset = flitzis_test_first_sound (left, window, 1);
  /* The voice reports its start on that frame (the beats reported
   * meanwhile are passed over). */
  message = flitzis_test_receive_skipping_beats (engine);
  g_assert_nonnull (message);
  g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_SAMPLE_STARTED);
  g_assert_cmpuint (flitzis_message_get_frame (message), ==, from + (guint64) onset);
  return onset < 0 ? -1 : (gssize) from + onset;
}

static void
check_every_grid (FlitzisTestOffline *fixture, double bpm, const guint64 *starts, gsize n_starts)
{
  double frames_per_beat = 60.0 * RATE / bpm;

  for (gsize g = 0; g < G_N_ELEMENTS (grids); g++)
    for (gsize s = 0; s < n_starts; s++)
      {
        double step = frames_per_beat * grid_beats (grids[g]);
        guint64 expected = expected_grid_frame (step, starts[s]), reported;
        gssize onset = quantized_onset (fixture, bpm, grids[g], starts[s],
                                        (gsize) ceil (step) + 2000, &reported);

        g_test_message ("%g BPM, grid %d, from %" G_GUINT64_FORMAT ": expected %"
                        G_GUINT64_FORMAT ", heard %" G_GSSIZE_FORMAT,
                        bpm, grids[g], starts[s], expected, onset);
        g_assert_cmpint (onset, ==, (gssize) expected);
        g_assert_cmpuint (reported, ==, expected);
      }
}

/* 120 BPM at 48 kHz: a beat is 24000 frames, a sixty-fourth note 1500;
 * from a period start on a grid point (0, 24000, 96000) the voice starts
 * on it, never a grid later; from just after one, on the next. */
static void
test_quantize_120 (FlitzisTestOffline *fixture, gconstpointer data)
{
  const guint64 starts[] = { 0, 1, 1000, 23999, 24000, 96000, 96001, 250123 };

  (void) data;
  check_every_grid (fixture, 120.0, starts, G_N_ELEMENTS (starts));
}

/* 93.7 BPM: 30736.39... frames a beat; each grid frame is its exact time
 * rounded up. */
static void
test_quantize_93_7 (FlitzisTestOffline *fixture, gconstpointer data)
{
  const guint64 starts[] = { 1, 1000, 30736, 30737, 122946, 250123 };

  (void) data;
  check_every_grid (fixture, 93.7, starts, G_N_ELEMENTS (starts));
}

/* Without quantize the trigger starts at once; play_sample_at() is never
 * quantized. */
static void
test_quantize_none_and_play_at (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, 120.0);
  g_autoptr (GError) error = NULL;
  g_autofree float *left = NULL;

  (void) data;
  skip_frames (engine, 1000);
  g_assert_true (flitzis_audio_engine_play_sample (engine, 0, 1.0f, &error));
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_BAR);
  g_assert_true (flitzis_audio_engine_play_sample_at (engine, 0, 1.0f, 1500, &error));
  left = render_left (engine, 2000, 2000);
  g_assert_cmpint (flitzis_test_first_sound (left, 2000, 1), ==, 0);
  g_assert_cmpfloat (left[500], ==, 0.5f);
  g_assert_cmpfloat (left[499], ==, 0.0f);
}

/* A quantized stop fades, from its grid frame, the voices that started
 * before it, and cancels the slot's triggers waiting for that frame or
 * later; a trigger queued after it plays. */
static void
test_quantize_stop (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", 200000, 0.25f);
  g_autoptr (GError) error = NULL;
  g_autofree float *left = NULL;

  (void) data;
  flitzis_test_run_ok (engine);
  flitzis_test_load_ok (engine, 0, path);
  flitzis_test_play_ok (engine, 0, 1.0f);
  skip_frames (engine, 30000);
  g_assert_true (flitzis_audio_engine_play_sample_at (engine, 0, 1.0f, 60000, &error));
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_BEAT);
  g_assert_true (flitzis_audio_engine_stop_sample (engine, 0, &error));
  left = render_left (engine, 60000, 1000);
  /* Full level up to beat 3 at 48000, then a 240-frame fade, then silence:
   * the trigger for 60000 was cancelled. */
  g_assert_cmpfloat (left[47999 - 30000], ==, 0.25f);
  g_assert_cmpfloat (left[48000 - 30000], <, 0.25f);
  g_assert_cmpfloat (left[48000 - 30000], >, 0.24f);
  for (gsize f = 48240 - 30000; f < 60000; f++)
    g_assert_cmpfloat (left[f], ==, 0.0f);
  /* stop_all follows it too; a trigger queued after the stop, for the
   * same beat, plays from it. */
  g_free (left);
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_NONE);
  flitzis_test_play_ok (engine, 0, 1.0f);
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_BEAT);
  g_assert_true (flitzis_audio_engine_stop_all (engine, &error));
  g_assert_true (flitzis_audio_engine_play_sample (engine, 0, 0.5f, &error));
  left = render_left (engine, 30000, 1000);
  /* From 90000 (now) to beat 5 at 96000: one voice; from there, the new
   * one (0.125) alone once the old has faded. */
  g_assert_cmpfloat (left[95999 - 90000], ==, 0.25f);
  g_assert_cmpfloat (left[96240 - 90000], ==, 0.125f);
}

/* A tempo change mid-bar: the position where it takes effect is the same
 * before and after, and the next beats follow at the new tempo. */
static void
test_tempo_change_keeps_phase (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, 120.0);
  gint64 bar, bar_after;
  guint beat, beat_after;
  double fraction, fraction_after, beat_frames = 60.0 * RATE / 93.7;
  guint64 next;

  (void) data;
  skip_frames (engine, 36000);
  flitzis_audio_engine_get_position (engine, 36000, &bar, &beat, &fraction);
  g_assert_cmpint (bar, ==, 1);
  g_assert_cmpuint (beat, ==, 2);
  /* The clock runs at most 3 * 2^-64 beat a frame fast (fz-clock.h). */
  g_assert_cmpfloat_with_epsilon (fraction, 0.5, 1e-12);
  set_tempo_ok (engine, 93.7);
  /* Not taken yet: the position still reads the audio thread's tempo. */
  g_assert_cmpuint (flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_BEAT, 36000), ==, 48000);
  skip_frames (engine, 256);
  flitzis_audio_engine_get_position (engine, 36000, &bar_after, &beat_after, &fraction_after);
  g_assert_cmpint (bar_after, ==, bar);
  g_assert_cmpuint (beat_after, ==, beat);
  g_assert_cmpfloat (fraction_after, ==, fraction);
  /* Half a beat to go, at 30736.39 frames a beat. */
  next = flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_BEAT, 36000);
  g_assert_cmpuint (next, ==, 36000 + (guint64) ceil (0.5 * beat_frames));
  g_assert_cmpuint (flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_BAR, 36000), ==,
                    36000 + (guint64) ceil (2.5 * beat_frames));
  flitzis_audio_engine_get_position (engine, next, &bar, &beat, &fraction);
  g_assert_cmpuint (beat, ==, 3);
  g_assert_cmpfloat (fraction, <, 1e-4);
  flitzis_audio_engine_get_position (engine, next - 1, &bar, &beat, &fraction);
  g_assert_cmpuint (beat, ==, 2);
  /* A quantized trigger agrees. */
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_BEAT);
  flitzis_test_play_ok (engine, 0, 1.0f);
  {
    g_autofree float *left = render_left (engine, 20000, 1000);

    g_assert_cmpint (flitzis_test_first_sound (left, 20000, 1), ==, (gssize) (next - 36256));
  }
}

typedef struct {
  GArray *beats;                /* of guint64 triples: bar, beat, frame */
} Beats;

static void
on_beat (FlitzisAudioEngine *engine, guint bar, guint beat, guint64 frame, gpointer data)
{
  Beats *beats = data;
  guint64 triple[3] = { bar, beat, frame };

  (void) engine;
  g_array_append_vals (beats->beats, triple, 3);
}

static gboolean
have_beats (gpointer data)
{
  return ((Beats *) data)->beats->len >= 3 * 7;
}

/* Every beat is signalled with its bar, its beat and its frame, and is a
 * BEAT message for receive_msg() as well; bars of 3 beats. */
static void
test_beat_signal_frames (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, 93.7);
  g_autoptr (GError) error = NULL;
  Beats beats = { g_array_new (FALSE, FALSE, sizeof (guint64)) };
  double beat_frames = 60.0 * RATE / 93.7;
  guint seen = 0;
  FlitzisMessage *message;

  (void) data;
  g_assert_true (flitzis_audio_engine_set_beats_per_bar (engine, 3, &error));
  g_assert_true (flitzis_audio_engine_set_report_beats (engine, TRUE, &error));
  g_signal_connect (engine, "beat", G_CALLBACK (on_beat), &beats);
  skip_frames (engine, 6 * 30737 + 5);
  g_assert_true (flitzis_test_wait_until (NULL, have_beats, &beats, 5000));
  g_assert_cmpuint (beats.beats->len, ==, 3 * 7);
  for (guint k = 0; k < 7; k++)
    {
      const guint64 *b = &g_array_index (beats.beats, guint64, 3 * k);

      g_assert_cmpuint (b[0], ==, k / 3 + 1);
      g_assert_cmpuint (b[1], ==, k % 3 + 1);
      g_assert_cmpuint (b[2], ==, expected_grid_frame (beat_frames, (guint64) ceil (k * beat_frames)));
    }
  while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
    {
      if (flitzis_message_get_kind (message) == FLITZIS_MESSAGE_KIND_BEAT)
        {
          const guint64 *b = &g_array_index (beats.beats, guint64, 3 * seen);

          g_assert_cmpuint (flitzis_message_get_bar (message), ==, b[0]);
          g_assert_cmpuint (flitzis_message_get_beat (message), ==, b[1]);
          g_assert_cmpuint (flitzis_message_get_frame (message), ==, b[2]);
          seen++;
        }
      else
        g_assert_cmpuint (flitzis_message_get_bar (message), ==, 0);
      flitzis_message_unref (message);
    }
  g_assert_cmpuint (seen, ==, 7);
  /* Off, none comes. */
  g_assert_true (flitzis_audio_engine_set_report_beats (engine, FALSE, &error));
  skip_frames (engine, 100000);
  g_assert_null (flitzis_audio_engine_receive_msg (engine));
  g_array_unref (beats.beats);
}

/* Beats are reported by default: a fresh engine with nothing set emits
 * every beat from frame 0 on, as a signal and as a message; off, none. */
static void
test_beats_by_default (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;
  Beats beats = { g_array_new (FALSE, FALSE, sizeof (guint64)) };
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (engine), "report-beats");
  FlitzisMessage *message;
  guint seen = 0;

  (void) fixture;
  (void) data;
  g_assert_true (flitzis_audio_engine_get_report_beats (engine));
  g_assert_true (g_value_get_boolean (g_param_spec_get_default_value (pspec)));
  g_signal_connect (engine, "beat", G_CALLBACK (on_beat), &beats);
  flitzis_test_run_ok (engine);
  /* 120 BPM: beats on frames 0, 24000 ... 144000 (bar 2 beat 3). */
  skip_frames (engine, 6 * 24000 + 1);
  g_assert_true (flitzis_test_wait_until (NULL, have_beats, &beats, 5000));
  g_assert_cmpuint (beats.beats->len, ==, 3 * 7);
  for (guint k = 0; k < 7; k++)
    {
      const guint64 *b = &g_array_index (beats.beats, guint64, 3 * k);

      g_assert_cmpuint (b[0], ==, k / 4 + 1);
      g_assert_cmpuint (b[1], ==, k % 4 + 1);
      g_assert_cmpuint (b[2], ==, k * 24000);
    }
  while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
    {
      g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_BEAT);
      g_assert_cmpuint (flitzis_message_get_frame (message), ==, seen * 24000);
      flitzis_message_unref (message);
      seen++;
    }
  g_assert_cmpuint (seen, ==, 7);
  g_assert_true (flitzis_audio_engine_set_report_beats (engine, FALSE, &error));
  skip_frames (engine, 100000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (beats.beats->len, ==, 3 * 7);
  g_assert_null (flitzis_audio_engine_receive_msg (engine));
  g_array_unref (beats.beats);
}

/* Renders @beats beats at 400 BPM (7200 frames a beat, from frame 0), in
 * blocks of 72000 frames; the main context is iterated after each block
 * when @iterate. */
static void
render_beats (FlitzisAudioEngine *engine, guint beats, gboolean iterate)
{
  g_autofree float *block = g_new (float, 2 * 72000);
  guint64 frames = (guint64) (beats - 1) * 7200 + 1;

  for (guint64 done = 0; done < frames; done += 72000)
    {
      flitzis_test_render_ok (engine, block, MIN (72000, frames - done));
      while (iterate && g_main_context_iteration (NULL, FALSE))
        ;
    }
}

/* Unpolled beats are never lost silently.  An application that connects
 * to signals and never polls: every beat is emitted, and the messages kept
 * for receive_msg() are the newest 1024, the older counted as dropped.
 * One with neither a main loop nor polling: the audio thread's replies
 * that found no room are counted as dropped events. */
static void
test_unpolled_beats_counted (FlitzisTestOffline *fixture, gconstpointer data)
{
  const guint produced = FLITZIS_QUEUE_CAPACITY + 6;
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, 400.0);
  g_autoptr (FlitzisAudioEngine) unattended = NULL;
  Beats beats = { g_array_new (FALSE, FALSE, sizeof (guint64)) };
  FlitzisMessage *message;
  guint received = 0;

  (void) data;
  g_signal_connect (engine, "beat", G_CALLBACK (on_beat), &beats);
  render_beats (engine, produced, TRUE);
  g_assert_cmpuint (beats.beats->len, ==, 3 * produced);
  g_assert_cmpuint (flitzis_test_count (engine, flitzis_engine_stats_get_dropped_messages), ==,
                    produced - FLITZIS_QUEUE_CAPACITY);
  g_assert_cmpuint (flitzis_test_count (engine, flitzis_engine_stats_get_dropped_signals), ==, 0);
  g_assert_cmpuint (flitzis_test_count (engine, flitzis_engine_stats_get_dropped_events), ==, 0);
  while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
    {
      /* The newest kept: beats 6 to 1029. */
      g_assert_cmpuint (flitzis_message_get_frame (message), ==,
                        (guint64) (produced - FLITZIS_QUEUE_CAPACITY + received) * 7200);
      flitzis_message_unref (message);
      received++;
    }
  g_assert_cmpuint (received, ==, FLITZIS_QUEUE_CAPACITY);
  g_array_unref (beats.beats);

  unattended = clock_engine (fixture, 400.0);
  render_beats (unattended, produced, FALSE);
  received = 0;
  while ((message = flitzis_audio_engine_receive_msg (unattended)) != NULL)
    {
      flitzis_message_unref (message);
      received++;
    }
  g_test_message ("no main loop, no polling: %u of %u beats received", received, produced);
  g_assert_cmpuint (received, >, 0);
  g_assert_cmpuint (received + flitzis_test_count (unattended, flitzis_engine_stats_get_dropped_events) +
                    flitzis_test_count (unattended, flitzis_engine_stats_get_dropped_messages), ==,
                    produced);
  g_assert_cmpuint (flitzis_test_count (unattended, flitzis_engine_stats_get_dropped_events), >, 0);
}

/* A count-in of two bars (bars -1 and 0, the downbeat 8 beats in): its
 * beats are not reported, by signal or message; the first is bar 1 beat 1
 * on the downbeat's frame, then on from there.  The positions say -1 and
 * 0, and the metronome clicks the count-in. */
static void
test_count_in_not_reported (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, 120.0);
  g_autoptr (GError) error = NULL;
  Beats beats = { g_array_new (FALSE, FALSE, sizeof (guint64)) };
  g_autofree float *left = NULL;
  FlitzisMessage *message;
  guint seen = 0;
  gint64 bar;
  guint beat;

  (void) data;
  g_assert_true (flitzis_audio_engine_set_downbeat_frame (engine, 8 * 24000, &error));
  g_assert_true (flitzis_audio_engine_set_metronome (engine, TRUE, &error));
  g_signal_connect (engine, "beat", G_CALLBACK (on_beat), &beats);
  left = render_left (engine, 10 * 24000 + 1, 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  flitzis_audio_engine_get_position (engine, 0, &bar, &beat, NULL);
  g_assert_cmpint (bar, ==, -1);
  g_assert_cmpuint (beat, ==, 1);
  flitzis_audio_engine_get_position (engine, 7 * 24000, &bar, &beat, NULL);
  g_assert_cmpint (bar, ==, 0);
  g_assert_cmpuint (beat, ==, 4);
  for (guint k = 0; k <= 10; k++)
    g_assert_cmpfloat (left[k * 24000], ==, k % 4 == 0 ? 0.6f : 0.35f);
  g_assert_cmpuint (beats.beats->len, ==, 3 * 3);
  for (guint k = 0; k < 3; k++)
    {
      const guint64 *b = &g_array_index (beats.beats, guint64, 3 * k);

      g_assert_cmpuint (b[0], ==, 1);
      g_assert_cmpuint (b[1], ==, k + 1);
      g_assert_cmpuint (b[2], ==, (8 + k) * 24000);
    }
  while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
    {
      g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_BEAT);
      g_assert_cmpuint (flitzis_message_get_bar (message), ==, 1);
      g_assert_cmpuint (flitzis_message_get_frame (message), ==, (8 + seen) * 24000);
      flitzis_message_unref (message);
      seen++;
    }
  g_assert_cmpuint (seen, ==, 3);
  g_array_unref (beats.beats);
}

/* The beats reported from index @first on are every beat from @start (a
 * period's first frame) to @end, on the frames the clock's published
 * segment gives, each with its bar and beat. */
static guint
check_beats_between (FlitzisAudioEngine *engine, Beats *beats, guint first, guint64 start,
                     guint64 end)
{
  guint64 expected = flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_BEAT, start);
  guint k = first;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (; expected < end; k++)
    {
      const guint64 *b;
      gint64 bar;
      guint beat;
      double fraction;

      g_assert_cmpuint (beats->beats->len, >, 3 * k);
      b = &g_array_index (beats->beats, guint64, 3 * k);
      flitzis_audio_engine_get_position (engine, expected, &bar, &beat, &fraction);
      g_assert_cmpuint (b[2], ==, expected);
      g_assert_cmpint ((gint64) b[0], ==, bar);
      g_assert_cmpuint (b[1], ==, beat);
      g_assert_cmpfloat (fraction, <, 1e-4);  /* under a frame */
      expected = flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_BEAT, expected + 1);
    }
  g_assert_cmpuint (beats->beats->len, ==, 3 * k);
  return k;
}

/* The beats follow every change of the clock, from the period that takes
 * it: a tempo change mid-bar, beats per bar, reports off a while and on
 * again (the beat found before is long past), a downbeat moved ahead. */
static void
test_beats_follow_changes (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, 120.0);
  g_autoptr (GError) error = NULL;
  Beats beats = { g_array_new (FALSE, FALSE, sizeof (guint64)) };
  guint seen;
  guint64 now;

  (void) data;
  g_signal_connect (engine, "beat", G_CALLBACK (on_beat), &beats);
  g_free (render_left (engine, 100000, 1000));
  seen = check_beats_between (engine, &beats, 0, 0, 100000);
  g_assert_cmpuint (seen, ==, 5);
  set_tempo_ok (engine, 93.7);
  g_free (render_left (engine, 100000, 1000));
  seen = check_beats_between (engine, &beats, seen, 100000, 200000);
  g_assert_true (flitzis_audio_engine_set_beats_per_bar (engine, 3, &error));
  set_tempo_ok (engine, 171.25);
  g_free (render_left (engine, 100000, 1000));
  seen = check_beats_between (engine, &beats, seen, 200000, 300000);
  g_assert_true (flitzis_audio_engine_set_report_beats (engine, FALSE, &error));
  g_free (render_left (engine, 100000, 1000));
  g_assert_cmpuint (check_beats_between (engine, &beats, seen, 400000, 400000), ==, seen);
  g_assert_true (flitzis_audio_engine_set_report_beats (engine, TRUE, &error));
  g_free (render_left (engine, 100000, 1000));
  seen = check_beats_between (engine, &beats, seen, 400000, 500000);
  now = flitzis_audio_engine_get_frame_time (engine);
  g_assert_true (flitzis_audio_engine_set_downbeat_frame (engine, now + 5555, &error));
  g_free (render_left (engine, 100000, 1000));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (beats.beats->len, >, 3 * seen);
  g_assert_cmpuint (g_array_index (beats.beats, guint64, 3 * seen + 2), ==, now + 5555);
  g_assert_cmpuint (g_array_index (beats.beats, guint64, 3 * seen), ==, 1);
  check_beats_between (engine, &beats, seen, now + 5555, 600000);
  g_array_unref (beats.beats);
}

/* The first frames at which @left sounds after silence (frame 0 counts). */
static GArray *
onsets (const float *left, gsize frames)
{
  GArray *found = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (gsize f = 0; f < frames; f++)
    if (left[f] != 0.0f && (f == 0 || left[f - 1] == 0.0f))
      {
        guint64 frame = f;

        g_array_append_val (found, frame);
      }
  return found;
}

/* The metronome clicks on every beat's frame, accented on the bar's
 * first, under the master volume and its own; offline renders include it,
 * at every period size. */
static void
test_metronome_click_frames (FlitzisTestOffline *fixture, gconstpointer data)
{
  const gsize periods[] = { 256, 1000, 48000 };
  const double tempos[] = { 120.0, 93.7 };

  (void) data;
  for (gsize t = 0; t < G_N_ELEMENTS (tempos); t++)
    for (gsize p = 0; p < G_N_ELEMENTS (periods); p++)
      {
        g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, tempos[t]);
        g_autoptr (GError) error = NULL;
        double beat_frames = 60.0 * RATE / tempos[t];
        gsize frames = 5 * (gsize) ceil (beat_frames) + 100;
        g_autofree float *left = NULL;
        g_autoptr (GArray) found = NULL;

        g_assert_true (flitzis_audio_engine_set_metronome (engine, TRUE, &error));
        g_assert_true (flitzis_audio_engine_set_metronome_volume (engine, 0.5, &error));
        left = render_left (engine, frames, periods[p]);
        found = onsets (left, frames);
        g_assert_cmpuint (found->len, ==, 6);
        for (guint k = 0; k < found->len; k++)
          g_assert_cmpuint (g_array_index (found, guint64, k), ==,
                            expected_grid_frame (beat_frames, (guint64) ceil (k * beat_frames)));
        /* The click's first frame is its loudest: 0.6 accented, 0.35 not. */
        g_assert_cmpfloat (left[0], ==, 0.5f * 0.6f);
        g_assert_cmpfloat (left[g_array_index (found, guint64, 1)], ==, 0.5f * 0.35f);
        g_assert_cmpfloat (left[g_array_index (found, guint64, 4)], ==, 0.5f * 0.6f);
      }
}

/* A downbeat still to come counts in: bar 0 clicks (and reports nothing),
 * accented from the downbeat on; the positions before it are bar 0. */
static void
test_metronome_count_in (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, 120.0);
  g_autoptr (GError) error = NULL;
  g_autofree float *left = NULL;
  g_autoptr (FlitzisMessage) message = NULL;
  gint64 bar;
  guint beat;

  (void) data;
  g_assert_true (flitzis_audio_engine_set_downbeat_frame (engine, 48000, &error));
  g_assert_true (flitzis_audio_engine_set_metronome (engine, TRUE, &error));
  g_assert_true (flitzis_audio_engine_set_report_beats (engine, TRUE, &error));
  left = render_left (engine, 48001, 256);
  g_assert_cmpfloat (left[0], ==, 0.35f);
  g_assert_cmpfloat (left[24000], ==, 0.35f);
  g_assert_cmpfloat (left[48000], ==, 0.6f);
  flitzis_audio_engine_get_position (engine, 0, &bar, &beat, NULL);
  g_assert_cmpint (bar, ==, 0);
  g_assert_cmpuint (beat, ==, 3);
  /* Only bar 1 beat 1 was reported. */
  message = flitzis_audio_engine_receive_msg (engine);
  g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_BEAT);
  g_assert_cmpuint (flitzis_message_get_bar (message), ==, 1);
  g_assert_cmpuint (flitzis_message_get_frame (message), ==, 48000);
  g_assert_null (flitzis_audio_engine_receive_msg (engine));
}

/* A one-bar loop at 120 BPM (96000 frames, a marker on its first frame),
 * launched on the bar: after 100 wraps its marker still falls on the bar
 * lines, to the frame. */
static void
test_loop_100_wraps (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autofree float *bar = g_new0 (float, 96000);
  g_autofree char *path = NULL;
  g_autofree float *left = NULL;
  g_autoptr (GError) error = NULL;
  const gsize frames = 102 * 96000;
  gsize markers = 0;

  (void) data;
  bar[0] = 0.5f;
  path = flitzis_test_write_mono (fixture->dir, "bar.wav", RATE, bar, 96000);
  flitzis_test_run_ok (engine);
  flitzis_test_load_ok (engine, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (engine, 0, TRUE, 0, 0, &error));
  skip_frames (engine, 5000);
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_BAR);
  flitzis_test_play_ok (engine, 0, 1.0f);
  left = render_left (engine, frames, 1024);
  for (gsize f = 0; f < frames; f++)
    if (left[f] != 0.0f)
      {
        guint64 frame = 5000 + f;

        g_assert_cmpuint (frame % 96000, ==, 0);
        g_assert_cmpuint (frame, ==, flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_BAR,
                                                                          frame - 95999));
        markers++;
      }
  /* The first bar line, then 100 wraps (and one more). */
  g_assert_cmpuint (markers, ==, 102);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (void) object;
  (void) pspec;
  (*(guint *) data)++;
}

static gboolean
nonzero (gpointer data)
{
  return *(guint *) data > 0;
}

/* sync_transport_to_sample(): a loop at 100 BPM with one beat of pickup
 * (its downbeat at its frame 28800) started at frame 10000: the transport
 * takes its tempo and puts bar 1 beat 1 at 38800, both notified. */
static void
test_sync_to_sample (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, 120.0);
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "loop.wav", 5 * 28800, 0.25f);
  g_autoptr (GError) error = NULL;
  guint tempo_notified = 0, downbeat_notified = 0;
  gint64 bar;
  guint beat;
  double fraction;

  (void) data;
  flitzis_test_load_ok (engine, 1, path);
  g_assert_true (flitzis_audio_engine_set_sample_tempo (engine, 1, 100.0, &error));
  g_assert_true (flitzis_audio_engine_set_sample_downbeat (engine, 1, 28800, &error));
  skip_frames (engine, 10000);
  flitzis_test_play_ok (engine, 1, 1.0f);
  skip_frames (engine, 10000);
  g_signal_connect (engine, "notify::tempo", G_CALLBACK (count_notify), &tempo_notified);
  g_signal_connect (engine, "notify::downbeat-frame", G_CALLBACK (count_notify), &downbeat_notified);
  g_assert_true (flitzis_audio_engine_sync_transport_to_sample (engine, 1, &error));
  skip_frames (engine, 256);
  g_assert_true (flitzis_test_wait_until (NULL, nonzero, &downbeat_notified, 5000));
  g_assert_cmpuint (tempo_notified, ==, 1);
  g_assert_cmpfloat (flitzis_audio_engine_get_tempo (engine), ==, 100.0);
  g_assert_cmpuint (flitzis_audio_engine_get_downbeat_frame (engine), ==, 38800);
  flitzis_audio_engine_get_position (engine, 38800, &bar, &beat, &fraction);
  g_assert_cmpint (bar, ==, 1);
  g_assert_cmpuint (beat, ==, 1);
  g_assert_cmpfloat (fraction, ==, 0.0);
  g_assert_cmpuint (flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_BAR, 40000), ==,
                    38800 + 4 * 28800);
  /* A slot of unknown tempo lines up the downbeat alone. */
  g_assert_true (flitzis_audio_engine_set_tempo (engine, 120.0, &error));
  g_assert_true (flitzis_audio_engine_set_sample_tempo (engine, 1, 0.0, &error));
  g_assert_true (flitzis_audio_engine_sync_transport_to_sample (engine, 1, &error));
  skip_frames (engine, 256);
  g_assert_cmpuint (flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_BEAT, 40000), ==,
                    38800 + 24000);
  g_assert_cmpfloat (flitzis_audio_engine_get_tempo (engine), ==, 120.0);
}

/* A sync to a loop that is not at speed 1: 100 BPM, its downbeat a click
 * at its frame 28800, started at frame 10240 and synced to before the
 * click sounds.  The transport takes the tempo the loop is heard at, and
 * puts bar 1 where the voice plays the click: within a frame of the
 * click heard for a resampled voice, at the exact frame for the ideal
 * one of a key-locked voice (which plays it where its stretcher puts it:
 * docs/keylock.md).  With tempo lock the transport takes the slot's tempo
 * and the voice follows, from 1.2 to 1.0. */
typedef struct {
  double speed;         /* set_sample_speed() */
  gboolean key_lock;
  gboolean tempo_lock;  /* with the transport at 120 BPM */
  double tempo;         /* the tempo the sync must set */
} OffSpeed;

static void
assert_synced_off_speed (FlitzisTestOffline *fixture, const char *path, const OffSpeed *c)
{
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, 120.0);
  const guint64 trigger = 40 * PERIOD, sync_at = 80 * PERIOD;
  g_autoptr (GError) error = NULL;
  g_autofree float *left = NULL;
  guint downbeat_notified = 0;
  guint64 downbeat;
  gint64 heard = -1;
  double before, want;

  flitzis_test_load_ok (engine, 1, path);
  g_assert_true (flitzis_audio_engine_set_sample_tempo (engine, 1, 100.0, &error));
  g_assert_true (flitzis_audio_engine_set_sample_downbeat (engine, 1, 28800, &error));
  g_assert_true (flitzis_audio_engine_set_sample_speed (engine, 1, c->speed, &error));
  if (c->key_lock)
    g_assert_true (flitzis_audio_engine_set_sample_key_lock (engine, 1, TRUE, &error));
  g_object_set (engine, "tempo-lock", c->tempo_lock, NULL);
  g_assert_true (flitzis_audio_engine_play_sample_at (engine, 1, 1.0f, trigger, &error));
  g_assert_no_error (error);
  skip_frames (engine, sync_at);
  g_signal_connect (engine, "notify::downbeat-frame", G_CALLBACK (count_notify),
                    &downbeat_notified);
  g_assert_true (flitzis_audio_engine_sync_transport_to_sample (engine, 1, &error));
  left = render_left (engine, 40000, 40000);
  g_assert_true (flitzis_test_wait_until (NULL, nonzero, &downbeat_notified, 5000));
  g_assert_cmpfloat (flitzis_audio_engine_get_tempo (engine), ==, c->tempo);
  downbeat = flitzis_audio_engine_get_downbeat_frame (engine);
  /* Where the voice's ratio puts sample frame 28800: at its speed until
   * the sync (1.2 under the transport's 120 BPM with tempo lock), at its
   * new one after. */
  before = c->tempo_lock ? 1.2 * c->speed : c->speed;
  want = (double) sync_at + (28800.0 - (double) (sync_at - trigger) * before) / c->speed;
  for (gsize i = 0; i < 40000; i++)
    if (fabsf (left[i]) > 0.25f)
      {
        heard = (gint64) (sync_at + i);
        break;
      }
  g_test_message ("speed %.2f%s%s: downbeat %" G_GUINT64_FORMAT ", ideal %.2f, click heard at "
                  "%" G_GINT64_FORMAT " (-1: not above half its level)", c->speed,
                  c->key_lock ? ", key-locked" : "", c->tempo_lock ? ", tempo lock" : "",
                  downbeat, want, heard);
  g_assert_cmpfloat (fabs ((double) downbeat - want), <=, 0.5);
  if (!c->key_lock)
    g_assert_cmpint (ABS (heard - (gint64) downbeat), <=, 1);
}

static void
test_sync_off_speed (FlitzisTestOffline *fixture, gconstpointer data)
{
  const OffSpeed cases[] = {
    { 1.25, FALSE, FALSE, 125.0 },
    { 0.8, FALSE, FALSE, 80.0 },
    { 1.0, FALSE, TRUE, 100.0 },
    { 1.25, TRUE, FALSE, 125.0 },
    { 1.0, TRUE, FALSE, 100.0 },
  };
  gsize frames = 5 * 28800;
  g_autofree float *loop = g_new0 (float, frames);
  g_autofree char *path = NULL;

  (void) data;
  loop[28800] = 0.5f;
  path = flitzis_test_write_stereo (fixture->dir, "loop.wav", RATE, loop, loop, frames);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    if (!cases[i].key_lock || fz_stretch_supported ())
      assert_synced_off_speed (fixture, path, &cases[i]);
}

/* Bad values change nothing: tempo outside 20 to 400 or NaN, 0 or 33
 * beats per bar, a sample tempo below 20 (but 0), a sync to an empty slot,
 * and the same through the properties (GObject warns). */
static void
test_bad_values (FlitzisTestOffline *fixture, gconstpointer data)
{
  FlitzisAudioEngine *engine = fixture->engine;
  const double tempos[] = { 19.99, 400.01, NAN, INFINITY, -120.0, 0.0 };
  g_autoptr (GError) error = NULL;

  (void) data;
  for (gsize i = 0; i < G_N_ELEMENTS (tempos); i++)
    {
      g_assert_false (flitzis_audio_engine_set_tempo (engine, tempos[i], &error));
      g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_TEMPO);
      g_assert_nonnull (strstr (error->message, "20 to 400"));
      g_clear_error (&error);
    }
  g_assert_cmpfloat (flitzis_audio_engine_get_tempo (engine), ==, 120.0);
  g_assert_false (flitzis_audio_engine_set_beats_per_bar (engine, 0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_METER);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_beats_per_bar (engine, 33, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_METER);
  g_clear_error (&error);
  g_assert_cmpuint (flitzis_audio_engine_get_beats_per_bar (engine), ==, 4);
  g_assert_false (flitzis_audio_engine_set_sample_tempo (engine, 0, 10.0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_TEMPO);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_sample_tempo (engine, 0, NAN, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_TEMPO);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_sample_tempo (engine, 32, 100.0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_sync_transport_to_sample (engine, 0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_EMPTY_SLOT);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_metronome_volume (engine, 4.5, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN);
  g_clear_error (&error);
  g_assert_cmpfloat (flitzis_audio_engine_get_metronome_volume (engine), ==, 1.0);

  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING, "*out of range*tempo*");
  g_object_set (engine, "tempo", 500.0, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING, "*out of range*tempo*");
  g_object_set (engine, "tempo", (double) NAN, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING, "*out of range*beats-per-bar*");
  g_object_set (engine, "beats-per-bar", 0u, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpfloat (flitzis_audio_engine_get_tempo (engine), ==, 120.0);
  g_assert_cmpuint (flitzis_audio_engine_get_beats_per_bar (engine), ==, 4);
  /* The audio thread's clock did not move either. */
  skip_frames (fixture->engine, 256);
  g_assert_cmpuint (flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_BEAT, 1), ==, 24000);
}

/* Before run() the position is the one run() will start with; the
 * properties carry over into the run. */
static void
test_position_before_run (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 1);
  g_autoptr (GError) error = NULL;
  gint64 bar;
  guint beat;
  double fraction;

  g_assert_cmpfloat (flitzis_audio_engine_get_tempo (engine), ==, 120.0);
  g_assert_cmpint (flitzis_audio_engine_get_quantize (engine), ==, FLITZIS_QUANTIZE_NONE);
  g_assert_false (flitzis_audio_engine_get_metronome (engine));
  g_assert_true (flitzis_audio_engine_set_beats_per_bar (engine, 3, &error));
  flitzis_audio_engine_get_position (engine, 4 * 24000 + 12000, &bar, &beat, &fraction);
  g_assert_cmpint (bar, ==, 2);
  g_assert_cmpuint (beat, ==, 2);
  g_assert_cmpfloat_with_epsilon (fraction, 0.5, 1e-12);
  flitzis_test_run_ok (engine);
  flitzis_audio_engine_get_position (engine, 4 * 24000 + 12000, &bar, &beat, &fraction);
  g_assert_cmpint (bar, ==, 2);
  g_assert_cmpuint (beat, ==, 2);
  g_assert_cmpfloat_with_epsilon (fraction, 0.5, 1e-12);
}

/* 1024 triggers wait for their grid frame; one more is dropped, counted
 * and signalled as for play_sample_at(). */
static void
test_schedule_capacity (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = clock_engine (fixture, 120.0);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlitzisMessage) message = NULL;
  float out[2];

  (void) data;
  flitzis_test_render_ok (engine, out, 1);
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_BAR);
  for (guint i = 0; i < 1025; i++)
    {
      g_assert_true (flitzis_audio_engine_play_sample (engine, 0, 1.0f, &error));
      if (i % 512 == 511)
        flitzis_test_render_ok (engine, out, 1);
    }
  flitzis_test_render_ok (engine, out, 1);
  g_assert_cmpuint (flitzis_test_count (engine, flitzis_engine_stats_get_dropped_voices), ==, 1);
  message = flitzis_test_receive_skipping_beats (engine);
  g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_VOICE_DROPPED);
  g_assert_cmpuint (flitzis_message_get_frame (message), ==, 96000);
}

/* Live: a trigger quantized to the beat at 400 BPM (7200 frames a beat)
 * is heard, in what the JACK test client captured, exactly on the grid
 * frame: measured against a play_sample_at() click on the other channel,
 * the frame the audio thread chose is the first beat from the period that
 * took the command on.  One such play; see test_quantize_live().
 * Returns whether the capture heard them where the engine reported them;
 * @excused: whether the server reported an xrun meanwhile or the capture
 * missed a cycle (a period the engine or the capture missed between the
 * two onsets moves them against each other by a period). */
static gboolean
play_quantized (gpointer data, gboolean *excused)
{
  FlitzisTestLive *fixture = data;
  g_autoptr (GError) error = NULL;
  g_autofree float *captured = NULL;
  FlitzisMessage *message;
  guint64 before, after, reference, grid = 0, xruns;
  gsize frames, onset_left, onset_right;

  xruns = flitzis_test_count (fixture->engine, flitzis_engine_stats_get_xruns);
  flitzis_test_start_capture_with_silence (2 * RATE);
  before = flitzis_audio_engine_get_frame_time (fixture->engine);
  reference = before + 8 * PERIOD + 37;
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 1, 1.0f, reference, &error));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, &error));
  after = flitzis_audio_engine_get_frame_time (fixture->engine);
  captured = flitzis_test_capture_for (16 * PERIOD + 2 * 7200, &frames);
  *excused = flitzis_test_jack_disturbed_since (flitzis_test_jack_shared (RATE, PERIOD),
                                                fixture->engine, xruns);
  while ((message = flitzis_audio_engine_receive_msg (fixture->engine)) != NULL)
    {
      if (flitzis_message_get_kind (message) == FLITZIS_MESSAGE_KIND_SAMPLE_STARTED &&
          flitzis_message_get_slot (message) == 0)
        grid = flitzis_message_get_frame (message);
      flitzis_message_unref (message);
    }
  onset_left = flitzis_test_onset (captured, frames, 0);
  onset_right = flitzis_test_onset (captured, frames, 1);
  g_test_message ("reference at %" G_GUINT64_FORMAT ", grid frame %" G_GUINT64_FORMAT
                  ", captured at %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT,
                  reference, grid, onset_right, onset_left);
  /* On the beat, the first from the period that took it (one that began
   * between the two reads of the frame time, or the next): what the
   * engine reports, exact whatever the machine does. */
  g_assert_cmpuint (grid % 7200, ==, 0);
  g_assert_cmpuint (grid, >=, before);
  g_assert_cmpuint (grid, <=, flitzis_audio_engine_get_grid_frame (fixture->engine,
                                                                   FLITZIS_QUANTIZE_BEAT,
                                                                   after + PERIOD));
  /* Heard there, to the frame. */
  return (gssize) onset_left - (gssize) onset_right == (gssize) grid - (gssize) reference &&
         onset_left % PERIOD == grid % PERIOD;
}

static void
test_quantize_live (FlitzisTestLive *fixture, gconstpointer data)
{
  const float click[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
  g_autofree char *left = flitzis_test_write_stereo (fixture->dir, "l.wav", RATE, click, NULL, 4);
  g_autofree char *right = flitzis_test_write_stereo (fixture->dir, "r.wav", RATE, NULL, click, 4);

  (void) data;
  /* Set before run(): the beats are on multiples of 7200 from frame 0. */
  set_tempo_ok (fixture->engine, 400.0);
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_load_ok (fixture->engine, 0, left);
  flitzis_test_load_ok (fixture->engine, 1, right);
  flitzis_audio_engine_set_quantize (fixture->engine, FLITZIS_QUANTIZE_BEAT);
  flitzis_test_play_until_matched (play_quantized, fixture);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/quantize/120-every-grid", test_quantize_120);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/quantize/93.7-every-grid", test_quantize_93_7);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/quantize/none-and-play-at", test_quantize_none_and_play_at);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/quantize/stop", test_quantize_stop);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/quantize/capacity-1024", test_schedule_capacity);
  FLITZIS_TEST_ADD_LIVE ("/engine/clock/quantize/live", test_quantize_live);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/tempo/change-keeps-phase", test_tempo_change_keeps_phase);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/beat/signal-frames", test_beat_signal_frames);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/beat/reported-by-default", test_beats_by_default);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/beat/unpolled-counted", test_unpolled_beats_counted);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/beat/count-in-not-reported", test_count_in_not_reported);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/beat/follow-changes", test_beats_follow_changes);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/metronome/click-frames", test_metronome_click_frames);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/metronome/count-in", test_metronome_count_in);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/loop/100-wraps", test_loop_100_wraps);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/sync/to-sample", test_sync_to_sample);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/sync/off-speed", test_sync_off_speed);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/clock/errors/bad-values", test_bad_values);
  g_test_add_func ("/engine/clock/position/before-run", test_position_before_run);

  status = g_test_run ();
  flitzis_test_jack_shared_stop ();
  return status;
}
