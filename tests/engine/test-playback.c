/* test-playback.c: playing samples: play_sample() and play_sample_at(),
 * stops, loops, gain and volume, pause, polyphony
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Most of it offline, so that every frame is exact and every run the same;
 * the /engine/playback/.../live and /engine/playback/play/... cases play on
 * a real PortAudio stream into the program's private JACK dummy server and
 * compare the capture sample by sample.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sndfile.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD
#define RAMP_FRAMES (RATE * 5 / 1000)   /* stop fades and gain ramps: 5 ms */

/* A file whose frame f holds (f + 1) / 4096: every frame tells where it is. */
static char *
write_counting (FlitzisTestOffline *fixture, const char *name, gsize frames)
{
  g_autofree float *signal = g_new (float, frames);

  for (gsize f = 0; f < frames; f++)
    signal[f] = (float) (f + 1) / 4096.0f;
  return flitzis_test_write_mono (fixture->dir, name, RATE, signal, frames);
}

/* ---- play ---- */

static float *
scaled (const float *signal, gsize n, float velocity)
{
  float *out = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    out[i] = signal[i] * velocity;
  return out;
}

static void
test_play_captured (FlitzisTestLive *fixture, gconstpointer data)
{
  const gsize length = 3000;   /* not a multiple of the period */
  g_autofree float *left = flitzis_test_signal (length, 4);
  g_autofree float *right = flitzis_test_signal (length, 5);
  g_autofree char *path = flitzis_test_write_stereo (fixture->dir, "tone.wav", RATE, left, right, length);
  g_autofree float *want_left = scaled (left, length, 0.3f);
  g_autofree float *want_right = scaled (right, length, 0.3f);
  g_autofree float *want = g_new (float, 2 * length);

  (void) data;
  /* Both channels from the same frame on: interleaved. */
  for (gsize f = 0; f < length; f++)
    {
      want[2 * f] = want_left[f];
      want[2 * f + 1] = want_right[f];
    }
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_load_ok (fixture->engine, 5, path);
  flitzis_test_jack_assert_plays (fixture->engine, 5, 0.3f, want, length);
}

static void
test_invalid_arguments (FlitzisTestLive *fixture, gconstpointer data)
{
  const float bad_velocities[] = { 1.5f, -0.25f, NAN, INFINITY, -INFINITY, 1.0000001f };
  g_autofree float *signal = flitzis_test_signal (16, 9);
  g_autofree char *path = flitzis_test_write_stereo (fixture->dir, "a.wav", RATE, signal, signal, 16);
  g_autoptr (GError) error = NULL;

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  g_assert_false (flitzis_audio_engine_play_sample (fixture->engine, 32, 1.0f, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_assert_nonnull (strstr (error->message, "0 to 31"));
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_load_sample (fixture->engine, 32, path, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_load_sample (fixture->engine, G_MAXUINT, path, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_clear_error (&error);
  for (guint i = 0; i < G_N_ELEMENTS (bad_velocities); i++)
    {
      g_assert_false (flitzis_audio_engine_play_sample (fixture->engine, 0, bad_velocities[i], &error));
      g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_VELOCITY);
      g_assert_nonnull (strstr (error->message, "0.0 to 1.0"));
      g_clear_error (&error);
    }
  /* The bounds themselves are allowed, and an empty slot is no error. */
  flitzis_test_play_ok (fixture->engine, 0, 0.0f);
  flitzis_test_play_ok (fixture->engine, 31, 1.0f);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* ---- play_at ---- */

static void
test_play_at_exact_frame (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", 100, 0.5f);
  const guint64 at[] = { 1000, 1024, 1279 };   /* mid-period, a period's start, its end */

  (void) data;
  flitzis_test_load_ok (fixture->engine, 1, path);
  for (guint i = 0; i < G_N_ELEMENTS (at); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree float *left = NULL;
      guint64 now = flitzis_audio_engine_get_frame_time (fixture->engine);

      g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 1, 1.0f,
                                                           now + at[i], &error));
      left = flitzis_test_render_left (fixture->engine, at[i] + 512);
      g_assert_cmpint (flitzis_test_first_sound (left, at[i] + 512, 1), ==, (gssize) at[i]);
      {
        g_autofree char *started = g_strdup_printf ("started 1 %" G_GUINT64_FORMAT, now + at[i]);
        g_autofree char *finished = g_strdup_printf ("finished 1 %" G_GUINT64_FORMAT,
                                                     now + at[i] + 100);

        flitzis_test_assert_events (fixture, (const char *[]) { started, finished, NULL });
      }
    }
}

static void
test_play_at_late (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", 10, 0.5f);
  g_autofree float *left = NULL;
  const char *expected[] = { "late 0 1024 924", "started 0 1024", "finished 0 1034", NULL };

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  g_free (flitzis_test_render_left (fixture->engine, 1024));
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 0, 1.0f, 100, NULL));
  left = flitzis_test_render_left (fixture->engine, PERIOD);
  g_assert_cmpint (flitzis_test_first_sound (left, PERIOD, 1), ==, 0);
  flitzis_test_assert_events (fixture, expected);
}

