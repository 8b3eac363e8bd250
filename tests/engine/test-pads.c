/* test-pads.c: slots as a looper's pads, offline and exact: capacity,
 * 5 ms ramps at every period size, retrigger policies, choke groups,
 * exclusive triggers, per-pad pause, resume and seek, loop regions
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every engine here is offline: each frame is exact and every run the
 * same.  A fade or crossfade frame is compared with the straight line it
 * follows to within 1e-6 (its gain is a product of floats); every frame
 * outside a fade is compared bit for bit.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sndfile.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "core/fz-eq.h"
#include "core/fz-mixer.h"
#include "core/fz-params.h"
#include "core/fz-sample.h"

#define RATE 48000
#define RAMP 240                  /* 5 ms at 48 kHz */
#define CLOSE 1e-6f

/* The events fixture of flitzis-test.c: an offline engine whose
 * sample-started, sample-finished, voice-dropped and trigger-late are
 * recorded as "kind slot frame" strings. */
typedef FlitzisTestOffline Fixture;

static char *
write_mono (Fixture *fixture, const char *name, const float *signal, gsize frames)
{
  return flitzis_test_write_audio (fixture->dir, name, SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                   RATE, 1, signal, frames);
}

/* Frame f of a counting sample holds (f + 1) / 4096: every frame tells
 * where it is. */
static float
counting (gsize f)
{
  return (float) (f + 1) / 4096.0f;
}

static char *
write_counting (Fixture *fixture, const char *name, gsize frames)
{
  g_autofree float *signal = g_new (float, frames);

  for (gsize f = 0; f < frames; f++)
    signal[f] = counting (f);
  return write_mono (fixture, name, signal, frames);
}

static char *
write_constant (Fixture *fixture, const char *name, gsize frames, float value)
{
  g_autofree float *signal = g_new (float, frames);

  for (gsize f = 0; f < frames; f++)
    signal[f] = value;
  return write_mono (fixture, name, signal, frames);
}

static void
load_ok (Fixture *fixture, guint id, const char *path)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_load_sample (fixture->engine, id, path, &error));
}

/* Renders @frames frames in periods of @period; returns the left channel. */
static float *
render_left (Fixture *fixture, gsize frames, gsize period)
{
  float *left = g_new (float, frames);
  g_autofree float *block = g_new (float, period * 2);

  for (gsize done = 0; done < frames; done += period)
    {
      gsize n = MIN (period, frames - done);

      g_assert_true (flitzis_audio_engine_render (fixture->engine, block, n, NULL));
      for (gsize f = 0; f < n; f++)
        left[done + f] = block[2 * f];
    }
  return left;
}

/* Frame k (0 .. RAMP - 1) of a 5 ms fade in: its gain. */
static float
fade_in_gain (gsize k)
{
  return (float) (k + 1) / (float) RAMP;
}

static void
assert_close (const float *got, gsize at, float expected)
{
  if (fabsf (got[at] - expected) > CLOSE)
    g_error ("frame %" G_GSIZE_FORMAT ": got %.9g, expected %.9g", at, (double) got[at],
             (double) expected);
}

static void
assert_exact (const float *got, gsize at, float expected)
{
  if (got[at] != expected)
    g_error ("frame %" G_GSIZE_FORMAT ": got %.9g, expected exactly %.9g", at,
             (double) got[at], (double) expected);
}

/* ---- capacity ---- */

static void
test_capacity_defaults (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_assert_cmpuint (flitzis_audio_engine_get_slots (fixture->engine), ==, FLITZIS_MAX_SAMPLE_SLOTS);
  g_assert_cmpuint (flitzis_audio_engine_get_voices (fixture->engine), ==, FLITZIS_MAX_VOICES);
  /* The figures the slots property documents (64-bit systems): the core's
   * slot and parameter cell (its dirty bit aside), its isolator's state
   * for a stereo stream and its place in the list of live ones (issue
   * 18), and the control side's four per-slot pointers or counters. */
  if (sizeof (void *) == 8)
    g_assert_cmpuint (sizeof (FzSlot) + sizeof (FzParamCell) + sizeof (FzEqSlot) +
                      FZ_EQ_SECTIONS * sizeof (FzEqMemory) + sizeof (uint32_t) + 4 * 8, ==, 580);
}

