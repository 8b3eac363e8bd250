/* test-pcm.c: samples loaded from memory, and how far an async load is
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Offline engines: PCM handed over as GBytes must play exactly as a float
 * file of the same frames does (the same resampling, channel mapping and
 * bounds), bad PCM must fail with INVALID_ARGUMENT and change nothing, and
 * load-progress must come in the main context, spaced, non-decreasing,
 * ending with 1.0 just before the load's callback.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sndfile.h>

#include "flitzis.h"
#include "flitzis-audio-engine-private.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD

static GBytes *
pcm_bytes (const float *frames, gsize n_floats)
{
  return g_bytes_new (frames, n_floats * sizeof (float));
}

static void
load_pcm_ok (FlitzisAudioEngine *engine, guint slot, GBytes *pcm, guint rate, guint channels)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_load_sample_from_bytes (engine, slot, pcm, rate, channels,
                                                              &error));
  g_assert_no_error (error);
}

/* Renders @frames frames of slot @slot alone, from its start. */
static float *
render_slot (FlitzisAudioEngine *engine, guint slot, gsize frames)
{
  float *out = g_new0 (float, frames * 2);

  flitzis_test_play_ok (engine, slot, 1.0f);
  flitzis_test_render_ok (engine, out, frames);
  return out;
}

/* PCM and a float WAV of the same frames give the same bits, at the
 * stream's rate, resampled from another, and mapped from 1 and 3
 * channels; the info tells the PCM's own format, and has no path. */
static void
test_equals_file (FlitzisTestOffline *fixture, gconstpointer data)
{
  static const struct { guint rate, channels; gsize frames; } cases[] = {
    { RATE, 2, 3000 }, { 44100, 2, 4410 }, { RATE, 1, 2000 }, { 22050, 3, 2205 },
  };

  (void) data;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint ch = cases[i].channels;
      gsize n = cases[i].frames;
      g_autofree float *signal = flitzis_test_signal (n * ch, 40 + i);
      g_autofree char *name = g_strdup_printf ("case-%u.wav", i);
      g_autofree char *path = flitzis_test_write_audio (fixture->dir, name,
                                                        SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                                        (int) cases[i].rate, (int) ch, signal, n);
      g_autoptr (GBytes) pcm = pcm_bytes (signal, n * ch);
      g_autoptr (FlitzisSampleInfo) from_file = NULL, from_pcm = NULL;
      g_autofree float *a = NULL, *b = NULL;
      gsize frames;

      flitzis_test_load_ok (fixture->engine, 0, path);
      load_pcm_ok (fixture->engine, 1, pcm, cases[i].rate, ch);
      from_file = flitzis_audio_engine_dup_sample_info (fixture->engine, 0, NULL);
      from_pcm = flitzis_audio_engine_dup_sample_info (fixture->engine, 1, NULL);
      g_assert_null (flitzis_sample_info_get_path (from_pcm));
      frames = flitzis_sample_info_get_frames (from_file);
      g_assert_cmpuint (flitzis_sample_info_get_frames (from_pcm), ==, frames);
      g_assert_cmpuint (flitzis_sample_info_get_channels (from_pcm), ==, 2);
      g_assert_cmpuint (flitzis_sample_info_get_original_frames (from_pcm), ==, n);
      g_assert_cmpuint (flitzis_sample_info_get_original_rate (from_pcm), ==, cases[i].rate);
      g_assert_cmpuint (flitzis_sample_info_get_original_channels (from_pcm), ==, ch);
      g_assert_cmpuint (flitzis_sample_info_get_memory_size (from_pcm), ==,
                        flitzis_sample_info_get_memory_size (from_file));
      a = render_slot (fixture->engine, 0, frames + PERIOD);
      b = render_slot (fixture->engine, 1, frames + PERIOD);
      g_assert_cmpmem (a, (frames + PERIOD) * 2 * sizeof (float),
                       b, (frames + PERIOD) * 2 * sizeof (float));
      /* Not silence: the comparison compared something. */
      g_assert_cmpfloat (fabsf (a[2 * (frames / 2)]) + fabsf (a[2 * (frames / 3) + 1]), >, 0.0f);
    }
}

/* Bounded like float files: NaN and infinities play as 0, magnitudes
 * above 8 as 8; and the waveform overview is ready at once. */