/* Live, the voice of play_sample_at() starts on its frame too: two clicks
 * scheduled 1041 frames apart, one on each channel, are captured 1041
 * frames apart, each at its offset within the period (engine periods are
 * the JACK server's cycles, and the capture starts on a cycle).  Returns
 * whether the capture matched; @excused: whether the server reported an
 * xrun meanwhile or the capture missed a cycle (on a loaded machine a
 * period the engine or the capture missed between the clicks moves them
 * against each other by a period). */
static gboolean
play_clicks_at (gpointer data, gboolean *excused)
{
  FlitzisTestLive *fixture = data;
  g_autoptr (GError) error = NULL;
  g_autofree float *captured = NULL;
  guint64 now, first, second, xruns;
  gsize frames, onset_left, onset_right;

  xruns = flitzis_test_count (fixture->engine, flitzis_engine_stats_get_xruns);
  flitzis_test_start_capture_with_silence (RATE);
  now = flitzis_audio_engine_get_frame_time (fixture->engine);
  first = now + 8 * PERIOD + 37;
  second = first + 1041;
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 0, 1.0f, first, &error));
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 1, 1.0f, second, &error));
  captured = flitzis_test_capture_for (second - now + 8 * PERIOD, &frames);
  *excused = flitzis_test_jack_disturbed_since (flitzis_test_jack_shared (RATE, PERIOD),
                                                fixture->engine, xruns);
  onset_left = flitzis_test_onset (captured, frames, 0);
  onset_right = flitzis_test_onset (captured, frames, 1);
  g_test_message ("scheduled at %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT
                  ", captured at %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT,
                  first, second, onset_left, onset_right);
  g_assert_cmpuint (flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_events), ==, 0);
  return onset_right - onset_left == second - first && onset_left % PERIOD == first % PERIOD;
}

static void
test_play_at_live (FlitzisTestLive *fixture, gconstpointer data)
{
  const float click[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
  g_autofree char *left = flitzis_test_write_stereo (fixture->dir, "l.wav", RATE, click, NULL, 4);
  g_autofree char *right = flitzis_test_write_stereo (fixture->dir, "r.wav", RATE, NULL, click, 4);

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_load_ok (fixture->engine, 0, left);
  flitzis_test_load_ok (fixture->engine, 1, right);
  flitzis_test_play_until_matched (play_clicks_at, fixture);
}

/* ---- loops ---- */

static void
test_loop_seam_exact (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = write_counting (fixture, "n.wav", 1000);
  g_autoptr (GError) error = NULL;
  g_autofree float *left = NULL;
  const gsize frames = 5000;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 300, 700, &error));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, &error));
  left = flitzis_test_render_left (fixture->engine, frames);
  for (gsize f = 0; f < frames; f++)
    {
      /* A looping slot's voice starts at the loop's start. */
      gsize position = 300 + f % 400;

      if (left[f] != (float) (position + 1) / 4096.0f)
        g_error ("frame %" G_GSIZE_FORMAT ": got %.9g, expected sample frame %" G_GSIZE_FORMAT,
                 f, (double) left[f], position);
    }
  /* Looping, the voice never finishes by itself. */
  flitzis_test_assert_events (fixture, (const char *[]) { "started 0 0", NULL });
}

static void
test_loop_whole_sample_and_off (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = write_counting (fixture, "n.wav", 100);
  g_autofree float *left = NULL;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 0, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  left = flitzis_test_render_left (fixture->engine, 1024);
  for (gsize f = 0; f < 1024; f++)
    g_assert_cmpfloat (left[f], ==, (float) (f % 100 + 1) / 4096.0f);
  /* Off: the voice plays on to the sample's end. */
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, FALSE, 0, 0, NULL));
  g_free (g_steal_pointer (&left));
  left = flitzis_test_render_left (fixture->engine, PERIOD);
  g_assert_cmpfloat (left[0], ==, (float) (1024 % 100 + 1) / 4096.0f);
  g_assert_cmpfloat (left[100 - 1024 % 100 - 1], ==, 100.0f / 4096.0f);
  g_assert_cmpfloat (left[100 - 1024 % 100], ==, 0.0f);
  flitzis_test_assert_events (fixture, (const char *[]) { "started 0 0", "finished 0 1100", NULL });
}