static void
test_capacity_banks (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", 1000, 0.125f);
  g_autoptr (GError) error = NULL;
  g_autofree float *left = NULL;
  FlitzisEngineStats *stats;

  (void) data;
  /* 6 banks of 36 pads, and 8 voices. */
  g_assert_finalize_object (fixture->engine);
  flitzis_test_events_attach (fixture, g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "offline", TRUE,
                                       "sample-rate", RATE, "channels", 2,
                                       "slots", 216, "voices", 8, NULL));
  g_assert_cmpuint (flitzis_audio_engine_get_slots (fixture->engine), ==, 216);
  g_assert_cmpuint (flitzis_audio_engine_get_voices (fixture->engine), ==, 8);
  for (guint id = 0; id < 216; id++)
    load_ok (fixture, id, path);
  g_assert_false (flitzis_audio_engine_load_sample (fixture->engine, 216, path, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_assert_nonnull (strstr (error->message, "0 to 215"));
  g_clear_error (&error);
  /* Nine triggers on the top slots: eight voices, one dropped. */
  for (guint i = 0; i < 9; i++)
    g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 207 + i, 1.0f, &error));
  left = render_left (fixture, 256, 256);
  assert_exact (left, 0, 8 * 0.125f);
  stats = flitzis_audio_engine_get_stats (fixture->engine);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_voices (stats), ==, 1);
  flitzis_engine_stats_unref (stats);
  flitzis_test_assert_events (fixture, (const char *[]) {
    "started 207 0", "started 208 0", "started 209 0", "started 210 0", "started 211 0",
    "started 212 0", "started 213 0", "started 214 0", "dropped 215 0", NULL });
}

/* ---- ramps: 5 ms at every period size ---- */

/* A gain change at the start of period 2 ramps over exactly RAMP frames:
 * frame F + k at from + (to - from) * (k + 1) / RAMP, the target exactly
 * from F + RAMP on, whatever the period. */
static void
assert_ramp (const float *left, gsize ramp_start, gsize frames, float from, float to)
{
  for (gsize f = 0; f < ramp_start; f++)
    assert_exact (left, f, from);
  for (gsize k = 0; k < RAMP; k++)
    {
      assert_close (left, ramp_start + k, from + (to - from) * fade_in_gain (k));
      if (k + 1 < RAMP)
        g_assert_cmpfloat (left[ramp_start + k], !=, to);
    }
  for (gsize f = ramp_start + RAMP; f < frames; f++)
    assert_exact (left, f, to);
}

