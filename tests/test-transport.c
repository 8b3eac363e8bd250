/* test-transport.c: a looper's engine, offline: scheduling, loops, stops,
 * gain, events, resampling, async loads and sample information
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs on an offline engine, so every frame is exact and
 * every run the same; test-engine shows that live output is the same.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sndfile.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "core/fz-sample.h"

#define RATE 48000
#define PERIOD 256
#define RAMP_FRAMES (RATE * 5 / 1000)   /* stop fades and gain ramps: 5 ms */

typedef struct {
  char *dir;
  FlitzisAudioEngine *engine;
  GPtrArray *events;          /* "kind slot frame [count]" strings, in order */
} Fixture;

static void
on_event (FlitzisAudioEngine *engine, guint slot, guint64 frame, gpointer data, const char *kind)
{
  Fixture *fixture = data;

  (void) engine;
  g_ptr_array_add (fixture->events,
                   g_strdup_printf ("%s %u %" G_GUINT64_FORMAT, kind, slot, frame));
}

static void
on_started (FlitzisAudioEngine *engine, guint slot, guint64 frame, gpointer data)
{
  on_event (engine, slot, frame, data, "started");
}

static void
on_finished (FlitzisAudioEngine *engine, guint slot, guint64 frame, gpointer data)
{
  on_event (engine, slot, frame, data, "finished");
}

static void
on_dropped (FlitzisAudioEngine *engine, guint slot, guint64 frame, gpointer data)
{
  on_event (engine, slot, frame, data, "dropped");
}

static void
on_late (FlitzisAudioEngine *engine, guint slot, guint64 frame, guint64 late, gpointer data)
{
  Fixture *fixture = data;

  (void) engine;
  g_ptr_array_add (fixture->events, g_strdup_printf ("late %u %" G_GUINT64_FORMAT " %"
                                                     G_GUINT64_FORMAT, slot, frame, late));
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  fixture->dir = flitzis_test_make_tmpdir ();
  fixture->events = g_ptr_array_new_with_free_func (g_free);
  fixture->engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_signal_connect (fixture->engine, "sample-started", G_CALLBACK (on_started), fixture);
  g_signal_connect (fixture->engine, "sample-finished", G_CALLBACK (on_finished), fixture);
  g_signal_connect (fixture->engine, "voice-dropped", G_CALLBACK (on_dropped), fixture);
  g_signal_connect (fixture->engine, "trigger-late", G_CALLBACK (on_late), fixture);
  g_assert_true (flitzis_audio_engine_run (fixture->engine, &error));
}

/* A finished GTask lets go of its source object (the engine) a moment after
 * its callback, on the worker thread. */
static gboolean
only_reference (gpointer data)
{
  return g_atomic_int_get (&G_OBJECT (data)->ref_count) == 1;
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_assert_true (flitzis_test_wait_until (NULL, only_reference, fixture->engine, 5000));
  g_assert_finalize_object (fixture->engine);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  g_ptr_array_unref (fixture->events);
  flitzis_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static char *
write_mono_at (Fixture *fixture, const char *name, guint rate, const float *signal, gsize frames)
{
  return flitzis_test_write_audio (fixture->dir, name, SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                   rate, 1, signal, frames);
}

static char *
write_mono (Fixture *fixture, const char *name, const float *signal, gsize frames)
{
  return write_mono_at (fixture, name, RATE, signal, frames);
}

/* A file whose frame f holds (f + 1) / 4096: every frame tells where it is. */
static char *
write_counting (Fixture *fixture, const char *name, gsize frames)
{
  g_autofree float *signal = g_new (float, frames);

  for (gsize f = 0; f < frames; f++)
    signal[f] = (float) (f + 1) / 4096.0f;
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
  g_assert_no_error (error);
}

/* Renders @frames frames, period by period; returns the left channel. */
static float *
render_left (Fixture *fixture, gsize frames)
{
  float *left = g_new (float, frames);
  float block[PERIOD * 2];

  for (gsize done = 0; done < frames; done += PERIOD)
    {
      gsize n = MIN (PERIOD, frames - done);

      g_assert_true (flitzis_audio_engine_render (fixture->engine, block, n, NULL));
      for (gsize f = 0; f < n; f++)
        left[done + f] = block[2 * f];
    }
  return left;
}

static gssize
first_sound (const float *left, gsize frames)
{
  for (gsize f = 0; f < frames; f++)
    if (left[f] != 0.0f)
      return (gssize) f;
  return -1;
}

static float
largest_step (const float *left, gsize frames)
{
  float largest = 0.0f;

  for (gsize f = 1; f < frames; f++)
    largest = fmaxf (largest, fabsf (left[f] - left[f - 1]));
  return largest;
}

static gboolean
have_events (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];

  return fixture->events->len >= GPOINTER_TO_UINT (((gpointer *) data)[1]);
}

