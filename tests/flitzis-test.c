/* flitzis-test.c: helpers shared by the test programs
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sndfile.h>
#include <glib/gstdio.h>

#include "flitzis.h"
#include "core/fz-core.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"

static gboolean
tick (gpointer data)
{
  (void) data;
  return G_SOURCE_CONTINUE;
}

gboolean
flitzis_test_wait_until (GMainContext *context, FlitzisTestCondition condition,
                         gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time ()
                   + (gint64) timeout_ms * 1000 * flitzis_test_slowdown ();
  GSource *ticker = g_timeout_source_new (1);
  gboolean held;

  g_source_set_callback (ticker, tick, NULL, NULL);
  g_source_attach (ticker, context);
  while (!(held = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (ticker);
  g_source_unref (ticker);
  return held;
}

typedef struct {
  FlitzisAudioEngine *engine;
  guint64 until;
} FramesWait;

static gboolean
frames_reached (gpointer data)
{
  FramesWait *wait = data;

  return flitzis_audio_engine_get_frame_time (wait->engine) >= wait->until;
}

guint64
flitzis_test_wait_frames (GMainContext *context, FlitzisAudioEngine *engine, guint64 frames)
{
  guint64 start = flitzis_audio_engine_get_frame_time (engine);
  FramesWait wait = { engine, start + frames };

  g_assert_true (flitzis_test_wait_until (context, frames_reached, &wait, 5000));
  return start;
}

guint64
flitzis_test_count (FlitzisAudioEngine *engine, guint64 (*count) (const FlitzisEngineStats *stats))
{
  g_autoptr (FlitzisEngineStats) stats = flitzis_audio_engine_get_stats (engine);

  return count (stats);
}

typedef struct {
  FlitzisAudioEngine *engine;
  guint64 (*count) (const FlitzisEngineStats *stats);
  guint64 at_least;
} CountTarget;

static gboolean
count_reached (gpointer data)
{
  CountTarget *target = data;

  return flitzis_test_count (target->engine, target->count) >= target->at_least;
}

gboolean
flitzis_test_wait_count (FlitzisAudioEngine *engine,
                         guint64 (*count) (const FlitzisEngineStats *stats), guint64 at_least,
                         guint timeout_ms)
{
  CountTarget target = { engine, count, at_least };

  return flitzis_test_wait_until (NULL, count_reached, &target, timeout_ms);
}

void
flitzis_test_play_until_matched (FlitzisTestPlay play, gpointer data)
{
  for (guint attempt = 1;; attempt++)
    {
      gboolean disturbed = FALSE;

      if (play (data, &disturbed))
        return;
      g_test_message ("play %u did not match%s", attempt,
                      disturbed ? "; a late node disturbed it: again" : ", and nothing disturbed it");
      g_assert_true (disturbed);
      g_assert_cmpuint (attempt, <, FLITZIS_TEST_MAX_CAPTURES);
    }
}

FlitzisMessage *
flitzis_test_receive_skipping_xruns (FlitzisAudioEngine *engine)
{
  FlitzisMessage *message;

  while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL
         && flitzis_message_get_kind (message) == FLITZIS_MESSAGE_KIND_XRUN)
    flitzis_message_unref (message);
  return message;
}

FlitzisMessage *
flitzis_test_receive_skipping_beats (FlitzisAudioEngine *engine)
{
  FlitzisMessage *message;

  while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL
         && (flitzis_message_get_kind (message) == FLITZIS_MESSAGE_KIND_BEAT ||
             flitzis_message_get_kind (message) == FLITZIS_MESSAGE_KIND_XRUN))
    flitzis_message_unref (message);
  return message;
}

char *
flitzis_test_make_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("flitzis-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
flitzis_test_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          flitzis_test_remove_tree (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    {
      g_chmod (path, 0600);
      g_unlink (path);
    }
}

char *
flitzis_test_write_audio (const char *dir, const char *name, int format,
                          int rate, int channels, const float *data, gsize frames)
{
  char *path = g_build_filename (dir, name, NULL);
  SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
  SNDFILE *file = sf_open (path, SFM_WRITE, &info);

  if (file == NULL)
    g_error ("cannot write %s: %s", path, sf_strerror (NULL));
  g_assert_cmpint (sf_writef_float (file, data, (sf_count_t) frames), ==, (sf_count_t) frames);
  g_assert_cmpint (sf_close (file), ==, 0);
  return path;
}

char *
flitzis_test_write_text (const char *dir, const char *name, const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

float *
flitzis_test_signal (gsize n, guint32 seed)
{
  float *signal = g_new (float, n);
  guint32 state = seed * 2654435761u + 1u;

  for (gsize i = 0; i < n; i++)
    {
      float magnitude;

      state = state * 1664525u + 1013904223u;
      magnitude = 0.05f + 0.9f * (float) (state >> 8) / (float) (1u << 24);
      signal[i] = (state & 1u) ? magnitude : -magnitude;
    }
  return signal;
}

gboolean
flitzis_test_instrumented (void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return TRUE;
#elif defined(__has_feature)
# if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
     __has_feature(memory_sanitizer)
  return TRUE;
# endif
#endif
  return g_strcmp0 (g_getenv ("FLITZIS_TEST_VALGRIND"), "1") == 0;
}

guint
flitzis_test_slowdown (void)
{
  return g_strcmp0 (g_getenv ("FLITZIS_TEST_VALGRIND"), "1") == 0 ? FLITZIS_TEST_VALGRIND_SLOWDOWN : 1;
}

/* ---- a late period, on demand ---- */