static void
test_ramps_exact (Fixture *fixture, gconstpointer data)
{
  static const gsize periods[] = { 64, 256, 1024, 4096 };
  g_autofree char *path = write_constant (fixture, "c.wav", 3 * RATE, 0.5f);

  (void) data;
  load_ok (fixture, 0, path);
  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    {
      gsize period = periods[i], frames = 2 * period + RAMP + 2 * period;
      guint64 start = flitzis_audio_engine_get_frame_time (fixture->engine);
      g_autofree float *before = NULL, *left = NULL, *volume = NULL, *stop = NULL;
      g_autofree char *started = NULL, *finished = NULL;

      g_test_message ("period %" G_GSIZE_FORMAT, period);
      g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 0, 1.0, NULL));
      g_assert_true (flitzis_audio_engine_set_volume (fixture->engine, 1.0, NULL));
      g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
      before = render_left (fixture, 2 * period, period);
      /* The slot's gain: 1.0 to 0.25 from the next period's first frame. */
      g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 0, 0.25, NULL));
      left = render_left (fixture, frames - 2 * period, period);
      assert_ramp (left, 0, frames - 2 * period, 0.5f, 0.125f);
      /* The master's: 0.125 to 0.25. */
      g_assert_true (flitzis_audio_engine_set_volume (fixture->engine, 2.0, NULL));
      volume = render_left (fixture, RAMP + period, period);
      assert_ramp (volume, 0, RAMP + period, 0.125f, 0.25f);
      /* A stop's fade ends the voice exactly RAMP frames on. */
      g_assert_true (flitzis_audio_engine_stop_sample (fixture->engine, 0, NULL));
      stop = render_left (fixture, RAMP + period, period);
      assert_ramp (stop, 0, RAMP + period, 0.25f, 0.0f);
      started = g_strdup_printf ("started 0 %" G_GUINT64_FORMAT, start);
      finished = g_strdup_printf ("finished 0 %" G_GUINT64_FORMAT,
                                  start + frames + RAMP + period + RAMP);
      flitzis_test_assert_events (fixture, (const char *[]) { started, finished, NULL });
    }
}

/* The pieces a period is cut into at ramp ends mix with the same bits on
 * every kernel path, at every period size: a script of gain ramps,
 * restarts, chokes, exclusive triggers, pauses, seeks and loop edits on
 * the mixer itself. */
static float *
render_pad_script (FzMixPath path, uint32_t channels, gsize period, gsize *n_values)
{
  FzMixer mixer;
  FzSample *samples[3];
  GArray *out = g_array_new (FALSE, TRUE, sizeof (float));
  guint32 state = 4242;

  fz_mixer_init (&mixer, channels, RATE);
  g_assert_true (fz_mixer_set_path (&mixer, path));
  for (guint i = 0; i < 3; i++)
    {
      gsize frames = 5000 + 3001 * i;

      samples[i] = fz_sample_new (frames, channels, RATE);
      for (gsize v = 0; v < frames * channels; v++)
        {
          state = state * 1664525u + 1013904223u;
          samples[i]->data[v] = ((float) (state >> 8) / 16777216.0f - 0.5f) * 0.9f;
        }
      mixer.slots[i].sample = samples[i];
    }
  fz_mixer_set_loop (&mixer, 0, true, 100, 3000);
  fz_mixer_set_retrigger (&mixer, 0, FZ_RETRIGGER_RESTART);
  fz_mixer_set_group (&mixer, 1, 2);
  fz_mixer_set_group (&mixer, 2, 2);
  for (guint p = 0; p * period < 4 * 4096; p++)
    {
      uint32_t at = (uint32_t) ((p * 37) % period);

      switch (p % 8)
        {
        case 0:
          fz_mixer_play (&mixer, 0, 0.8f, at, false);
          fz_mixer_set_gain (&mixer, FZ_MASTER, p % 16 == 0 ? 0.5f : 1.0f);
          break;
        case 1:
          fz_mixer_play (&mixer, 1 + p % 2, 0.7f, at, false);
          fz_mixer_set_gain (&mixer, 0, 1.5f);
          break;
        case 2:
          fz_mixer_seek (&mixer, 0, 50 + p);
          break;
        case 3:
          fz_mixer_pause_slot (&mixer, 0, true);
          break;
        case 4:
          fz_mixer_pause_slot (&mixer, 0, false);
          fz_mixer_set_loop (&mixer, 0, true, 500 + p, 900 + p);
          break;
        case 5:
          fz_mixer_play (&mixer, 2, 1.0f, at, p % 3 == 0);
          break;
        default:
          fz_mixer_set_gain (&mixer, 1, 0.25f);
          break;
        }
      g_array_set_size (out, (p + 1) * period * channels);
      fz_mixer_render (&mixer, &g_array_index (out, float, p * period * channels), period);
    }
  for (guint i = 0; i < 3; i++)
    fz_sample_unref (samples[i]);
  *n_values = out->len;
  return (float *) g_array_free (out, FALSE);
}