/* Runs the main context until @n events arrived, then compares them. */
static void
assert_events (Fixture *fixture, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);
  gpointer wait[2] = { fixture, GUINT_TO_POINTER (n) };

  g_assert_true (flitzis_test_wait_until (NULL, have_events, wait, 5000));
  for (guint i = 0; i < fixture->events->len; i++)
    g_test_message ("event %u: %s", i, (char *) g_ptr_array_index (fixture->events, i));
  g_assert_cmpuint (fixture->events->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (fixture->events, i), ==, expected[i]);
  g_ptr_array_set_size (fixture->events, 0);
}

/* ---- sample-accurate scheduling ---- */

static void
test_play_at_exact_frame (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", 100, 0.5f);
  const guint64 at[] = { 1000, 1024, 1279 };   /* mid-period, a period's start, its end */

  (void) data;
  load_ok (fixture, 1, path);
  for (guint i = 0; i < G_N_ELEMENTS (at); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree float *left = NULL;
      guint64 now = flitzis_audio_engine_get_frame_time (fixture->engine);

      g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 1, 1.0f,
                                                           now + at[i], &error));
      left = render_left (fixture, at[i] + 512);
      g_assert_cmpint (first_sound (left, at[i] + 512), ==, (gssize) at[i]);
      {
        g_autofree char *started = g_strdup_printf ("started 1 %" G_GUINT64_FORMAT, now + at[i]);
        g_autofree char *finished = g_strdup_printf ("finished 1 %" G_GUINT64_FORMAT,
                                                     now + at[i] + 100);

        assert_events (fixture, (const char *[]) { started, finished, NULL });
      }
    }
}

static void
test_play_at_late (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", 10, 0.5f);
  g_autofree float *left = NULL;
  const char *expected[] = { "late 0 1024 924", "started 0 1024", "finished 0 1034", NULL };

  (void) data;
  load_ok (fixture, 0, path);
  g_free (render_left (fixture, 1024));
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 0, 1.0f, 100, NULL));
  left = render_left (fixture, PERIOD);
  g_assert_cmpint (first_sound (left, PERIOD), ==, 0);
  assert_events (fixture, expected);
}

/* ---- loops ---- */

static void
test_loop_seam_exact (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_counting (fixture, "n.wav", 1000);
  g_autoptr (GError) error = NULL;
  g_autofree float *left = NULL;
  const gsize frames = 5000;

  (void) data;
  load_ok (fixture, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 300, 700, &error));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, &error));
  left = render_left (fixture, frames);
  for (gsize f = 0; f < frames; f++)
    {
      gsize position = f < 700 ? f : 300 + (f - 700) % 400;

      if (left[f] != (float) (position + 1) / 4096.0f)
        g_error ("frame %" G_GSIZE_FORMAT ": got %.9g, expected sample frame %" G_GSIZE_FORMAT,
                 f, (double) left[f], position);
    }
  /* Looping, the voice never finishes by itself. */
  assert_events (fixture, (const char *[]) { "started 0 0", NULL });
}

