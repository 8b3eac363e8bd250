/* test-levels.c: level meters and playheads, exact, on offline engines
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every snapshot is checked against a brute-force pass over what was
 * rendered (master peaks) or over the frames each voice played (slot
 * peaks): the meters must give exactly those numbers.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sndfile.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "fz-stretch-rubberband.h"

#define RATE 48000
#define PERIOD 256
#define CHANNELS 2

typedef struct {
  char *dir;
  FlitzisAudioEngine *engine;
  GPtrArray *levels;           /* FlitzisLevels *, as emitted */
  float *out;                  /* everything rendered, interleaved */
  gsize rendered;              /* frames in out */
  gsize capacity;
} Fixture;

static void
on_levels (FlitzisAudioEngine *engine, FlitzisLevels *levels, gpointer data)
{
  Fixture *fixture = data;

  (void) engine;
  g_ptr_array_add (fixture->levels, flitzis_levels_ref (levels));
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  fixture->dir = flitzis_test_make_tmpdir ();
  fixture->engine = flitzis_audio_engine_new_offline (RATE, CHANNELS);
  fixture->levels = g_ptr_array_new_with_free_func ((GDestroyNotify) flitzis_levels_unref);
  fixture->capacity = 4 * RATE;
  fixture->out = g_new0 (float, fixture->capacity * CHANNELS);
  g_signal_connect (fixture->engine, "levels", G_CALLBACK (on_levels), fixture);
  g_assert_true (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_finalize_object (fixture->engine);
  g_ptr_array_unref (fixture->levels);
  g_free (fixture->out);
  flitzis_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Renders @periods periods of @frames frames, keeping the output, and lets
 * the main context emit what came back after each. */
static void
render (Fixture *fixture, guint periods, gsize frames)
{
  for (guint p = 0; p < periods; p++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_cmpuint (fixture->rendered + frames, <=, fixture->capacity);
      g_assert_true (flitzis_audio_engine_render (fixture->engine,
                                                  fixture->out + fixture->rendered * CHANNELS,
                                                  frames, &error));
      g_assert_no_error (error);
      fixture->rendered += frames;
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static void
load_stereo (Fixture *fixture, guint slot, const float *data, gsize frames)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("slot-%u.wav", slot);
  g_autofree char *path = flitzis_test_write_audio (fixture->dir, name,
                                                    SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                                    RATE, CHANNELS, data, frames);

  g_assert_true (flitzis_audio_engine_load_sample (fixture->engine, slot, path, &error));
  g_assert_no_error (error);
}

static void
set_rate (Fixture *fixture, guint rate)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_set_meter_rate (fixture->engine, rate, &error));
  g_assert_no_error (error);
}

static void
play (Fixture *fixture, guint slot, float velocity)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, slot, velocity, &error));
  g_assert_no_error (error);
}

/* The brute force: channel @c's largest |x| of the output frames
 * [@start, @end). */
static float
output_peak (const Fixture *fixture, guint c, guint64 start, guint64 end)
{
  float peak = 0.0f;

  for (guint64 f = start; f < end; f++)
    peak = MAX (peak, fabsf (fixture->out[f * CHANNELS + c]));
  return peak;
}

/* The brute force: the largest |x * gain| of @data's frames [@start, @end)
 * on any channel. */
static float
played_peak (const float *data, gsize start, gsize end, float gain)
{
  float peak = 0.0f;

  for (gsize i = start * CHANNELS; i < end * CHANNELS; i++)
    peak = MAX (peak, fabsf (data[i] * gain));
  return peak;
}

/* The same, of a voice looping all of @data (@frames frames) from stream
 * frame 0: stream frames [@start, @end). */
static float
looped_peak (const float *data, gsize frames, guint64 start, guint64 end)
{
  float peak = 0.0f;

  for (guint64 f = start; f < end; f++)
    peak = MAX (peak, played_peak (data, (gsize) (f % frames), (gsize) (f % frames) + 1, 1.0f));
  return peak;
}

/* Each snapshot's master peaks are those of the output frames since the
 * one before, exactly; returns how many there are. */