static void
test_ramps_paths_same_bits (Fixture *fixture, gconstpointer data)
{
  static const gsize periods[] = { 64, 256, 1024, 4096 };
  static const FzMixPath vector_paths[] = { FZ_MIX_PATH_VEC128, FZ_MIX_PATH_AVX2 };

  (void) fixture;
  (void) data;
  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    for (uint32_t channels = 1; channels <= 4; channels++)
      {
        gsize n_ref, n;
        g_autofree float *ref = render_pad_script (FZ_MIX_PATH_SCALAR, channels, periods[i],
                                                   &n_ref);

        for (guint v = 0; v < G_N_ELEMENTS (vector_paths); v++)
          {
            FzMixer probe;
            g_autofree float *got = NULL;

            fz_mixer_init (&probe, channels, RATE);
            if (!fz_mixer_set_path (&probe, vector_paths[v]))
              continue;
            got = render_pad_script (vector_paths[v], channels, periods[i], &n);
            g_assert_cmpmem (got, n * sizeof (float), ref, n_ref * sizeof (float));
          }
      }
}

/* ---- retrigger policies ---- */

static void
test_retrigger_layer_default (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", 4 * RATE, 0.25f);
  g_autofree float *left = NULL;

  (void) data;
  load_ok (fixture, 0, path);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 0, 1.0f, 100, NULL));
  left = render_left (fixture, 512, 256);
  assert_exact (left, 99, 0.25f);
  assert_exact (left, 100, 0.5f);
  flitzis_test_assert_events (fixture, (const char *[]) { "started 0 0", "started 0 100", NULL });
}

/* Under RESTART a looping slot retriggered again and again never exceeds
 * one voice's level, and a constant keeps it through each crossfade. */
static void
test_retrigger_restart_level (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", 1000, 0.25f);
  static const guint64 at[] = { 700, 1000, 1100, 2500, 2560, 4000 };
  const gsize frames = 5000;
  g_autofree float *left = NULL;

  (void) data;
  load_ok (fixture, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 0, NULL));
  g_assert_true (flitzis_audio_engine_set_sample_retrigger (fixture->engine, 0,
                                                            FLITZIS_RETRIGGER_RESTART, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (at); i++)
    g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 0, 1.0f, at[i], NULL));
  left = render_left (fixture, frames, 256);
  assert_exact (left, 0, 0.25f);
  for (gsize f = 0; f < frames; f++)
    {
      g_assert_cmpfloat (left[f], <=, 0.25f * (1.0f + CLOSE));
      assert_close (left, f, 0.25f);
    }
}

/* A restart goes back to the loop's start, crossfading from where the old
 * voice was: exact values of both halves. */
static void
test_retrigger_restart_crossfade (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_counting (fixture, "n.wav", 1000);
  g_autofree float *left = NULL;
  const gsize at = 600, frames = 1200;

  (void) data;
  load_ok (fixture, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 100, 900, NULL));
  g_assert_true (flitzis_audio_engine_set_sample_retrigger (fixture->engine, 0,
                                                            FLITZIS_RETRIGGER_RESTART, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 0, 1.0f, at, NULL));
  left = render_left (fixture, frames, 256);
  for (gsize f = 0; f < at; f++)
    assert_exact (left, f, counting (100 + f % 800));
  for (gsize k = 0; k < RAMP; k++)
    assert_close (left, at + k, counting (100 + (at + k) % 800) * (1.0f - fade_in_gain (k))
                                + counting (100 + k) * fade_in_gain (k));
  for (gsize f = at + RAMP; f < frames; f++)
    assert_exact (left, f, counting (100 + (f - at) % 800));
  /* The old voice reports its end when its half of the crossfade is over. */
  flitzis_test_assert_events (fixture, (const char *[]) {
    "started 0 0", "started 0 600", "finished 0 840", NULL });
}