static void
test_loop_whole_sample_and_off (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_counting (fixture, "n.wav", 100);
  g_autofree float *left = NULL;

  (void) data;
  load_ok (fixture, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 0, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  left = render_left (fixture, 1024);
  for (gsize f = 0; f < 1024; f++)
    g_assert_cmpfloat (left[f], ==, (float) (f % 100 + 1) / 4096.0f);
  /* Off: the voice plays on to the sample's end. */
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, FALSE, 0, 0, NULL));
  g_free (g_steal_pointer (&left));
  left = render_left (fixture, PERIOD);
  g_assert_cmpfloat (left[0], ==, (float) (1024 % 100 + 1) / 4096.0f);
  g_assert_cmpfloat (left[100 - 1024 % 100 - 1], ==, 100.0f / 4096.0f);
  g_assert_cmpfloat (left[100 - 1024 % 100], ==, 0.0f);
  assert_events (fixture, (const char *[]) { "started 0 0", "finished 0 1100", NULL });
}

static void
test_loop_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_counting (fixture, "n.wav", 100);
  g_autoptr (GError) error = NULL;

  (void) data;
  g_assert_false (flitzis_audio_engine_set_sample_loop (fixture->engine, 3, TRUE, 0, 0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_EMPTY_SLOT);
  g_clear_error (&error);
  load_ok (fixture, 3, path);
  g_assert_false (flitzis_audio_engine_set_sample_loop (fixture->engine, 3, TRUE, 50, 101, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_LOOP);
  g_assert_nonnull (strstr (error->message, "100 frames"));
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_sample_loop (fixture->engine, 3, TRUE, 60, 60, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_LOOP);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_sample_loop (fixture->engine, 3, TRUE, 100, 0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_LOOP);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_sample_loop (fixture->engine, 32, TRUE, 0, 0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
}

/* ---- stops and unloads ---- */

static void
test_stop_sample_fades (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", RATE, 0.5f);
  g_autofree float *before = NULL, *after = NULL;
  float *all;
  gssize silent_from = -1;

  (void) data;
  load_ok (fixture, 2, path);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 2, 1.0f, NULL));
  before = render_left (fixture, 1024);
  g_assert_true (flitzis_audio_engine_stop_sample (fixture->engine, 2, NULL));
  after = render_left (fixture, 1024);
  all = g_new (float, 2048);
  memcpy (all, before, 1024 * sizeof (float));
  memcpy (all + 1024, after, 1024 * sizeof (float));
  for (gsize f = 1024; f < 2048 && silent_from < 0; f++)
    if (fabsf (all[f]) <= 1e-6f)
      silent_from = (gssize) f;
  g_test_message ("largest step %g (a cut would be 0.5); silent %" G_GSSIZE_FORMAT
                  " frames after the stop", (double) largest_step (all, 2048), silent_from - 1024);
  /* The stop takes effect at the next period (frame 1024); the fade lasts
   * 5 ms, at most 10 ms, with steps of at most 0.5 / 240. */
  g_assert_cmpfloat (largest_step (all, 2048), <=, 0.5f / RAMP_FRAMES * 1.01f);
  g_assert_cmpint (silent_from - 1024, <=, RATE / 100);
  for (gsize f = 1024 + RAMP_FRAMES; f < 2048; f++)
    g_assert_cmpfloat (all[f], ==, 0.0f);
  assert_events (fixture, (const char *[]) { "started 2 0", "finished 2 1264", NULL });
  g_free (all);
}

static void
test_stop_all_cancels_waiting (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", RATE, 0.5f);
  g_autofree float *left = NULL;

  (void) data;
  load_ok (fixture, 0, path);
  load_ok (fixture, 1, path);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 0.5f, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 1, 0.5f, NULL));
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 1, 1.0f, 5000, NULL));
  g_free (render_left (fixture, PERIOD));
  g_assert_true (flitzis_audio_engine_stop_all (fixture->engine, NULL));
  left = render_left (fixture, 8192);
  for (gsize f = RAMP_FRAMES; f < 8192; f++)
    g_assert_cmpfloat (left[f], ==, 0.0f);
  assert_events (fixture, (const char *[]) { "started 0 0", "started 1 0", "finished 0 496",
                                             "finished 1 496", NULL });
}