static guint
check_master_peaks (Fixture *fixture, guint64 first_start)
{
  guint64 start = first_start;

  for (guint i = 0; i < fixture->levels->len; i++)
    {
      FlitzisLevels *levels = g_ptr_array_index (fixture->levels, i);
      guint64 end = flitzis_levels_get_frame (levels);

      g_assert_cmpuint (flitzis_levels_get_n_channels (levels), ==, CHANNELS);
      g_assert_cmpuint (end, >, start);
      for (guint c = 0; c < CHANNELS; c++)
        g_assert_cmpfloat (flitzis_levels_get_master_peak (levels, c), ==,
                           output_peak (fixture, c, start, end));
      start = end;
    }
  return fixture->levels->len;
}

static void
test_off_by_default (Fixture *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (RATE * CHANNELS, 1);
  g_autoptr (FlitzisLevels) levels = NULL;

  (void) data;
  g_assert_cmpuint (flitzis_audio_engine_get_meter_rate (fixture->engine), ==, 0);
  load_stereo (fixture, 0, signal, RATE);
  play (fixture, 0, 1.0f);
  render (fixture, 40, PERIOD);
  g_assert_cmpuint (fixture->levels->len, ==, 0);
  levels = flitzis_audio_engine_get_levels (fixture->engine);
  g_assert_null (levels);
}

/* One full-scale sample in the first audio period of a 30 Hz meter period
 * (1600 frames: seven 256-frame periods) is in that snapshot, and only in
 * it; a peak is the meter period's, not the last audio period's. */
static void
test_single_sample (Fixture *fixture, gconstpointer data)
{
  const gsize frames = RATE / 4, spike = 1800;
  g_autofree float *sample = g_new0 (float, frames * CHANNELS);
  guint found = 0;

  (void) data;
  sample[spike * CHANNELS + 1] = 1.0f;
  load_stereo (fixture, 3, sample, frames);
  set_rate (fixture, 30);
  play (fixture, 3, 1.0f);
  render (fixture, 30, PERIOD);
  g_assert_cmpuint (check_master_peaks (fixture, 0), >=, 4);
  for (guint i = 0; i < fixture->levels->len; i++)
    {
      FlitzisLevels *levels = g_ptr_array_index (fixture->levels, i);
      guint64 end = flitzis_levels_get_frame (levels);
      guint64 start = i == 0 ? 0 : flitzis_levels_get_frame (g_ptr_array_index (fixture->levels, i - 1));
      gboolean has_spike = start <= spike && spike < end;

      /* 30 Hz at 48 kHz: periods end at the first audio period past
       * 1600, 3200, 4800 ... frames. */
      g_assert_cmpuint (end % PERIOD, ==, 0);
      g_assert_cmpuint (end, >=, (guint64) (i + 1) * 1600);
      g_assert_cmpuint (end - PERIOD, <, (guint64) (i + 1) * 1600);
      g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 3), ==, has_spike ? 1.0 : 0.0);
      g_assert_cmpfloat (flitzis_levels_get_master_peak (levels, 1), ==, has_spike ? 1.0 : 0.0);
      g_assert_cmpfloat (flitzis_levels_get_master_peak (levels, 0), ==, 0.0);
      if (has_spike)
        {
          found++;
          /* The spike was in the meter period's first audio period. */
          g_assert_cmpuint (spike, <, start + PERIOD);
        }
    }
  g_assert_cmpuint (found, ==, 1);
}

/* Above full scale is read as it is: 1.25 stays 1.25, and the master
 * volume applies to the master peaks only. */