static void
test_loop_errors (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = write_counting (fixture, "n.wav", 100);
  g_autoptr (GError) error = NULL;

  (void) data;
  /* An empty slot keeps its region for the sample loaded next, and a
   * region is clamped to the sample it plays (tests/engine/test-pads.c):
   * only an end not after the start is an error. */
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 3, TRUE, 0, 0, &error));
  flitzis_test_load_ok (fixture->engine, 3, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 3, TRUE, 50, 101, &error));
  g_assert_false (flitzis_audio_engine_set_sample_loop (fixture->engine, 3, TRUE, 60, 60, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_LOOP);
  g_clear_error (&error);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 3, TRUE, 100, 0, &error));
  g_assert_false (flitzis_audio_engine_set_sample_loop (fixture->engine, 32, TRUE, 0, 0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
}

/* ---- stops ---- */

static void
test_stop_sample_fades (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", RATE, 0.5f);
  g_autofree float *before = NULL, *after = NULL;
  float *all;
  gssize silent_from = -1;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 2, path);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 2, 1.0f, NULL));
  before = flitzis_test_render_left (fixture->engine, 1024);
  g_assert_true (flitzis_audio_engine_stop_sample (fixture->engine, 2, NULL));
  after = flitzis_test_render_left (fixture->engine, 1024);
  all = g_new (float, 2048);
  memcpy (all, before, 1024 * sizeof (float));
  memcpy (all + 1024, after, 1024 * sizeof (float));
  for (gsize f = 1024; f < 2048 && silent_from < 0; f++)
    if (fabsf (all[f]) <= 1e-6f)
      silent_from = (gssize) f;
  g_test_message ("largest step %g (a cut would be 0.5); silent %" G_GSSIZE_FORMAT
                  " frames after the stop", (double) flitzis_test_largest_step (all, 2048), silent_from - 1024);
  /* The stop takes effect at the next period (frame 1024); the fade lasts
   * 5 ms, at most 10 ms, with steps of at most 0.5 / 240. */
  g_assert_cmpfloat (flitzis_test_largest_step (all, 2048), <=, 0.5f / RAMP_FRAMES * 1.01f);
  g_assert_cmpint (silent_from - 1024, <=, RATE / 100);
  for (gsize f = 1024 + RAMP_FRAMES; f < 2048; f++)
    g_assert_cmpfloat (all[f], ==, 0.0f);
  flitzis_test_assert_events (fixture, (const char *[]) { "started 2 0", "finished 2 1264", NULL });
  g_free (all);
}

static void
test_stop_all_cancels_waiting (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", RATE, 0.5f);
  g_autofree float *left = NULL;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  flitzis_test_load_ok (fixture->engine, 1, path);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 0.5f, NULL));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 1, 0.5f, NULL));
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 1, 1.0f, 5000, NULL));
  g_free (flitzis_test_render_left (fixture->engine, PERIOD));
  g_assert_true (flitzis_audio_engine_stop_all (fixture->engine, NULL));
  left = flitzis_test_render_left (fixture->engine, 8192);
  for (gsize f = RAMP_FRAMES; f < 8192; f++)
    g_assert_cmpfloat (left[f], ==, 0.0f);
  flitzis_test_assert_events (fixture, (const char *[]) { "started 0 0", "started 1 0", "finished 0 496", "finished 1 496", NULL });
}

/* ---- gain and volume ---- */

static void
test_unity_is_bit_transparent (FlitzisTestOffline *fixture, gconstpointer data)
{
  const gsize length = 4000;
  g_autofree float *signal = flitzis_test_signal (length, 11);
  g_autofree char *path = flitzis_test_write_mono (fixture->dir, "s.wav", RATE, signal, length);
  g_autofree float *left = NULL;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  /* Down and back up: once the ramps are over, gains are exactly 1.0. */
  g_assert_true (flitzis_audio_engine_set_volume (fixture->engine, 0.5, NULL));
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 0, 2.0, NULL));
  g_free (flitzis_test_render_left (fixture->engine, 1024));
  g_assert_true (flitzis_audio_engine_set_volume (fixture->engine, 1.0, NULL));
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 0, 1.0, NULL));
  g_free (flitzis_test_render_left (fixture->engine, 1024));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  left = flitzis_test_render_left (fixture->engine, length);
  g_assert_cmpmem (left, length * sizeof (float), signal, length * sizeof (float));
}