static void
test_unload_sample (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", RATE, 0.5f);
  g_autoptr (FlitzisSampleInfo) info = NULL;
  g_autofree float *left = NULL;
  g_autoptr (GError) error = NULL;

  (void) data;
  load_ok (fixture, 4, path);
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 4, 1.0f, NULL));
  g_free (render_left (fixture, PERIOD));
  g_assert_true (flitzis_audio_engine_unload_sample (fixture->engine, 4, &error));
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 4, &error);
  g_assert_null (info);
  g_assert_no_error (error);
  left = render_left (fixture, 2048);
  for (gsize f = RAMP_FRAMES; f < 2048; f++)
    g_assert_cmpfloat (left[f], ==, 0.0f);
  /* The buffer came back and was freed on this (control) thread. */
  assert_events (fixture, (const char *[]) { "started 4 0", "finished 4 496", NULL });
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  /* Triggering the empty slot does nothing; unloading it again neither. */
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 4, 1.0f, NULL));
  g_assert_true (flitzis_audio_engine_unload_sample (fixture->engine, 4, &error));
  g_free (g_steal_pointer (&left));
  left = render_left (fixture, PERIOD);
  g_assert_cmpint (first_sound (left, PERIOD), ==, -1);
}

/* ---- gain ---- */

static void
test_unity_is_bit_transparent (Fixture *fixture, gconstpointer data)
{
  const gsize length = 4000;
  g_autofree float *signal = flitzis_test_signal (length, 11);
  g_autofree char *path = write_mono (fixture, "s.wav", signal, length);
  g_autofree float *left = NULL;

  (void) data;
  load_ok (fixture, 0, path);
  /* Down and back up: once the ramps are over, gains are exactly 1.0. */
  g_assert_true (flitzis_audio_engine_set_volume (fixture->engine, 0.5, NULL));
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 0, 2.0, NULL));
  g_free (render_left (fixture, 1024));
  g_assert_true (flitzis_audio_engine_set_volume (fixture->engine, 1.0, NULL));
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 0, 1.0, NULL));
  g_free (render_left (fixture, 1024));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  left = render_left (fixture, length);
  g_assert_cmpmem (left, length * sizeof (float), signal, length * sizeof (float));
}

static void
test_volume_ramps (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", RATE, 0.8f);
  g_autofree float *left = NULL;

  (void) data;
  load_ok (fixture, 0, path);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  g_free (render_left (fixture, PERIOD));
  g_assert_true (flitzis_audio_engine_set_volume (fixture->engine, 0.25, NULL));
  g_assert_cmpfloat (flitzis_audio_engine_get_volume (fixture->engine), ==, 0.25);
  left = render_left (fixture, 2048);
  g_test_message ("largest step %g", (double) largest_step (left, 2048));
  g_assert_cmpfloat (fabsf (left[0] - 0.8f), <=, 0.8f * 0.75f / RAMP_FRAMES * 1.01f);
  g_assert_cmpfloat (largest_step (left, 2048), <=, 0.8f * 0.75f / RAMP_FRAMES * 1.01f);
  g_assert_cmpfloat (left[2047], ==, 0.8f * 0.25f);
  /* A slot's gain multiplies in, with its own ramp. */
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 0, 0.5, NULL));
  g_free (g_steal_pointer (&left));
  left = render_left (fixture, 2048);
  g_assert_cmpfloat (largest_step (left, 2048), <=, 0.2f * 0.5f / RAMP_FRAMES * 1.01f);
  g_assert_cmpfloat (left[2047], ==, 0.8f * 0.25f * 0.5f);
}

static void
notified (GObject *object, GParamSpec *pspec, gpointer data)
{
  (void) object; (void) pspec;
  (*(guint *) data)++;
}