static gint stall_requested;
static gint64 stall_us;        /* written before the request is made */
static guint64 stalled_frame;  /* written before the request is cleared */

/* The core's test hook, on the audio thread. */
static void
stall_hook (FzCore *core, size_t frames)
{
  (void) frames;
  if (g_atomic_int_get (&stall_requested) == 1)
    {
      gint64 until = g_get_monotonic_time () + stall_us;

      stalled_frame = fz_core_get_frame_time (core);
      g_atomic_int_set (&stall_requested, 0);
      while (g_get_monotonic_time () < until)
        ;
    }
}

void
flitzis_test_stall_next_period (guint ms)
{
  g_assert_cmpint (g_atomic_int_get (&stall_requested), ==, 0);
  stall_us = (gint64) ms * 1000 * flitzis_test_slowdown ();
  fz_core_set_test_hook (stall_hook);
  g_atomic_int_set (&stall_requested, 1);
}

guint64
flitzis_test_stalled_frame (void)
{
  return g_atomic_int_get (&stall_requested) == 0 && stall_us > 0 ? stalled_frame : G_MAXUINT64;
}

gsize
flitzis_test_proc_status_bytes (const char *name)
{
  g_autofree char *status = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", name);
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, key);
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen (key), NULL, 10) * 1024;
}

void
flitzis_test_reset_peak_rss (void)
{
  FILE *file = fopen ("/proc/self/clear_refs", "w");

  g_assert_nonnull (file);
  g_assert_cmpint (fputs ("5", file), >=, 0);
  g_assert_cmpint (fclose (file), ==, 0);
}

guint
flitzis_test_count_open_fds (void)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n;
}

int
flitzis_test_compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

void
flitzis_test_result (const char *key, const char *format, ...)
{
  va_list args;
  g_autofree char *value = NULL;

  va_start (args, format);
  value = g_strdup_vprintf (format, args);
  va_end (args);
  if (g_test_initialized ())
    g_test_message ("%s %s", key, value);
  else
    printf ("%s %s\n", key, value);
}

/* The @q quantile of sorted @values, linear between order statistics. */
static double
quantile (const double *values, gsize n, double q)
{
  double at = q * (double) (n - 1);
  gsize i = (gsize) at;

  return i + 1 < n ? values[i] + (values[i + 1] - values[i]) * (at - (double) i) : values[n - 1];
}

double
flitzis_test_spread (const char *key, const char *format, double *values, gsize n)
{
  static const struct { const char *name; double q; } stats[] = {
    { "median", 0.5 }, { "q1", 0.25 }, { "q3", 0.75 }, { "min", 0.0 }, { "max", 1.0 },
  };

  g_assert_cmpuint (n, >, 0);
  qsort (values, n, sizeof (double), flitzis_test_compare_doubles);
  for (guint s = 0; s < G_N_ELEMENTS (stats); s++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%s", key, stats[s].name);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      g_autofree char *value = g_strdup_printf (format, quantile (values, n, stats[s].q));
#pragma GCC diagnostic pop

      flitzis_test_result (name, "%s", value);
    }
  {
    g_autofree char *name = g_strdup_printf ("%s-n", key);

    flitzis_test_result (name, "%" G_GSIZE_FORMAT, n);
  }
  return quantile (values, n, 0.5);
}