static void
test_unclamped (Fixture *fixture, gconstpointer data)
{
  const gsize frames = 4000;
  g_autofree float *sample = g_new0 (float, frames * CHANNELS);
  g_autoptr (GError) error = NULL;
  FlitzisLevels *levels;

  (void) data;
  sample[100 * CHANNELS] = -1.25f;
  load_stereo (fixture, 0, sample, frames);
  set_rate (fixture, 60);
  play (fixture, 0, 1.0f);
  render (fixture, 4, PERIOD);
  g_assert_cmpuint (check_master_peaks (fixture, 0), ==, 1);
  levels = g_ptr_array_index (fixture->levels, 0);
  g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 0), ==, 1.25);
  g_assert_cmpfloat (flitzis_levels_get_master_peak (levels, 0), ==, 1.25);
  g_assert_cmpfloat (flitzis_levels_get_master_peak (levels, 1), ==, 0.0);
  /* A master volume of 2: the master reads 2.5, the slot still 1.25. */
  g_assert_true (flitzis_audio_engine_set_volume (fixture->engine, 2.0, &error));
  render (fixture, 4, PERIOD);
  play (fixture, 0, 1.0f);
  render (fixture, 8, PERIOD);
  /* Meter periods end at 1024, 1792, 2560, 3328 and 4096; the second
   * voice played its spike at 2048 + 100. */
  g_assert_cmpuint (check_master_peaks (fixture, 0), ==, 5);
  levels = g_ptr_array_index (fixture->levels, 2);
  g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 0), ==, 1.25);
  g_assert_cmpfloat (flitzis_levels_get_master_peak (levels, 0), ==, 2.5);
}

/* A random signal through slot gain and velocity: every snapshot's slot
 * peak is the brute-force peak of the frames the voice played in it, and
 * the slots that did not sound read 0, with playhead 0. */
static void
test_slot_peaks_exact (Fixture *fixture, gconstpointer data)
{
  const gsize frames = RATE / 8;
  g_autofree float *signal = flitzis_test_signal (frames * CHANNELS, 7);
  g_autoptr (GError) error = NULL;
  guint64 start = 0;

  (void) data;
  load_stereo (fixture, 1, signal, frames);
  load_stereo (fixture, 2, signal, frames);
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 1, 0.75, &error));
  /* Let the gain's ramp settle before the meters start. */
  render (fixture, 2, PERIOD);
  set_rate (fixture, 45);
  play (fixture, 1, 0.5f);
  render (fixture, 60, 200);    /* not a divisor of the meter period */
  g_assert_cmpuint (check_master_peaks (fixture, 2 * PERIOD), >=, 10);
  start = 2 * PERIOD;
  for (guint i = 0; i < fixture->levels->len; i++)
    {
      FlitzisLevels *levels = g_ptr_array_index (fixture->levels, i);
      guint64 end = flitzis_levels_get_frame (levels);
      /* The voice started at the meters' first frame, at source frame 0. */
      gsize from = (gsize) (start - 2 * PERIOD), to = (gsize) MIN (end - 2 * PERIOD, frames);
      float expected = from < to ? played_peak (signal, from, to, 0.5f * 0.75f) : 0.0f;

      g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 1), ==, expected);
      g_assert_cmpuint (flitzis_levels_get_slot_playhead (levels, 1), ==, from < to ? to : 0);
      g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 2), ==, 0.0);
      g_assert_cmpuint (flitzis_levels_get_slot_playhead (levels, 2), ==, 0);
      for (guint slot = 3; slot < FLITZIS_MAX_SAMPLE_SLOTS; slot++)
        g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, slot), ==, 0.0);
      start = end;
    }
  /* The voice ended within the run, and later snapshots read 0 for it. */
  g_assert_cmpuint (start, >, frames + 2 * PERIOD + 2000);
}