static void
test_gain_errors_change_nothing (Fixture *fixture, gconstpointer data)
{
  const double bad[] = { -0.1, 4.01, NAN, INFINITY };
  g_autoptr (GError) error = NULL;
  guint notifications = 0;

  (void) data;
  g_signal_connect (fixture->engine, "notify::volume", G_CALLBACK (notified), &notifications);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (flitzis_audio_engine_set_volume (fixture->engine, bad[i], &error));
      g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN);
      g_assert_nonnull (strstr (error->message, "0.0 to 4"));
      g_clear_error (&error);
      g_assert_false (flitzis_audio_engine_set_sample_gain (fixture->engine, 0, bad[i], &error));
      g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN);
      g_clear_error (&error);
    }
  g_assert_cmpfloat (flitzis_audio_engine_get_volume (fixture->engine), ==, 1.0);
  g_assert_cmpuint (notifications, ==, 0);
  g_object_set (fixture->engine, "volume", 2.0, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpfloat (flitzis_audio_engine_get_volume (fixture->engine), ==, 2.0);
}

/* ---- polyphony ---- */

static void
test_voice_dropped_signal (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", RATE, 0.01f);
  GPtrArray *expected = g_ptr_array_new_with_free_func (g_free);

  (void) data;
  load_ok (fixture, 6, path);
  for (guint i = 0; i < FLITZIS_MAX_VOICES + 2; i++)
    g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 6, 1.0f, NULL));
  for (guint i = 0; i < FLITZIS_MAX_VOICES; i++)
    g_ptr_array_add (expected, g_strdup ("started 6 0"));
  g_ptr_array_add (expected, g_strdup ("dropped 6 0"));
  g_ptr_array_add (expected, g_strdup ("dropped 6 0"));
  g_ptr_array_add (expected, NULL);
  g_free (render_left (fixture, PERIOD));
  assert_events (fixture, (const char *const *) expected->pdata);
  g_assert_cmpuint (flitzis_audio_engine_get_dropped_voices (fixture->engine), ==, 2);
  g_ptr_array_unref (expected);
}

/* ---- loading ---- */

static void
test_resampled_sine (Fixture *fixture, gconstpointer data)
{
  const guint file_rate = 44100;
  const gsize length = file_rate;              /* one second */
  g_autofree float *sine = g_new (float, length);
  g_autofree char *path = NULL;
  g_autoptr (FlitzisSampleInfo) info = NULL;
  g_autofree float *left = NULL;
  double worst = 0.0;

  (void) data;
  for (gsize f = 0; f < length; f++)
    sine[f] = 0.5f * (float) sin (2 * G_PI * 1000.0 * (double) f / file_rate);
  path = write_mono_at (fixture, "cd.wav", file_rate, sine, length);
  load_ok (fixture, 0, path);
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 0, NULL);
  g_assert_nonnull (info);
  g_assert_cmpstr (flitzis_sample_info_get_path (info), ==, path);
  g_assert_cmpuint (flitzis_sample_info_get_frames (info), ==, RATE);
  g_assert_cmpuint (flitzis_sample_info_get_channels (info), ==, 2);
  g_assert_cmpuint (flitzis_sample_info_get_sample_rate (info), ==, RATE);
  g_assert_cmpuint (flitzis_sample_info_get_original_frames (info), ==, length);
  g_assert_cmpuint (flitzis_sample_info_get_original_channels (info), ==, 1);
  g_assert_cmpuint (flitzis_sample_info_get_original_rate (info), ==, file_rate);
  /* Stored once, in the stream's layout: 48000 stereo floats, a header
   * and the peak pyramid (under 2 % of the frames). */
  g_assert_cmpuint (flitzis_sample_info_get_memory_size (info), >=, RATE * 2 * sizeof (float));
  g_assert_cmpuint (flitzis_sample_info_get_memory_size (info), <=,
                    RATE * 2 * sizeof (float) * 102 / 100 + 256);

  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  left = render_left (fixture, RATE);
  /* Away from the edges, the same sine at the new rate. */
  for (gsize f = 1000; f < RATE - 1000; f++)
    worst = MAX (worst, fabs ((double) left[f] - 0.5 * sin (2 * G_PI * 1000.0 * (double) f / RATE)));
  g_test_message ("largest error of the resampled sine: %g (%.1f dB)", worst,
                  20 * log10 (worst / 0.5));
  g_assert_cmpfloat (worst, <, 1e-3);
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
} AsyncResult;

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  AsyncResult *async = data;

  async->ok = flitzis_audio_engine_load_sample_finish (FLITZIS_AUDIO_ENGINE (source), result,
                                                      &async->error);
  async->done = TRUE;
}