static void
test_volume_ramps (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", RATE, 0.8f);
  g_autofree float *left = NULL;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, NULL));
  g_free (flitzis_test_render_left (fixture->engine, PERIOD));
  g_assert_true (flitzis_audio_engine_set_volume (fixture->engine, 0.25, NULL));
  g_assert_cmpfloat (flitzis_audio_engine_get_volume (fixture->engine), ==, 0.25);
  left = flitzis_test_render_left (fixture->engine, 2048);
  g_test_message ("largest step %g", (double) flitzis_test_largest_step (left, 2048));
  g_assert_cmpfloat (fabsf (left[0] - 0.8f), <=, 0.8f * 0.75f / RAMP_FRAMES * 1.01f);
  g_assert_cmpfloat (flitzis_test_largest_step (left, 2048), <=, 0.8f * 0.75f / RAMP_FRAMES * 1.01f);
  g_assert_cmpfloat (left[2047], ==, 0.8f * 0.25f);
  /* A slot's gain multiplies in, with its own ramp. */
  g_assert_true (flitzis_audio_engine_set_sample_gain (fixture->engine, 0, 0.5, NULL));
  g_free (g_steal_pointer (&left));
  left = flitzis_test_render_left (fixture->engine, 2048);
  g_assert_cmpfloat (flitzis_test_largest_step (left, 2048), <=, 0.2f * 0.5f / RAMP_FRAMES * 1.01f);
  g_assert_cmpfloat (left[2047], ==, 0.8f * 0.25f * 0.5f);
}

static void
test_gain_errors_change_nothing (FlitzisTestOffline *fixture, gconstpointer data)
{
  const double bad[] = { -0.1, 4.01, NAN, INFINITY };
  g_autoptr (GError) error = NULL;
  guint notifications = 0;

  (void) data;
  g_signal_connect (fixture->engine, "notify::volume", G_CALLBACK (flitzis_test_count_notify),
                    &notifications);
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

/* ---- pause ---- */

static void
test_pause_resume (FlitzisTestOffline *fixture, gconstpointer data)
{
  const gsize length = 1000;
  g_autofree float *signal = flitzis_test_signal (length, 31);
  g_autofree char *path = flitzis_test_write_mono (fixture->dir, "a.wav", RATE, signal, length);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlitzisMessage) started = NULL;
  g_autoptr (FlitzisMessage) pong = NULL;
  float out[1000 * 2];

  (void) data;
  g_assert_true (flitzis_audio_engine_load_sample (fixture->engine, 0, path, &error));
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, &error));
  flitzis_test_render_ok (fixture->engine, out, 300);
  for (gsize f = 0; f < 300; f++)
    g_assert_cmpfloat (out[2 * f], ==, signal[f]);

  g_assert_false (flitzis_audio_engine_get_paused (fixture->engine));
  g_assert_true (flitzis_audio_engine_pause (fixture->engine, &error));
  g_assert_true (flitzis_audio_engine_pause (fixture->engine, &error));  /* no-op */
  g_assert_true (flitzis_audio_engine_get_paused (fixture->engine));
  g_assert_true (flitzis_audio_engine_ping (fixture->engine, &error));
  flitzis_test_render_ok (fixture->engine, out, 200);
  for (gsize i = 0; i < 200 * 2; i++)
    g_assert_cmpfloat (out[i], ==, 0.0f);
  /* Paused, commands are still carried out and pings answered (and beats
   * reported: passed over). */
  started = flitzis_test_receive_skipping_beats (fixture->engine);
  g_assert_nonnull (started);
  g_assert_cmpint (flitzis_message_get_kind (started), ==, FLITZIS_MESSAGE_KIND_SAMPLE_STARTED);
  g_assert_cmpuint (flitzis_message_get_frame (started), ==, 0);
  pong = flitzis_test_receive_skipping_beats (fixture->engine);
  g_assert_nonnull (pong);
  g_assert_cmpint (flitzis_message_get_kind (pong), ==, FLITZIS_MESSAGE_KIND_PONG);
  g_assert_cmpuint (flitzis_message_get_frame (pong), ==, 300);
  g_assert_cmpuint (flitzis_audio_engine_get_frame_time (fixture->engine), ==, 500);

  g_assert_true (flitzis_audio_engine_resume (fixture->engine, &error));
  g_assert_false (flitzis_audio_engine_get_paused (fixture->engine));
  flitzis_test_render_ok (fixture->engine, out, 1000);
  /* The voice goes on from frame 300 of the sample, then silence. */
  for (gsize f = 0; f < 1000; f++)
    g_assert_cmpfloat (out[2 * f + 1], ==, f < length - 300 ? signal[300 + f] : 0.0f);
  g_assert_no_error (error);
}