/* A looping voice: its playhead is its source frame, wrapping at the loop. */
static void
test_loop_playhead (Fixture *fixture, gconstpointer data)
{
  const gsize frames = 1000;
  g_autofree float *signal = flitzis_test_signal (frames * CHANNELS, 9);
  g_autoptr (GError) error = NULL;

  (void) data;
  load_stereo (fixture, 0, signal, frames);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 0, &error));
  set_rate (fixture, 100);    /* 480 frames: two periods of 256 */
  play (fixture, 0, 1.0f);
  render (fixture, 20, PERIOD);
  g_assert_cmpuint (check_master_peaks (fixture, 0), ==, 10);
  for (guint i = 0; i < fixture->levels->len; i++)
    {
      FlitzisLevels *levels = g_ptr_array_index (fixture->levels, i);
      guint64 end = flitzis_levels_get_frame (levels);
      guint64 start = i == 0 ? 0 : flitzis_levels_get_frame (g_ptr_array_index (fixture->levels, i - 1));

      /* The first audio period that reaches 480, 960, ... frames. */
      g_assert_cmpuint (end % PERIOD, ==, 0);
      g_assert_cmpuint (end, >=, (guint64) (i + 1) * 480);
      g_assert_cmpuint (end - PERIOD, <, (guint64) (i + 1) * 480);
      /* Just after a wrap the playhead is the loop's end, then it goes on
       * from the loop's start. */
      g_assert_cmpuint (flitzis_levels_get_slot_playhead (levels, 0), ==,
                        end % frames == 0 ? frames : end % frames);
      g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 0), ==,
                         looped_peak (signal, frames, start, end));
    }
}

/* A key-locked voice at speed 1.5: its playhead is the source frame its
 * output has reached, 1.5 frames a frame from its trigger, not what its
 * stretcher has read ahead (some 2,000 frames more); while the
 * stretcher's tail comes out after the sample's end, the sample's end
 * (the meters read the sample no further). */
static void
test_keylock_playhead (Fixture *fixture, gconstpointer data)
{
  const gsize frames = 2 * RATE;
  g_autofree float *signal = flitzis_test_signal (frames * CHANNELS, 4);
  g_autoptr (GError) error = NULL;

  (void) data;
  load_stereo (fixture, 0, signal, frames);
  g_assert_true (flitzis_audio_engine_set_sample_key_lock (fixture->engine, 0, TRUE, &error));
  g_assert_true (flitzis_audio_engine_set_speed (fixture->engine, 1.5, &error));
  g_assert_no_error (error);
  set_rate (fixture, 100);
  play (fixture, 0, 1.0f);
  render (fixture, 40, PERIOD);
  g_assert_cmpuint (fixture->levels->len, >, 10);
  for (guint i = 0; i < fixture->levels->len; i++)
    {
      FlitzisLevels *levels = g_ptr_array_index (fixture->levels, i);

      g_assert_cmpuint (flitzis_levels_get_slot_playhead (levels, 0), ==,
                        flitzis_levels_get_frame (levels) * 3 / 2);
    }
  /* On to the end (2 s of sample at 1.5, and its tail) and past it: the
   * playhead reaches the sample's end, never beyond. */
  render (fixture, 280, PERIOD);
  {
    guint64 furthest = 0;

    for (guint i = 0; i < fixture->levels->len; i++)
      furthest = MAX (furthest, flitzis_levels_get_slot_playhead (
                                  g_ptr_array_index (fixture->levels, i), 0));
    g_assert_cmpuint (furthest, ==, frames);
  }
}

/* The newest snapshot without a main loop, and the snapshots nobody took
 * dropped and counted: the meter ring holds 16. */
static void
test_polled_and_dropped (Fixture *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (RATE * CHANNELS, 11);
  g_autoptr (FlitzisLevels) levels = NULL;
  g_autoptr (FlitzisEngineStats) stats = NULL;
  float out[2 * PERIOD * CHANNELS];

  (void) data;
  load_stereo (fixture, 0, signal, RATE);
  set_rate (fixture, 120);    /* 400 frames */
  play (fixture, 0, 1.0f);
  /* 20 meter periods of 512 frames (each audio period ends one), with
   * neither a main loop nor a call that takes replies. */
  for (guint p = 0; p < 20; p++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_true (flitzis_audio_engine_render (fixture->engine, out, 2 * PERIOD, &error));
    }
  stats = flitzis_audio_engine_get_stats (fixture->engine);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_levels (stats), ==, 4);
  levels = flitzis_audio_engine_get_levels (fixture->engine);
  g_assert_nonnull (levels);
  /* The newest the ring held: the 16th. */
  g_assert_cmpuint (flitzis_levels_get_frame (levels), ==, 16 * 2 * PERIOD);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->levels->len, ==, 16);
}

