/* test-samples.c: loading samples, sync and async, superseding and
 * unloading them, their information, and the memory a load takes
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Offline (exact), but for the two loads into a slot that a live engine
 * plays (the program's private JACK dummy server), captured.
 */
#include "config.h"

#include <math.h>
#include <sndfile.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD
#define RAMP_FRAMES (RATE * 5 / 1000)   /* stop fades: 5 ms */

/* ---- load ---- */

static void
test_resampled_sine (FlitzisTestOffline *fixture, gconstpointer data)
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
  path = flitzis_test_write_mono (fixture->dir, "cd.wav", file_rate, sine, length);
  flitzis_test_load_ok (fixture->engine, 0, path);
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
  left = flitzis_test_render_left (fixture->engine, RATE);
  /* Away from the edges, the same sine at the new rate. */
  for (gsize f = 1000; f < RATE - 1000; f++)
    worst = MAX (worst, fabs ((double) left[f] - 0.5 * sin (2 * G_PI * 1000.0 * (double) f / RATE)));
  g_test_message ("largest error of the resampled sine: %g (%.1f dB)", worst,
                  20 * log10 (worst / 0.5));
  g_assert_cmpfloat (worst, <, 1e-3);
}

static void
assert_load_fails (FlitzisTestLive *fixture, guint id, const char *path,
                   GQuark domain, gint code)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (flitzis_audio_engine_load_sample (fixture->engine, id, path, &error));
  g_assert_error (error, domain, code);
}

static void
test_failed_load_keeps_slot (FlitzisTestLive *fixture, gconstpointer data)
{
  const gsize length = 1500;
  g_autofree float *left = flitzis_test_signal (length, 8);
  g_autofree char *path = flitzis_test_write_stereo (fixture->dir, "keep.wav", RATE, left, left, length);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.wav", NULL);
  g_autofree char *text = flitzis_test_write_text (fixture->dir, "text.wav", "RIFF? no.\n");
  float values[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
  g_autofree char *slow = flitzis_test_write_audio (fixture->dir, "slow.wav",
                                                    SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                                                    500, 2, values, 2);
  g_autofree float *captured = NULL;
  gsize frames;

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_load_ok (fixture->engine, 2, path);
  assert_load_fails (fixture, 2, missing, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_load_fails (fixture, 2, text, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT);
  assert_load_fails (fixture, 2, slow, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT);
  assert_load_fails (fixture, 2, fixture->dir, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);

  flitzis_test_start_capture_with_silence (RATE);
  flitzis_test_play_ok (fixture->engine, 2, 1.0f);
  captured = flitzis_test_capture_for (length + 8 * PERIOD, &frames);
  flitzis_test_assert_channel_plays (captured, frames, 0, left, length);
}

/* ---- async ---- */

static void
test_load_async (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", 1000, 0.25f);
  g_autoptr (FlitzisSampleInfo) info = NULL;
  FlitzisTestLoad result = { 0 };
  g_autofree float *left = NULL;

  (void) data;
  flitzis_test_load_async (fixture->engine, 5, path, NULL, &result);
  flitzis_test_wait_loaded (&result);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 5, NULL);
  g_assert_cmpuint (flitzis_sample_info_get_frames (info), ==, 1000);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 5, 1.0f, NULL));
  left = flitzis_test_render_left (fixture->engine, PERIOD);
  g_assert_cmpfloat (left[0], ==, 0.25f);
}

static void
test_load_async_cancelled (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *first = flitzis_test_write_constant (fixture->dir, "first.wav", 100, 0.5f);
  g_autofree char *big = flitzis_test_write_constant (fixture->dir, "big.wav", 20 * RATE, 0.25f);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (FlitzisSampleInfo) info = NULL;
  FlitzisTestLoad result = { 0 };

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, first);
  /* Cancelled before it starts, so that it cannot finish first. */
  g_cancellable_cancel (cancellable);
  flitzis_test_load_async (fixture->engine, 0, big, cancellable, &result);
  flitzis_test_wait_loaded (&result);
  g_assert_false (result.ok);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&result.error);
  /* The slot kept what it held. */
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 0, NULL);
  g_assert_cmpstr (flitzis_sample_info_get_path (info), ==, first);
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
}