static gboolean
async_done (gpointer data)
{
  return ((AsyncResult *) data)->done;
}

static void
test_load_async (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_constant (fixture, "c.wav", 1000, 0.25f);
  g_autoptr (FlitzisSampleInfo) info = NULL;
  AsyncResult result = { 0 };
  g_autofree float *left = NULL;

  (void) data;
  flitzis_audio_engine_load_sample_async (fixture->engine, 5, path, NULL, on_loaded, &result);
  g_assert_true (flitzis_test_wait_until (NULL, async_done, &result, 10000));
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 5, NULL);
  g_assert_cmpuint (flitzis_sample_info_get_frames (info), ==, 1000);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 5, 1.0f, NULL));
  left = render_left (fixture, PERIOD);
  g_assert_cmpfloat (left[0], ==, 0.25f);
}

static void
test_load_async_superseded (Fixture *fixture, gconstpointer data)
{
  /* Long enough that the first is still decoding when the second comes. */
  g_autofree char *big = write_constant (fixture, "big.wav", 20 * RATE, 0.25f);
  g_autofree char *small = write_constant (fixture, "small.wav", 100, 0.75f);
  AsyncResult first = { 0 }, second = { 0 };
  g_autoptr (FlitzisSampleInfo) info = NULL;
  g_autofree float *left = NULL;

  (void) data;
  flitzis_audio_engine_load_sample_async (fixture->engine, 0, big, NULL, on_loaded, &first);
  flitzis_audio_engine_load_sample_async (fixture->engine, 0, small, NULL, on_loaded, &second);
  g_assert_true (flitzis_test_wait_until (NULL, async_done, &first, 10000));
  g_assert_true (flitzis_test_wait_until (NULL, async_done, &second, 10000));
  g_assert_false (first.ok);
  g_assert_error (first.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("%s", first.error->message);
  g_clear_error (&first.error);
  g_assert_no_error (second.error);
  g_assert_true (second.ok);
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 0, NULL);
  g_assert_cmpstr (flitzis_sample_info_get_path (info), ==, small);
  /* The older buffer was freed, never published. */
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  left = render_left (fixture, PERIOD);
  g_assert_cmpfloat (left[0], ==, 0.75f);
}

static void
test_load_async_cancelled (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first = write_constant (fixture, "first.wav", 100, 0.5f);
  g_autofree char *big = write_constant (fixture, "big.wav", 20 * RATE, 0.25f);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (FlitzisSampleInfo) info = NULL;
  AsyncResult result = { 0 };

  (void) data;
  load_ok (fixture, 0, first);
  /* Cancelled before it starts, so that it cannot finish first. */
  g_cancellable_cancel (cancellable);
  flitzis_audio_engine_load_sample_async (fixture->engine, 0, big, cancellable, on_loaded, &result);
  g_assert_true (flitzis_test_wait_until (NULL, async_done, &result, 10000));
  g_assert_false (result.ok);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&result.error);
  /* The slot kept what it held. */
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 0, NULL);
  g_assert_cmpstr (flitzis_sample_info_get_path (info), ==, first);
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
}

static void
test_load_async_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.wav", NULL);
  AsyncResult result = { 0 };

  (void) data;
  flitzis_audio_engine_load_sample_async (fixture->engine, 0, missing, NULL, on_loaded, &result);
  g_assert_true (flitzis_test_wait_until (NULL, async_done, &result, 10000));
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&result.error);
  result.done = FALSE;
  flitzis_audio_engine_load_sample_async (fixture->engine, 40, missing, NULL, on_loaded, &result);
  g_assert_true (flitzis_test_wait_until (NULL, async_done, &result, 10000));
  g_assert_error (result.error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_clear_error (&result.error);
}