static void
test_retrigger_toggle_alternates (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", 1000, 0.25f);
  g_autofree float *left = NULL;
  const gsize frames = 3 * 1024;

  (void) data;
  load_ok (fixture, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 0, NULL));
  g_assert_true (flitzis_audio_engine_set_sample_retrigger (fixture->engine, 0,
                                                            FLITZIS_RETRIGGER_TOGGLE, NULL));
  for (guint i = 0; i < 3; i++)
    g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 0, 1.0f, 1024 * i + 10,
                                                        NULL));
  left = render_left (fixture, frames, 256);
  /* On at 10, off from 1034 (faded out by 1274), on again at 2058. */
  assert_exact (left, 9, 0.0f);
  assert_exact (left, 10, 0.25f);
  assert_exact (left, 1033, 0.25f);
  for (gsize k = 0; k < RAMP; k++)
    assert_close (left, 1034 + k, 0.25f * (1.0f - fade_in_gain (k)));
  for (gsize f = 1034 + RAMP; f < 2058; f++)
    assert_exact (left, f, 0.0f);
  for (gsize f = 2058; f < frames; f++)
    assert_exact (left, f, 0.25f);
  flitzis_test_assert_events (fixture, (const char *[]) {
    "started 0 10", "finished 0 1274", "started 0 2058", NULL });
}

/* ---- choke groups and exclusive triggers ---- */

static void
test_choke_group (Fixture *fixture, gconstpointer data)
{
  g_autofree char *a = write_constant (fixture, "a.wav", RATE, 0.25f);
  g_autofree char *b = write_constant (fixture, "b.wav", RATE, 0.125f);
  g_autofree char *c = write_constant (fixture, "c.wav", RATE, 0.0625f);
  g_autofree float *left = NULL;
  const gsize at = 300;

  (void) data;
  load_ok (fixture, 0, a);
  load_ok (fixture, 1, b);
  load_ok (fixture, 2, c);
  g_assert_true (flitzis_audio_engine_set_sample_choke_group (fixture->engine, 0, 3, NULL));
  g_assert_true (flitzis_audio_engine_set_sample_choke_group (fixture->engine, 1, 3, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 2, 1.0f, NULL));
  /* The closed hi-hat, mid-period: the open one fades from that frame. */
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 1, 1.0f, at, NULL));
  left = render_left (fixture, 1024, 256);
  for (gsize f = 0; f < at; f++)
    assert_exact (left, f, 0.25f + 0.0625f);
  for (gsize k = 0; k < RAMP; k++)
    assert_close (left, at + k, 0.25f * (1.0f - fade_in_gain (k)) + 0.0625f + 0.125f);
  for (gsize f = at + RAMP; f < 1024; f++)
    assert_exact (left, f, 0.0625f + 0.125f);
  flitzis_test_assert_events (fixture, (const char *[]) {
    "started 0 0", "started 2 0", "started 1 300", "finished 0 540", NULL });
}

static void
test_exclusive (Fixture *fixture, gconstpointer data)
{
  g_autofree char *a = write_constant (fixture, "a.wav", RATE, 0.25f);
  g_autofree char *b = write_constant (fixture, "b.wav", RATE, 0.125f);
  g_autofree float *first = NULL, *left = NULL;

  (void) data;
  load_ok (fixture, 0, a);
  load_ok (fixture, 1, b);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  first = render_left (fixture, 256, 256);
  /* An empty slot stops nothing. */
  g_assert_true (flitzis_audio_engine_play_sample_exclusive (fixture->engine, 5, 1.0f, NULL));
  g_free (g_steal_pointer (&first));
  first = render_left (fixture, 256, 256);
  assert_exact (first, 255, 0.5f);
  g_assert_true (flitzis_audio_engine_play_sample_exclusive (fixture->engine, 1, 1.0f, NULL));
  left = render_left (fixture, 512, 256);
  for (gsize k = 0; k < RAMP; k++)
    assert_close (left, k, 0.5f * (1.0f - fade_in_gain (k)) + 0.125f);
  for (gsize f = RAMP; f < 512; f++)
    assert_exact (left, f, 0.125f);
  flitzis_test_assert_events (fixture, (const char *[]) {
    "started 0 0", "started 0 0", "started 1 512", "finished 0 752", "finished 0 752", NULL });
}