float
flitzis_test_largest_step (const float *values, gsize n)
{
  float largest = 0.0f;

  for (gsize i = 1; i < n; i++)
    largest = fmaxf (largest, fabsf (values[i] - values[i - 1]));
  return largest;
}

gssize
flitzis_test_first_sound (const float *values, gsize frames, guint stride)
{
  for (gsize f = 0; f < frames; f++)
    if (values[stride * f] != 0.0f)
      return (gssize) f;
  return -1;
}

void
flitzis_test_load_ok (FlitzisAudioEngine *engine, guint slot, const char *path)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_load_sample (engine, slot, path, &error));
  g_assert_no_error (error);
}

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  FlitzisTestLoad *load = data;

  load->ok = flitzis_audio_engine_load_sample_finish (FLITZIS_AUDIO_ENGINE (source), result,
                                                     &load->error);
  load->done = TRUE;
}

void
flitzis_test_load_async (FlitzisAudioEngine *engine, guint slot, const char *path,
                         GCancellable *cancellable, FlitzisTestLoad *load)
{
  g_assert_null (load->error);
  load->done = load->ok = FALSE;
  flitzis_audio_engine_load_sample_async (engine, slot, path, cancellable, on_loaded, load);
}

static gboolean
load_done (gpointer data)
{
  return ((FlitzisTestLoad *) data)->done;
}

void
flitzis_test_wait_loaded (FlitzisTestLoad *load)
{
  g_assert_true (flitzis_test_wait_until (NULL, load_done, load, 10000));
}

char *
flitzis_test_write_mono (const char *dir, const char *name, guint rate,
                         const float *signal, gsize frames)
{
  return flitzis_test_write_audio (dir, name, SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                   (int) rate, 1, signal, frames);
}

char *
flitzis_test_write_sample (const char *dir, const char *name, guint rate,
                           guint channels, gsize frames, guint32 seed, float scale)
{
  g_autofree float *mono = flitzis_test_signal (frames, seed);
  g_autofree float *data = g_new (float, frames * channels);

  for (gsize f = 0; f < frames; f++)
    for (guint c = 0; c < channels; c++)
      data[f * channels + c] = mono[f] * scale;
  return flitzis_test_write_audio (dir, name, SF_FORMAT_WAV | SF_FORMAT_FLOAT, (int) rate,
                                   (int) channels, data, frames);
}

char *
flitzis_test_write_stereo (const char *dir, const char *name, guint rate,
                           const float *left, const float *right, gsize frames)
{
  g_autofree float *data = g_new0 (float, frames * 2);

  for (gsize f = 0; f < frames; f++)
    {
      data[2 * f] = left != NULL ? left[f] : 0.0f;
      data[2 * f + 1] = right != NULL ? right[f] : 0.0f;
    }
  return flitzis_test_write_audio (dir, name, SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                   (int) rate, 2, data, frames);
}

char *
flitzis_test_write_constant (const char *dir, const char *name, gsize frames, float value)
{
  g_autofree float *signal = g_new (float, frames);

  for (gsize f = 0; f < frames; f++)
    signal[f] = value;
  return flitzis_test_write_mono (dir, name, FLITZIS_TEST_RATE, signal, frames);
}

void
flitzis_test_run_ok (FlitzisAudioEngine *engine)
{
  g_autoptr (GError) error = NULL;
  gboolean ran = flitzis_audio_engine_run (engine, &error);

  g_assert_no_error (error);   /* first: its message says why */
  g_assert_true (ran);
}

void
flitzis_test_play_ok (FlitzisAudioEngine *engine, guint slot, float velocity)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_play_sample (engine, slot, velocity, &error));
  g_assert_no_error (error);
}

void
flitzis_test_ping_ok (FlitzisAudioEngine *engine)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_ping (engine, &error));
  g_assert_no_error (error);
}

void
flitzis_test_send_pings (FlitzisAudioEngine *engine, guint n)
{
  for (guint i = 0; i < n; i++)
    flitzis_test_ping_ok (engine);
}

void
flitzis_test_render_ok (FlitzisAudioEngine *engine, float *out, gsize frames)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_render (engine, out, frames, &error));
  g_assert_no_error (error);
}