/* Off again: no more snapshots; on at another rate: periods from then. */
static void
test_rate_changes (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint n;

  (void) data;
  set_rate (fixture, 50);     /* 960 frames */
  render (fixture, 8, PERIOD);
  n = fixture->levels->len;
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (flitzis_levels_get_frame (g_ptr_array_index (fixture->levels, 1)), ==,
                    8 * PERIOD);
  set_rate (fixture, 0);
  render (fixture, 8, PERIOD);
  g_assert_cmpuint (fixture->levels->len, ==, n);
  g_object_set (fixture->engine, "meter-rate", 100u, NULL);
  render (fixture, 2, PERIOD);
  g_assert_cmpuint (fixture->levels->len, ==, n + 1);
  g_assert_cmpuint (flitzis_levels_get_frame (g_ptr_array_index (fixture->levels, n)), ==,
                    18 * PERIOD);
  /* Out of range: an error that says what is allowed, nothing changed. */
  g_assert_false (flitzis_audio_engine_set_meter_rate (fixture->engine, 121, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "1 to 120"));
  g_assert_cmpuint (flitzis_audio_engine_get_meter_rate (fixture->engine), ==, 100);
}

/* Kept across runs, and set before run() too. */
static void
test_rate_across_runs (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlitzisLevels) levels = NULL;
  float out[PERIOD];

  g_assert_true (flitzis_audio_engine_set_meter_rate (engine, 120, &error));
  for (guint run = 0; run < 2; run++)
    {
      g_clear_pointer (&levels, flitzis_levels_unref);
      g_assert_true (flitzis_audio_engine_run (engine, &error));
      g_assert_null (flitzis_audio_engine_get_levels (engine));
      for (guint p = 0; p < 2; p++)
        g_assert_true (flitzis_audio_engine_render (engine, out, PERIOD, &error));
      levels = flitzis_audio_engine_get_levels (engine);
      g_assert_nonnull (levels);
      g_assert_cmpuint (flitzis_levels_get_frame (levels), ==, 2 * PERIOD);
      g_assert_cmpuint (flitzis_levels_get_n_channels (levels), ==, 1);
      flitzis_audio_engine_shut_down (engine);
    }
  g_assert_cmpuint (flitzis_audio_engine_get_meter_rate (engine), ==, 120);
}

/* The quiet half of a crossfade (a seek's copy fading out where the voice
 * was) is measured when it falls silent, inside the meter period: a spike
 * only it plays is in the slot's peak, at the larger end of its fade over
 * the piece it played (1.0: the fade starts there).  The playhead is the
 * voice's new place, not the old one's. */
static void
test_seek_crossfade (Fixture *fixture, gconstpointer data)
{
  const gsize frames = 8000;
  g_autofree float *sample = g_new0 (float, frames * CHANNELS);
  g_autoptr (GError) error = NULL;
  FlitzisLevels *levels;

  (void) data;
  sample[600 * CHANNELS] = 0.5f;
  load_stereo (fixture, 5, sample, frames);
  set_rate (fixture, 30);     /* the first meter period ends at 1792 */
  play (fixture, 5, 1.0f);
  render (fixture, 2, PERIOD);
  /* At 512: the copy fades out over 240 frames from source frame 512 on,
   * past the spike at 600; the voice goes on from 3000, silent. */
  g_assert_true (flitzis_audio_engine_seek_sample (fixture->engine, 5, 3000, &error));
  g_assert_no_error (error);
  render (fixture, 5, PERIOD);
  g_assert_cmpuint (check_master_peaks (fixture, 0), ==, 1);
  levels = g_ptr_array_index (fixture->levels, 0);
  g_assert_cmpuint (flitzis_levels_get_frame (levels), ==, 7 * PERIOD);
  /* What the copy really played there was faded: quieter than the bound. */
  g_assert_cmpfloat (flitzis_levels_get_master_peak (levels, 0), >, 0.0);
  g_assert_cmpfloat (flitzis_levels_get_master_peak (levels, 0), <, 0.5);
  g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 5), ==, 0.5);
  g_assert_cmpuint (flitzis_levels_get_slot_playhead (levels, 5), ==, 3000 + 7 * PERIOD - 2 * PERIOD);
}