static void
test_load_async_errors (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.wav", NULL);
  FlitzisTestLoad result = { 0 };

  (void) data;
  flitzis_test_load_async (fixture->engine, 0, missing, NULL, &result);
  flitzis_test_wait_loaded (&result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&result.error);
  flitzis_test_load_async (fixture->engine, 40, missing, NULL, &result);
  flitzis_test_wait_loaded (&result);
  g_assert_error (result.error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_clear_error (&result.error);
}

/* ---- supersede ---- */

static void
test_load_async_superseded (FlitzisTestOffline *fixture, gconstpointer data)
{
  /* Long enough that the first is still decoding when the second comes. */
  g_autofree char *big = flitzis_test_write_constant (fixture->dir, "big.wav", 20 * RATE, 0.25f);
  g_autofree char *small = flitzis_test_write_constant (fixture->dir, "small.wav", 100, 0.75f);
  FlitzisTestLoad first = { 0 }, second = { 0 };
  g_autoptr (FlitzisSampleInfo) info = NULL;
  g_autofree float *left = NULL;

  (void) data;
  flitzis_test_load_async (fixture->engine, 0, big, NULL, &first);
  flitzis_test_load_async (fixture->engine, 0, small, NULL, &second);
  flitzis_test_wait_loaded (&first);
  flitzis_test_wait_loaded (&second);
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
  left = flitzis_test_render_left (fixture->engine, PERIOD);
  g_assert_cmpfloat (left[0], ==, 0.75f);
}

typedef struct {
  gsize count;
} LiveWait;

static gboolean
live_samples_down_to (gpointer data)
{
  return fz_sample_live_count () <= ((LiveWait *) data)->count;
}

/* The samples of test_replace_while_playing(): A and B, and their files. */
typedef struct {
  FlitzisTestLive *fixture;
  const char *a_path, *b_path;
  const float *a, *b;
  gsize a_length, b_length;
} Replacement;

/* One play of test_replace_while_playing(): A (slot 0) sounds, slot 0
 * is replaced by B and triggered.  Returns whether the capture holds A
 * whole on the left and B whole on the right, after it; @excused: whether
 * the server reported an xrun meanwhile or the capture missed a cycle (a
 * period the engine or the capture missed breaks a sound apart in the
 * capture). */
static gboolean
replace_while_playing (gpointer data, gboolean *excused)
{
  const Replacement *r = data;
  FlitzisTestLive *fixture = r->fixture;
  const char *a_path = r->a_path, *b_path = r->b_path;
  const float *a = r->a, *b = r->b;
  gsize a_length = r->a_length, b_length = r->b_length;
  g_autofree float *captured = NULL;
  guint64 xruns = flitzis_test_count (fixture->engine, flitzis_engine_stats_get_xruns);
  gboolean matched;
  gsize frames;

  flitzis_test_load_ok (fixture->engine, 0, a_path);
  flitzis_test_start_capture_with_silence (2 * RATE);
  flitzis_test_play_ok (fixture->engine, 0, 1.0f);
  /* Let A sound for a few periods before its slot is replaced. */
  flitzis_test_wait_captured_from_now (4 * PERIOD);
  /* Replace slot 0 while A plays, and trigger the new content. */
  flitzis_test_load_ok (fixture->engine, 0, b_path);
  flitzis_test_play_ok (fixture->engine, 0, 1.0f);
  captured = flitzis_test_capture_for (a_length + 8 * PERIOD, &frames);
  *excused = flitzis_test_jack_disturbed_since (flitzis_test_jack_shared (RATE, PERIOD),
                                                fixture->engine, xruns);
  /* A played to its end, untouched by the replacement; B played whole. */
  matched = flitzis_test_channel_matches (captured, frames, 0, a, a_length) &&
            flitzis_test_channel_matches (captured, frames, 1, b, b_length);
  if (matched)
    g_assert_cmpuint (flitzis_test_onset (captured, frames, 1), >, flitzis_test_onset (captured, frames, 0));
  return matched;
}

static void
test_replace_while_playing (FlitzisTestLive *fixture, gconstpointer data)
{
  /* A on the left only, long; B on the right only, short. */
  const gsize a_length = RATE / 4, b_length = 2000;
  g_autofree float *a = flitzis_test_signal (a_length, 6);
  g_autofree float *b = flitzis_test_signal (b_length, 7);
  g_autofree char *a_path = flitzis_test_write_stereo (fixture->dir, "a.wav", RATE, a, NULL, a_length);
  g_autofree char *b_path = flitzis_test_write_stereo (fixture->dir, "b.wav", RATE, NULL, b, b_length);
  LiveWait retired = { 1 };
  Replacement replacement = { fixture, a_path, b_path, a, b, a_length, b_length };

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_play_until_matched (replace_while_playing, &replacement);
  /* A was handed back once its voice ended, and freed: by a control
   * thread, since only the reply ring's consumer can free it. */
  g_assert_true (flitzis_test_wait_until (NULL, live_samples_down_to, &retired, 5000));
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
}

/* ---- unload ---- */

static void
test_unload_sample (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", RATE, 0.5f);
  g_autoptr (FlitzisSampleInfo) info = NULL;
  g_autofree float *left = NULL;
  g_autoptr (GError) error = NULL;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 4, path);
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 4, 1.0f, NULL));
  g_free (flitzis_test_render_left (fixture->engine, PERIOD));
  g_assert_true (flitzis_audio_engine_unload_sample (fixture->engine, 4, &error));
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 4, &error);
  g_assert_null (info);
  g_assert_no_error (error);
  left = flitzis_test_render_left (fixture->engine, 2048);
  for (gsize f = RAMP_FRAMES; f < 2048; f++)
    g_assert_cmpfloat (left[f], ==, 0.0f);
  /* The buffer came back and was freed on this (control) thread. */
  flitzis_test_assert_events (fixture, (const char *[]) { "started 4 0", "finished 4 496", NULL });
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  /* Triggering the empty slot does nothing; unloading it again neither. */
  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, 4, 1.0f, NULL));
  g_assert_true (flitzis_audio_engine_unload_sample (fixture->engine, 4, &error));
  g_free (g_steal_pointer (&left));
  left = flitzis_test_render_left (fixture->engine, PERIOD);
  g_assert_cmpint (flitzis_test_first_sound (left, PERIOD, 1), ==, -1);
}