static void
test_bounded (FlitzisTestOffline *fixture, gconstpointer data)
{
  const float frames[] = { NAN, 0.5f, INFINITY, -INFINITY, 100.0f, -100.0f, 0.25f, -0.25f };
  g_autoptr (GBytes) pcm = pcm_bytes (frames, G_N_ELEMENTS (frames));
  g_autoptr (GBytes) waveform = NULL;
  g_autoptr (GError) error = NULL;
  const float *values;
  float out[PERIOD * 2];

  (void) data;
  load_pcm_ok (fixture->engine, 2, pcm, RATE, 2);
  flitzis_test_play_ok (fixture->engine, 2, 1.0f);
  flitzis_test_render_ok (fixture->engine, out, PERIOD);
  g_assert_cmpfloat (out[0], ==, 0.0f);
  g_assert_cmpfloat (out[1], ==, 0.5f);
  g_assert_cmpfloat (out[2], ==, 0.0f);
  g_assert_cmpfloat (out[3], ==, 0.0f);
  g_assert_cmpfloat (out[4], ==, 8.0f);
  g_assert_cmpfloat (out[5], ==, -8.0f);
  g_assert_cmpfloat (out[6], ==, 0.25f);
  waveform = flitzis_audio_engine_dup_waveform (fixture->engine, 2, 0, 4, 1, &error);
  g_assert_no_error (error);
  values = g_bytes_get_data (waveform, NULL);
  g_assert_cmpfloat (values[0], ==, 0.0f);   /* left: min, max */
  g_assert_cmpfloat (values[1], ==, 8.0f);
  g_assert_cmpfloat (values[2], ==, -8.0f);  /* right */
  g_assert_cmpfloat (values[3], ==, 0.5f);
}

/* Bad PCM: INVALID_ARGUMENT, a message that says what is allowed, and
 * nothing changed (the slot keeps its sample). */