/* ---- per-pad pause, resume, seek ---- */

static void
test_pause_resume_continuity (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_counting (fixture, "n.wav", 4000);
  g_autofree char *other = write_constant (fixture, "c.wav", RATE, 0.5f);
  g_autofree float *playing = NULL, *paused = NULL, *resumed = NULL, *rest = NULL;
  float block[2 * 256];

  (void) data;
  load_ok (fixture, 0, path);
  load_ok (fixture, 1, other);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 1, 1.0f, NULL));
  playing = render_left (fixture, 512, 256);
  g_assert_true (flitzis_audio_engine_pause_sample (fixture->engine, 0, NULL));
  paused = render_left (fixture, 1024, 256);
  for (gsize k = 0; k < RAMP; k++)
    assert_close (paused, k, counting (512 + k) * (1.0f - fade_in_gain (k)) + 0.5f);
  /* Silent and in place; the other slot plays on. */
  for (gsize f = RAMP; f < 1024; f++)
    assert_exact (paused, f, 0.5f);
  /* Held, it does not finish; a stop would end it at once. */
  g_assert_true (flitzis_audio_engine_resume_sample (fixture->engine, 0, NULL));
  g_assert_true (flitzis_audio_engine_stop_sample (fixture->engine, 1, NULL));
  resumed = render_left (fixture, 1024, 256);
  /* From exactly the frame it fell silent at: 512 + RAMP. */
  for (gsize k = 0; k < RAMP; k++)
    assert_close (resumed, k, counting (512 + RAMP + k) * fade_in_gain (k)
                              + 0.5f * (1.0f - fade_in_gain (k)));
  for (gsize f = RAMP; f < 1024; f++)
    assert_exact (resumed, f, counting (512 + RAMP + f));
  /* Pausing twice is once; a paused slot's stop ends its voices at once. */
  g_assert_true (flitzis_audio_engine_pause_sample (fixture->engine, 0, NULL));
  g_assert_true (flitzis_audio_engine_pause_sample (fixture->engine, 0, NULL));
  rest = render_left (fixture, 512, 256);
  assert_exact (rest, RAMP, 0.0f);
  g_assert_true (flitzis_audio_engine_stop_sample (fixture->engine, 0, NULL));
  g_assert_true (flitzis_audio_engine_render (fixture->engine, block, 256, NULL));
  flitzis_test_assert_events (fixture, (const char *[]) {
    "started 0 0", "started 1 0", "finished 1 1776", "finished 0 3072", NULL });
}