static void
test_sample_info_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  g_assert_null (flitzis_audio_engine_dup_sample_info (fixture->engine, 0, &error));
  g_assert_no_error (error);
  g_assert_null (flitzis_audio_engine_dup_sample_info (fixture->engine, 32, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
}

/* Writes @seconds of a 16-bit stereo 44.1 kHz file, a second at a time. */
static char *
write_long_file (Fixture *fixture, guint seconds)
{
  g_autofree char *path = g_build_filename (fixture->dir, "long.wav", NULL);
  SF_INFO info = { .samplerate = 44100, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  g_autofree short *second = g_new (short, 44100 * 2);
  SNDFILE *file = sf_open (path, SFM_WRITE, &info);

  g_assert_nonnull (file);
  for (guint i = 0; i < 44100 * 2; i++)
    second[i] = (short) ((i * 7919u) % 20000u) - 10000;
  for (guint s = 0; s < seconds; s++)
    g_assert_cmpint (sf_writef_short (file, second, 44100), ==, 44100);
  sf_close (file);
  return g_steal_pointer (&path);
}

/* A load's peak memory stays near the decoded sample's size: the file is
 * decoded, resampled and mapped chunk by chunk straight into the sample's
 * buffer.  Measured in a process of its own, from the kernel's peak RSS,
 * reset just before the load. */
static void
test_load_memory (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = NULL;
  g_autoptr (FlitzisSampleInfo) info = NULL;
  gsize before, peak, size;

  (void) data;
  if (flitzis_test_instrumented ())
    {
      g_test_skip ("the memory measured would be the sanitizer's or valgrind's");
      return;
    }
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  path = write_long_file (fixture, 60);
  flitzis_test_reset_peak_rss ();
  before = flitzis_test_proc_status_bytes ("VmRSS");
  load_ok (fixture, 0, path);
  peak = flitzis_test_proc_status_bytes ("VmHWM");
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 0, NULL);
  size = flitzis_sample_info_get_memory_size (info);
  /* A subprocess's g_test_message() is not shown: a TAP comment instead. */
  g_printerr ("# decoded %" G_GSIZE_FORMAT " bytes; peak RSS grew by %" G_GSIZE_FORMAT
              " (%.3f x)\n", size, peak - before, (double) (peak - before) / (double) size);
  g_assert_cmpuint (flitzis_sample_info_get_frames (info), ==, 60 * RATE);
  g_assert_cmpuint (peak - before, <=, size + size / 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/transport/play-at/exact-frame", test_play_at_exact_frame);
  ADD ("/transport/play-at/late", test_play_at_late);
  ADD ("/transport/loop/seam-exact", test_loop_seam_exact);
  ADD ("/transport/loop/whole-sample-and-off", test_loop_whole_sample_and_off);
  ADD ("/transport/loop/errors", test_loop_errors);
  ADD ("/transport/stop-sample-fades", test_stop_sample_fades);
  ADD ("/transport/stop-all-cancels-waiting", test_stop_all_cancels_waiting);
  ADD ("/transport/unload", test_unload_sample);
  ADD ("/transport/gain/unity-bit-transparent", test_unity_is_bit_transparent);
  ADD ("/transport/gain/volume-ramps", test_volume_ramps);
  ADD ("/transport/gain/errors-change-nothing", test_gain_errors_change_nothing);
  ADD ("/transport/voice-dropped", test_voice_dropped_signal);
  ADD ("/transport/load/resampled-sine", test_resampled_sine);
  ADD ("/transport/load/async", test_load_async);
  ADD ("/transport/load/async-superseded", test_load_async_superseded);
  ADD ("/transport/load/async-cancelled", test_load_async_cancelled);
  ADD ("/transport/load/async-errors", test_load_async_errors);
  ADD ("/transport/load/info-errors", test_sample_info_errors);
  ADD ("/transport/load/memory", test_load_memory);
#undef ADD
  return g_test_run ();
}