static void
test_errors (FlitzisTestOffline *fixture, gconstpointer data)
{
  static const struct { gsize bytes; guint rate, channels; const char *says; } cases[] = {
    { 0, RATE, 2, "one or more frames of 8 bytes" },
    { 12, RATE, 2, "12 bytes are not a whole number of frames" },
    { 6, RATE, 1, "one or more frames of 4 bytes" },
    { 16, RATE, 0, "1 to 1024 channels" },
    { 4100, RATE, 1025, "1 to 1024 channels" },
    { 16, 999, 2, "1000 to 768000 Hz" },
    { 16, 768001, 2, "1000 to 768000 Hz" },
  };
  g_autofree float *zeros = g_new0 (float, 2048);
  g_autofree float *kept = flitzis_test_signal (200, 3);
  g_autoptr (GBytes) good = pcm_bytes (kept, 200);
  g_autoptr (FlitzisSampleInfo) before = NULL;
  g_autoptr (GError) error = NULL;

  (void) data;
  load_pcm_ok (fixture->engine, 4, good, RATE, 2);
  before = flitzis_audio_engine_dup_sample_info (fixture->engine, 4, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) pcm = g_bytes_new (zeros, cases[i].bytes);
      g_autoptr (FlitzisSampleInfo) after = NULL;

      g_assert_false (flitzis_audio_engine_load_sample_from_bytes (fixture->engine, 4, pcm,
                                                                   cases[i].rate,
                                                                   cases[i].channels, &error));
      g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].says);
      g_clear_error (&error);
      after = flitzis_audio_engine_dup_sample_info (fixture->engine, 4, NULL);
      g_assert_true (after == before);
    }
  g_assert_false (flitzis_audio_engine_load_sample_from_bytes (fixture->engine, 32, good, RATE, 2,
                                                               &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_clear_error (&error);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_false (flitzis_audio_engine_load_sample_from_bytes (fixture->engine, 0, good, RATE, 2,
                                                               &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
}

/* ---- async, and load-progress ---- */

typedef struct {
  guint slot;
  GArray *fractions;     /* double, as emitted */
  GArray *times;         /* gint64, monotonic, as emitted */
  guint emitted_after_done;
  gboolean done;
  gboolean ok;
  GError *error;
  guint n_at_done;       /* fractions emitted before the callback */
} Watch;

static void
on_progress (FlitzisAudioEngine *engine, guint slot, double fraction, gpointer data)
{
  Watch *watch = data;
  gint64 now = g_get_monotonic_time ();

  (void) engine;
  g_assert_cmpuint (slot, ==, watch->slot);
  if (watch->done)
    watch->emitted_after_done++;
  g_array_append_val (watch->fractions, fraction);
  g_array_append_val (watch->times, now);
}

static void
on_pcm_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  Watch *watch = data;

  watch->ok = flitzis_audio_engine_load_sample_from_bytes_finish (FLITZIS_AUDIO_ENGINE (source),
                                                                   result, &watch->error);
  watch->n_at_done = watch->fractions->len;
  watch->done = TRUE;
}

static void
on_file_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  Watch *watch = data;

  watch->ok = flitzis_audio_engine_load_sample_finish (FLITZIS_AUDIO_ENGINE (source), result,
                                                       &watch->error);
  watch->n_at_done = watch->fractions->len;
  watch->done = TRUE;
}

static gboolean
watch_done (gpointer data)
{
  return ((Watch *) data)->done;
}

static gulong
watch_start (Watch *watch, FlitzisAudioEngine *engine, guint slot)
{
  *watch = (Watch) {
    .slot = slot,
    .fractions = g_array_new (FALSE, FALSE, sizeof (double)),
    .times = g_array_new (FALSE, FALSE, sizeof (gint64)),
  };
  return g_signal_connect (engine, "load-progress", G_CALLBACK (on_progress), watch);
}

/* Non-decreasing, above 0, on the way at least 50 ms apart (so at most 20
 * a second), the last one 1.0 and before the callback, none after it. */
static void
watch_check_completed (Watch *watch)
{
  double last = 0.0;

  g_assert_true (watch->ok);
  g_assert_no_error (watch->error);
  g_assert_cmpuint (watch->fractions->len, >=, 1);
  g_assert_cmpuint (watch->n_at_done, ==, watch->fractions->len);
  for (guint i = 0; i < watch->fractions->len; i++)
    {
      double fraction = g_array_index (watch->fractions, double, i);

      g_assert_cmpfloat (fraction, >, 0.0);
      g_assert_cmpfloat (fraction, >=, last);
      g_assert_cmpfloat (fraction, <=, 1.0);
      if (i + 1 < watch->fractions->len)
        g_assert_cmpfloat (fraction, <, 1.0);
      /* At most 20 a second: no 21 signals within one second.  (Not each
       * gap >= 50 ms: a handler's own time is the main loop's, which a slow
       * iteration, or valgrind, delays for one signal and not the next.) */
      if (i >= 20 && i + 1 < watch->fractions->len)
        g_assert_cmpint (g_array_index (watch->times, gint64, i) -
                         g_array_index (watch->times, gint64, i - 20), >=, G_USEC_PER_SEC);
      last = fraction;
    }
  g_assert_cmpfloat (last, ==, 1.0);
}

static void
watch_clear (Watch *watch, FlitzisAudioEngine *engine, gulong handler)
{
  /* Nothing comes after the callback. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (watch->emitted_after_done, ==, 0);
  g_signal_handler_disconnect (engine, handler);
  g_array_unref (watch->fractions);
  g_array_unref (watch->times);
  g_clear_error (&watch->error);
}

static void
test_async (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (4410 * 2, 5);
  g_autofree char *path = flitzis_test_write_audio (fixture->dir, "same.wav",
                                                    SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2,
                                                    signal, 4410);
  g_autoptr (GBytes) pcm = pcm_bytes (signal, 4410 * 2);
  g_autofree float *a = NULL, *b = NULL;
  Watch watch;
  gulong handler = watch_start (&watch, fixture->engine, 7);

  (void) data;
  flitzis_audio_engine_load_sample_from_bytes_async (fixture->engine, 7, pcm, 44100, 2, NULL,
                                                     on_pcm_loaded, &watch);
  g_assert_true (flitzis_test_wait_until (NULL, watch_done, &watch, 10000));
  watch_check_completed (&watch);
  watch_clear (&watch, fixture->engine, handler);
  /* Published, and the same as the file. */
  flitzis_test_load_ok (fixture->engine, 6, path);
  a = render_slot (fixture->engine, 6, 4800 + PERIOD);
  b = render_slot (fixture->engine, 7, 4800 + PERIOD);
  g_assert_cmpmem (a, (4800 + PERIOD) * 2 * sizeof (float), b, (4800 + PERIOD) * 2 * sizeof (float));
}

/* A file's async load reports progress the same way. */
static void
test_file_async_progress (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_sample (fixture->dir, "long.wav", 44100, 2,
                                                     10 * 44100, 9, 0.5f);
  Watch watch;
  gulong handler = watch_start (&watch, fixture->engine, 3);

  (void) data;
  flitzis_audio_engine_load_sample_async (fixture->engine, 3, path, NULL, on_file_loaded, &watch);
  g_assert_true (flitzis_test_wait_until (NULL, watch_done, &watch, 30000));
  watch_check_completed (&watch);
  watch_clear (&watch, fixture->engine, handler);
}

/* The loading thread waits, halfway, until the main context has shown a
 * fraction of at least one half: progress comes while the load runs. */
static GMutex midway_lock;
static GCond midway_cond;
/* Atomic as well as under the lock: ThreadSanitizer does not see GLib's
 * mutex (tests/tsan.supp), but sees atomics. */
static gint midway_seen;

static void
hold_midway (FlitzisAudioEngine *engine, guint slot, double fraction)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  (void) engine;
  (void) slot;
  if (fraction < 0.5)
    return;
  g_mutex_lock (&midway_lock);
  while (!g_atomic_int_get (&midway_seen) && g_get_monotonic_time () < deadline)
    g_cond_wait_until (&midway_cond, &midway_lock, deadline);
  g_mutex_unlock (&midway_lock);
}