static void
test_seek (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_counting (fixture, "n.wav", 4000);
  g_autoptr (GError) error = NULL;
  g_autofree float *before = NULL, *left = NULL;

  (void) data;
  load_ok (fixture, 0, path);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  before = render_left (fixture, 256, 256);
  g_assert_true (flitzis_audio_engine_seek_sample (fixture->engine, 0, 3000, &error));
  left = render_left (fixture, 1024, 256);
  for (gsize k = 0; k < RAMP; k++)
    assert_close (left, k, counting (256 + k) * (1.0f - fade_in_gain (k))
                           + counting (3000 + k) * fade_in_gain (k));
  for (gsize f = RAMP; f < 1000; f++)
    assert_exact (left, f, counting (3000 + f));
  assert_exact (left, 1000, 0.0f);
  /* The voice went on: no event for the faded-out half. */
  flitzis_test_assert_events (fixture, (const char *[]) { "started 0 0", "finished 0 1256", NULL });

  /* Past the end: the error names the length, and nothing was queued. */
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  g_assert_false (flitzis_audio_engine_seek_sample (fixture->engine, 0, 4000, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_FRAME);
  g_assert_nonnull (strstr (error->message, "4000 frames"));
  g_clear_error (&error);
  g_free (g_steal_pointer (&left));
  left = render_left (fixture, 256, 256);
  for (gsize f = 0; f < 256; f++)
    assert_exact (left, f, counting (f));
  g_assert_false (flitzis_audio_engine_seek_sample (fixture->engine, 7, 0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_EMPTY_SLOT);
  g_clear_error (&error);
}

/* ---- loop regions ---- */

static void
assert_loops (Fixture *fixture, guint64 start, guint64 end)
{
  g_autofree float *left = NULL;
  const gsize frames = 2000;

  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  left = render_left (fixture, frames, 256);
  for (gsize f = 0; f < frames; f++)
    assert_exact (left, f, counting (start + f % (end - start)));
  g_assert_true (flitzis_audio_engine_stop_sample (fixture->engine, 0, NULL));
  g_free (render_left (fixture, 512, 256));
}

static void
test_loop_kept_across_loads (Fixture *fixture, gconstpointer data)
{
  g_autofree char *long_path = write_counting (fixture, "1000.wav", 1000);
  g_autofree char *short_path = write_counting (fixture, "500.wav", 500);
  g_autofree char *tiny_path = write_counting (fixture, "200.wav", 200);

  (void) data;
  /* Set on an empty slot, kept for what is loaded next. */
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 300, 700, NULL));
  load_ok (fixture, 0, long_path);
  assert_loops (fixture, 300, 700);
  /* An end past the sample's end is its end... */
  load_ok (fixture, 0, short_path);
  assert_loops (fixture, 300, 500);
  /* ...and a start that is then not before it is 0. */
  load_ok (fixture, 0, tiny_path);
  assert_loops (fixture, 0, 200);
  /* The region as set comes back with a sample it fits. */
  load_ok (fixture, 0, long_path);
  assert_loops (fixture, 300, 700);
}

static void
test_loop_live_edit (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_counting (fixture, "n.wav", 2000);
  g_autofree float *before = NULL, *inside = NULL, *moved = NULL;

  (void) data;
  load_ok (fixture, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 0, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  before = render_left (fixture, 512, 256);
  /* The voice at 512 is inside 0 .. 900: it plays on, untouched. */
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 900, NULL));
  inside = render_left (fixture, 256, 256);
  for (gsize f = 0; f < 256; f++)
    assert_exact (inside, f, counting (512 + f));
  /* At 768, it is outside 100 .. 400: it crossfades to 100 at the next
   * period's first frame. */
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 100, 400, NULL));
  moved = render_left (fixture, 1024, 256);
  for (gsize k = 0; k < RAMP; k++)
    assert_close (moved, k, counting (768 + k) * (1.0f - fade_in_gain (k))
                            + counting (100 + k) * fade_in_gain (k));
  for (gsize f = RAMP; f < 1024; f++)
    assert_exact (moved, f, counting (100 + f % 300));
  flitzis_test_assert_events (fixture, (const char *[]) { "started 0 0", NULL });
}

/* ---- bad values: a clear error, nothing changed ---- */