/* A meter period that ends while a seek's copy still fades out where the
 * voice was: the playhead is the voice's new place (the copy comes after
 * it in the mix, but is not the slot's newest voice). */
static void
test_seek_playhead (Fixture *fixture, gconstpointer data)
{
  const gsize frames = 8000;
  g_autofree float *signal = flitzis_test_signal (frames * CHANNELS, 17);
  g_autoptr (GError) error = NULL;
  FlitzisLevels *levels;

  (void) data;
  load_stereo (fixture, 2, signal, frames);
  set_rate (fixture, 80);     /* 600 frames */
  play (fixture, 2, 1.0f);
  render (fixture, 5, 100);
  g_assert_true (flitzis_audio_engine_seek_sample (fixture->engine, 2, 3000, &error));
  g_assert_no_error (error);
  /* The copy fades from 500 to 740; the meter period ends at 600. */
  render (fixture, 1, 100);
  g_assert_cmpuint (check_master_peaks (fixture, 0), ==, 1);
  levels = g_ptr_array_index (fixture->levels, 0);
  g_assert_cmpuint (flitzis_levels_get_frame (levels), ==, 600);
  g_assert_cmpuint (flitzis_levels_get_slot_playhead (levels, 2), ==, 3100);
  /* Both halves' frames, each at the larger end of its fade: 1.0. */
  g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 2), ==,
                     MAX (played_peak (signal, 0, 600, 1.0f), played_peak (signal, 3000, 3100, 1.0f)));
}

/* While gains glide (a slot gain's ramp, then a stop's fade, each cut into
 * the mixer's pieces), a slot's peak bounds what it played from above
 * and never reads more than its frames at the larger end of the gain;
 * once settled it is exact again. */
static void
test_ramps_bound (Fixture *fixture, gconstpointer data)
{
  const gsize frames = RATE;
  g_autofree float *signal = flitzis_test_signal (frames * CHANNELS, 13);
  g_autoptr (GError) error = NULL;
  guint64 start = 0;

  (void) data;
  load_stereo (fixture, 0, signal, frames);
  set_rate (fixture, 120);    /* 400 frames */
  play (fixture, 0, 1.0f);
  render (fixture, 3, 100);
  /* A 240-frame ramp from frame 300 on, ending mid-period. */
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 0, 0.25, &error));
  render (fixture, 20, 100);
  g_assert_true (flitzis_audio_engine_stop_sample (fixture->engine, 0, &error));
  render (fixture, 10, 100);
  g_assert_cmpuint (check_master_peaks (fixture, 0), >=, 7);
  for (guint i = 0; i < fixture->levels->len; i++)
    {
      FlitzisLevels *levels = g_ptr_array_index (fixture->levels, i);
      guint64 end = flitzis_levels_get_frame (levels);
      double peak = flitzis_levels_get_slot_peak (levels, 0);
      /* Source frame = stream frame: the voice started at 0. */
      float raw = start < end ? played_peak (signal, (gsize) start, (gsize) end, 1.0f) : 0.0f;
      float out = MAX (output_peak (fixture, 0, start, end), output_peak (fixture, 1, start, end));

      g_assert_cmpfloat (out, <=, peak * (1.0 + 1e-6));
      g_assert_cmpfloat (peak, <=, raw);
      /* Settled at 0.25 from 540 on, until the stop at 2300 (its fade
       * ends the voice at 2540). */
      if (start >= 540 && end <= 2300)
        g_assert_cmpfloat (peak, ==, played_peak (signal, (gsize) start, (gsize) end, 0.25f));
      start = flitzis_levels_get_frame (levels);
    }
  /* The stop's fade ended the voice: nothing after it. */
  g_assert_cmpfloat (flitzis_levels_get_slot_peak (g_ptr_array_index (fixture->levels,
                                                                      fixture->levels->len - 1),
                                                   0), ==, 0.0);
}

/* FlitzisLevels covers every slot of the engine: 1024 of them here, the
 * last measured like the first; 32 on a default engine. */