/* ---- info and memory ---- */

static void
test_sample_info_errors (FlitzisTestOffline *fixture, gconstpointer data)
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
write_long_file (FlitzisTestOffline *fixture, guint seconds)
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
test_load_memory (FlitzisTestOffline *fixture, gconstpointer data)
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
  flitzis_test_load_ok (fixture->engine, 0, path);
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
  int status;

  g_test_init (&argc, &argv, NULL);

  FLITZIS_TEST_ADD_EVENTS ("/engine/samples/load/resampled-sine", test_resampled_sine);
  FLITZIS_TEST_ADD_LIVE ("/engine/samples/load/failed-load-keeps-slot", test_failed_load_keeps_slot);
  FLITZIS_TEST_ADD_EVENTS ("/engine/samples/async/load", test_load_async);
  FLITZIS_TEST_ADD_EVENTS ("/engine/samples/async/cancelled", test_load_async_cancelled);
  FLITZIS_TEST_ADD_EVENTS ("/engine/samples/async/errors", test_load_async_errors);
  FLITZIS_TEST_ADD_EVENTS ("/engine/samples/supersede/async", test_load_async_superseded);
  FLITZIS_TEST_ADD_LIVE ("/engine/samples/supersede/while-playing", test_replace_while_playing);
  FLITZIS_TEST_ADD_EVENTS ("/engine/samples/unload", test_unload_sample);
  FLITZIS_TEST_ADD_EVENTS ("/engine/samples/info/errors", test_sample_info_errors);
  FLITZIS_TEST_ADD_EVENTS ("/engine/samples/memory", test_load_memory);

  status = g_test_run ();
  flitzis_test_jack_shared_stop ();
  return status;
}