static void
test_pause_errors_and_notify (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) stopped = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;
  guint notified = 0;

  (void) data;
  g_assert_false (flitzis_audio_engine_pause (stopped, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_resume (stopped, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  g_signal_connect (fixture->engine, "notify::paused", G_CALLBACK (flitzis_test_count_notify),
                    &notified);
  g_assert_true (flitzis_audio_engine_pause (fixture->engine, &error));
  g_assert_true (flitzis_audio_engine_pause (fixture->engine, &error));
  g_assert_true (flitzis_audio_engine_resume (fixture->engine, &error));
  g_assert_true (flitzis_audio_engine_pause (fixture->engine, &error));
  /* Notified in the main context, once per change. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (notified, ==, 3);
  /* Shutting down ends the pause. */
  flitzis_audio_engine_shut_down (fixture->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (flitzis_audio_engine_get_paused (fixture->engine));
  g_assert_cmpuint (notified, ==, 4);
}

/* ---- polyphony ---- */

static void
test_voice_dropped_signal (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", RATE, 0.01f);
  GPtrArray *expected = g_ptr_array_new_with_free_func (g_free);

  (void) data;
  flitzis_test_load_ok (fixture->engine, 6, path);
  for (guint i = 0; i < FLITZIS_MAX_VOICES + 2; i++)
    g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 6, 1.0f, NULL));
  for (guint i = 0; i < FLITZIS_MAX_VOICES; i++)
    g_ptr_array_add (expected, g_strdup ("started 6 0"));
  g_ptr_array_add (expected, g_strdup ("dropped 6 0"));
  g_ptr_array_add (expected, g_strdup ("dropped 6 0"));
  g_ptr_array_add (expected, NULL);
  g_free (flitzis_test_render_left (fixture->engine, PERIOD));
  flitzis_test_assert_events (fixture, (const char *const *) expected->pdata);
  g_assert_cmpuint (flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_voices), ==, 2);
  g_ptr_array_unref (expected);
}

static void
test_polyphony_limit (FlitzisTestLive *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (RATE, 10);
  g_autofree char *path = flitzis_test_write_stereo (fixture->dir, "long.wav", RATE, signal, signal, RATE);

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_load_ok (fixture->engine, 0, path);
  for (guint i = 0; i < FLITZIS_MAX_VOICES + 1; i++)
    flitzis_test_play_ok (fixture->engine, 0, 0.01f);
  flitzis_test_wait_frames (NULL, fixture->engine, 2 * PERIOD);
  g_assert_cmpuint (flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_voices), ==, 1);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  FLITZIS_TEST_ADD_LIVE ("/engine/playback/play/captured", test_play_captured);
  FLITZIS_TEST_ADD_LIVE ("/engine/playback/play/invalid-arguments", test_invalid_arguments);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/play-at/exact-frame", test_play_at_exact_frame);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/play-at/late", test_play_at_late);
  FLITZIS_TEST_ADD_LIVE ("/engine/playback/play-at/live", test_play_at_live);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/loop/seam-exact", test_loop_seam_exact);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/loop/whole-sample-and-off", test_loop_whole_sample_and_off);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/loop/errors", test_loop_errors);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/stop/sample-fades", test_stop_sample_fades);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/stop/all-cancels-waiting", test_stop_all_cancels_waiting);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/gain/unity-bit-transparent", test_unity_is_bit_transparent);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/gain/errors-change-nothing", test_gain_errors_change_nothing);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/volume/ramps", test_volume_ramps);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/playback/pause/resume-where-it-was", test_pause_resume);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/playback/pause/errors-and-notify", test_pause_errors_and_notify);
  FLITZIS_TEST_ADD_EVENTS ("/engine/playback/polyphony/voice-dropped", test_voice_dropped_signal);
  FLITZIS_TEST_ADD_LIVE ("/engine/playback/polyphony/limit", test_polyphony_limit);

  status = g_test_run ();
  flitzis_test_jack_shared_stop ();
  return status;
}