float *
flitzis_test_render_left (FlitzisAudioEngine *engine, gsize frames)
{
  float *left = g_new (float, frames);
  float block[FLITZIS_TEST_PERIOD * 2];

  for (gsize done = 0; done < frames; done += FLITZIS_TEST_PERIOD)
    {
      gsize n = MIN (FLITZIS_TEST_PERIOD, frames - done);

      g_assert_true (flitzis_audio_engine_render (engine, block, n, NULL));
      for (gsize f = 0; f < n; f++)
        left[done + f] = block[2 * f];
    }
  return left;
}

float *
flitzis_test_render_played (const char *path, guint slot, float velocity, gsize frames)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (FLITZIS_TEST_RATE, 2);
  g_autoptr (GError) error = NULL;
  float *out = g_new0 (float, frames * 2);

  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_true (flitzis_audio_engine_load_sample (engine, slot, path, &error));
  g_assert_true (flitzis_audio_engine_play_sample (engine, slot, velocity, &error));
  for (gsize done = 0; done < frames; done += FLITZIS_TEST_PERIOD)
    g_assert_true (flitzis_audio_engine_render (engine, out + 2 * done,
                                                MIN (FLITZIS_TEST_PERIOD, frames - done), &error));
  g_assert_no_error (error);
  return out;
}

void
flitzis_test_offline_setup (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  fixture->dir = flitzis_test_make_tmpdir ();
  fixture->engine = flitzis_audio_engine_new_offline (FLITZIS_TEST_RATE, 2);
  fixture->events = NULL;
  g_assert_true (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_no_error (error);
}

void
flitzis_test_offline_teardown (FlitzisTestOffline *fixture, gconstpointer data)
{
  (void) data;
  g_clear_object (&fixture->engine);
  flitzis_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
on_event (FlitzisAudioEngine *engine, guint slot, guint64 frame, gpointer data, const char *kind)
{
  FlitzisTestOffline *fixture = data;

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
  FlitzisTestOffline *fixture = data;

  (void) engine;
  g_ptr_array_add (fixture->events, g_strdup_printf ("late %u %" G_GUINT64_FORMAT " %"
                                                     G_GUINT64_FORMAT, slot, frame, late));
}

void
flitzis_test_events_attach (FlitzisTestOffline *fixture, FlitzisAudioEngine *engine)
{
  g_autoptr (GError) error = NULL;

  fixture->engine = engine;
  g_signal_connect (engine, "sample-started", G_CALLBACK (on_started), fixture);
  g_signal_connect (engine, "sample-finished", G_CALLBACK (on_finished), fixture);
  g_signal_connect (engine, "voice-dropped", G_CALLBACK (on_dropped), fixture);
  g_signal_connect (engine, "trigger-late", G_CALLBACK (on_late), fixture);
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_no_error (error);
}

void
flitzis_test_events_setup (FlitzisTestOffline *fixture, gconstpointer data)
{
  (void) data;
  fixture->dir = flitzis_test_make_tmpdir ();
  fixture->events = g_ptr_array_new_with_free_func (g_free);
  flitzis_test_events_attach (fixture, flitzis_audio_engine_new_offline (FLITZIS_TEST_RATE, 2));
}

/* A finished GTask lets go of its source object (the engine) a moment after
 * its callback, on the worker thread. */
static gboolean
only_reference (gpointer data)
{
  return g_atomic_int_get (&G_OBJECT (data)->ref_count) == 1;
}

void
flitzis_test_events_teardown (FlitzisTestOffline *fixture, gconstpointer data)
{
  (void) data;
  g_assert_true (flitzis_test_wait_until (NULL, only_reference, fixture->engine, 5000));
  g_assert_finalize_object (fixture->engine);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  g_ptr_array_unref (fixture->events);
  flitzis_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static gboolean
have_events (gpointer data)
{
  FlitzisTestOffline *fixture = ((gpointer *) data)[0];

  return fixture->events->len >= GPOINTER_TO_UINT (((gpointer *) data)[1]);
}

void
flitzis_test_assert_events (FlitzisTestOffline *fixture, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);
  gpointer wait[2] = { fixture, GUINT_TO_POINTER (n) };

  g_assert_true (flitzis_test_wait_until (NULL, have_events, wait, 5000));
  /* And that no other came. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint i = 0; i < fixture->events->len; i++)
    g_test_message ("event %u: %s", i, (char *) g_ptr_array_index (fixture->events, i));
  g_assert_cmpuint (fixture->events->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (fixture->events, i), ==, expected[i]);
  g_ptr_array_set_size (fixture->events, 0);
}

void
flitzis_test_count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (void) object; (void) pspec;
  (*(guint *) data)++;
}