static void
on_midway_progress (FlitzisAudioEngine *engine, guint slot, double fraction, gpointer data)
{
  (void) engine;
  (void) slot;
  (void) data;
  if (fraction < 0.5 || fraction >= 1.0)
    return;
  g_mutex_lock (&midway_lock);
  g_atomic_int_set (&midway_seen, TRUE);
  g_cond_broadcast (&midway_cond);
  g_mutex_unlock (&midway_lock);
}

static void
test_progress_midway (FlitzisTestOffline *fixture, gconstpointer data)
{
  const gsize frames = 10 * RATE;
  g_autofree float *signal = flitzis_test_signal (frames, 21);
  g_autoptr (GBytes) pcm = pcm_bytes (signal, frames);
  Watch watch;
  gulong handler = watch_start (&watch, fixture->engine, 0);
  gulong midway = g_signal_connect (fixture->engine, "load-progress",
                                    G_CALLBACK (on_midway_progress), NULL);

  (void) data;
  g_atomic_int_set (&midway_seen, FALSE);
  _flitzis_audio_engine_set_progress_hook (hold_midway);
  flitzis_audio_engine_load_sample_from_bytes_async (fixture->engine, 0, pcm, RATE, 1, NULL,
                                                     on_pcm_loaded, &watch);
  g_assert_true (flitzis_test_wait_until (NULL, watch_done, &watch, 30000));
  _flitzis_audio_engine_set_progress_hook (NULL);
  g_assert_true (g_atomic_int_get (&midway_seen));
  watch_check_completed (&watch);
  /* At least the midway one and the 1.0. */
  g_assert_cmpuint (watch.fractions->len, >=, 2);
  g_signal_handler_disconnect (fixture->engine, midway);
  watch_clear (&watch, fixture->engine, handler);
}

/* Bad PCM fails through the callback, with no progress; a cancelled load
 * stops without 1.0 and keeps the slot as it was. */
static void
test_async_errors (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree float *zeros = g_new0 (float, 64);
  g_autoptr (GBytes) odd = g_bytes_new (zeros, 7);
  g_autoptr (GBytes) pcm = pcm_bytes (zeros, 64);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Watch watch;
  gulong handler = watch_start (&watch, fixture->engine, 1);

  (void) data;
  flitzis_audio_engine_load_sample_from_bytes_async (fixture->engine, 1, odd, RATE, 1, NULL,
                                                     on_pcm_loaded, &watch);
  g_assert_true (flitzis_test_wait_until (NULL, watch_done, &watch, 10000));
  g_assert_false (watch.ok);
  g_assert_error (watch.error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (watch.fractions->len, ==, 0);
  watch_clear (&watch, fixture->engine, handler);

  handler = watch_start (&watch, fixture->engine, 1);
  g_cancellable_cancel (cancellable);
  flitzis_audio_engine_load_sample_from_bytes_async (fixture->engine, 1, pcm, RATE, 2, cancellable,
                                                     on_pcm_loaded, &watch);
  g_assert_true (flitzis_test_wait_until (NULL, watch_done, &watch, 10000));
  g_assert_false (watch.ok);
  g_assert_error (watch.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint i = 0; i < watch.fractions->len; i++)
    g_assert_cmpfloat (g_array_index (watch.fractions, double, i), <, 1.0);
  g_assert_null (flitzis_audio_engine_dup_sample_info (fixture->engine, 1, NULL));
  watch_clear (&watch, fixture->engine, handler);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  FLITZIS_TEST_ADD_OFFLINE ("/engine/pcm/equals-file", test_equals_file);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/pcm/bounded", test_bounded);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/pcm/errors", test_errors);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/pcm/async", test_async);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/pcm/async/errors", test_async_errors);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/pcm/progress/midway", test_progress_midway);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/pcm/progress/file", test_file_async_progress);
  return g_test_run ();
}