static void
test_every_slot (void)
{
  g_autoptr (FlitzisAudioEngine) engine = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "offline", TRUE,
                                                        "sample-rate", RATE, "channels", CHANNELS,
                                                        "slots", 1024, NULL);
  g_autoptr (FlitzisAudioEngine) small = flitzis_audio_engine_new_offline (RATE, CHANNELS);
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  const gsize frames = 2000;
  g_autofree float *sample = g_new0 (float, frames * CHANNELS);
  g_autofree char *path = NULL;
  g_autoptr (FlitzisLevels) levels = NULL;
  g_autoptr (GError) error = NULL;
  float out[PERIOD * CHANNELS];

  sample[300 * CHANNELS + 1] = -0.75f;
  path = flitzis_test_write_audio (dir, "spike.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE,
                                   CHANNELS, sample, frames);
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_true (flitzis_audio_engine_set_meter_rate (engine, 120, &error));
  g_assert_true (flitzis_audio_engine_load_sample (engine, 1023, path, &error));
  g_assert_true (flitzis_audio_engine_load_sample (engine, 0, path, &error));
  g_assert_true (flitzis_audio_engine_play_sample (engine, 1023, 1.0f, &error));
  g_assert_true (flitzis_audio_engine_play_sample (engine, 0, 0.5f, &error));
  for (guint p = 0; p < 2; p++)
    g_assert_true (flitzis_audio_engine_render (engine, out, PERIOD, &error));
  g_assert_no_error (error);
  levels = flitzis_audio_engine_get_levels (engine);
  g_assert_nonnull (levels);
  g_assert_cmpuint (flitzis_levels_get_n_slots (levels), ==, 1024);
  g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 1023), ==, 0.75);
  g_assert_cmpuint (flitzis_levels_get_slot_playhead (levels, 1023), ==, 2 * PERIOD);
  g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, 0), ==, 0.375);
  for (guint slot = 1; slot < 1023; slot++)
    {
      g_assert_cmpfloat (flitzis_levels_get_slot_peak (levels, slot), ==, 0.0);
      g_assert_cmpuint (flitzis_levels_get_slot_playhead (levels, slot), ==, 0);
    }
  g_clear_pointer (&levels, flitzis_levels_unref);
  flitzis_audio_engine_shut_down (engine);

  g_assert_true (flitzis_audio_engine_run (small, &error));
  g_assert_true (flitzis_audio_engine_set_meter_rate (small, 120, &error));
  for (guint p = 0; p < 2; p++)
    g_assert_true (flitzis_audio_engine_render (small, out, PERIOD, &error));
  levels = flitzis_audio_engine_get_levels (small);
  g_assert_nonnull (levels);
  g_assert_cmpuint (flitzis_levels_get_n_slots (levels), ==, FLITZIS_MAX_SAMPLE_SLOTS);
  g_clear_pointer (&levels, flitzis_levels_unref);
  flitzis_audio_engine_shut_down (small);
  flitzis_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/engine/levels/off-by-default", test_off_by_default);
  ADD ("/engine/levels/single-sample", test_single_sample);
  ADD ("/engine/levels/unclamped", test_unclamped);
  ADD ("/engine/levels/slot-peaks-exact", test_slot_peaks_exact);
  ADD ("/engine/levels/loop-playhead", test_loop_playhead);
  if (fz_stretch_supported ())
    ADD ("/engine/levels/keylock-playhead", test_keylock_playhead);
  ADD ("/engine/levels/polled-and-dropped", test_polled_and_dropped);
  ADD ("/engine/levels/rate-changes", test_rate_changes);
  ADD ("/engine/levels/seek-crossfade", test_seek_crossfade);
  ADD ("/engine/levels/seek-playhead", test_seek_playhead);
  ADD ("/engine/levels/ramps-bound", test_ramps_bound);
#undef ADD
  g_test_add_func ("/engine/levels/every-slot", test_every_slot);
  g_test_add_func ("/engine/levels/rate-across-runs", test_rate_across_runs);
  return g_test_run ();
}