static void
test_bad_values (Fixture *fixture, gconstpointer data)
{
  g_autofree char *a = write_constant (fixture, "a.wav", RATE, 0.25f);
  g_autofree char *b = write_constant (fixture, "b.wav", RATE, 0.125f);
  g_autoptr (GError) error = NULL;
  g_autofree float *left = NULL;
  FlitzisAudioEngine *engine = fixture->engine;

  (void) data;
#define INVALID(call, code) \
  G_STMT_START { \
    g_assert_false (call); \
    g_assert_error (error, FLITZIS_ENGINE_ERROR, code); \
    g_test_message ("%s", error->message); \
    g_clear_error (&error); \
  } G_STMT_END
  INVALID (flitzis_audio_engine_set_sample_retrigger (engine, 32, FLITZIS_RETRIGGER_RESTART,
                                                      &error),
           FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  INVALID (flitzis_audio_engine_set_sample_choke_group (engine, 32, 1, &error),
           FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  INVALID (flitzis_audio_engine_play_sample_exclusive (engine, 32, 1.0f, &error),
           FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  INVALID (flitzis_audio_engine_play_sample_exclusive (engine, 0, 2.0f, &error),
           FLITZIS_ENGINE_ERROR_INVALID_VELOCITY);
  INVALID (flitzis_audio_engine_pause_sample (engine, 32, &error),
           FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  INVALID (flitzis_audio_engine_resume_sample (engine, 1000, &error),
           FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  INVALID (flitzis_audio_engine_seek_sample (engine, 32, 0, &error),
           FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  INVALID (flitzis_audio_engine_set_sample_loop (engine, 0, TRUE, 10, 10, &error),
           FLITZIS_ENGINE_ERROR_INVALID_LOOP);
  INVALID (flitzis_audio_engine_set_sample_retrigger (engine, 0, (FlitzisRetrigger) 3, &error),
           FLITZIS_ENGINE_ERROR_INVALID_POLICY);
  /* A group too high leaves the slot in its group. */
  load_ok (fixture, 0, a);
  load_ok (fixture, 1, b);
  g_assert_true (flitzis_audio_engine_set_sample_choke_group (engine, 0, 16, NULL));
  g_assert_true (flitzis_audio_engine_set_sample_choke_group (engine, 1, 16, NULL));
  g_assert_false (flitzis_audio_engine_set_sample_choke_group (engine, 1, 17, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GROUP);
  g_assert_nonnull (strstr (error->message, "1 to 16"));
  g_clear_error (&error);
  g_assert_true (flitzis_audio_engine_play_sample (engine, 0, 1.0f, NULL));
  g_assert_true (flitzis_audio_engine_play_sample_at (engine, 1, 1.0f, 256, NULL));
  left = render_left (fixture, 1024, 256);
  assert_exact (left, 255, 0.25f);
  assert_exact (left, 256 + RAMP, 0.125f);
  /* Not running: nothing to queue to. */
  flitzis_audio_engine_shut_down (engine);
  INVALID (flitzis_audio_engine_pause_sample (engine, 0, &error), FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  INVALID (flitzis_audio_engine_set_sample_choke_group (engine, 0, 1, &error),
           FLITZIS_ENGINE_ERROR_NOT_RUNNING);
#undef INVALID
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD FLITZIS_TEST_ADD_EVENTS
  ADD ("/engine/pads/capacity/defaults", test_capacity_defaults);
  ADD ("/engine/pads/capacity/banks", test_capacity_banks);
  ADD ("/engine/pads/ramps/exact-at-every-period", test_ramps_exact);
  ADD ("/engine/pads/ramps/paths-same-bits", test_ramps_paths_same_bits);
  ADD ("/engine/pads/retrigger/layer-default", test_retrigger_layer_default);
  ADD ("/engine/pads/retrigger/restart-keeps-level", test_retrigger_restart_level);
  ADD ("/engine/pads/retrigger/restart-crossfade", test_retrigger_restart_crossfade);
  ADD ("/engine/pads/retrigger/toggle-alternates", test_retrigger_toggle_alternates);
  ADD ("/engine/pads/choke/group", test_choke_group);
  ADD ("/engine/pads/exclusive", test_exclusive);
  ADD ("/engine/pads/pause-resume/continuity", test_pause_resume_continuity);
  ADD ("/engine/pads/seek", test_seek);
  ADD ("/engine/pads/loop/kept-across-loads", test_loop_kept_across_loads);
  ADD ("/engine/pads/loop/live-edit", test_loop_live_edit);
  ADD ("/engine/pads/bad-values", test_bad_values);
#undef ADD

  return g_test_run ();
}
