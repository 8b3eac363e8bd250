/* test-waveform.c: waveform overviews against a brute-force min/max
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <sndfile.h>

#include "flitzis.h"
#include "flitzis-test.h"

#define RATE 48000
#define CHANNELS 2

typedef struct {
  char *dir;
  FlitzisAudioEngine *engine;
  float *data;           /* what slot 0 holds: the file, as it plays */
  gsize frames;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (18);

  (void) user_data;
  fixture->dir = flitzis_test_make_tmpdir ();
  fixture->frames = 100003;
  fixture->data = g_new (float, fixture->frames * CHANNELS);
  for (gsize i = 0; i < fixture->frames * CHANNELS; i++)
    fixture->data[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  path = flitzis_test_write_audio (fixture->dir, "random.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                   RATE, CHANNELS, fixture->data, fixture->frames);
  fixture->engine = flitzis_audio_engine_new_offline (RATE, CHANNELS);
  g_assert_true (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_true (flitzis_audio_engine_load_sample (fixture->engine, 0, path, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer user_data)
{
  (void) user_data;
  g_clear_object (&fixture->engine);
  g_free (fixture->data);
  flitzis_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Every bucket's min and max, frame by frame, as the documentation
 * defines the buckets. */
static void
check_waveform (Fixture *fixture, guint64 start, guint64 end, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = flitzis_audio_engine_dup_waveform (fixture->engine, 0, start, end,
                                                                n, &error);
  const float *values;
  gsize size;
  guint64 length = end - start;

  g_assert_no_error (error);
  values = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size, ==, (gsize) n * CHANNELS * 2 * sizeof (float));
  for (guint b = 0; b < n; b++)
    {
      guint64 from = start + (guint64) ((unsigned __int128) b * length / n);
      guint64 to = start + (guint64) ((unsigned __int128) (b + 1) * length / n);

      g_assert_cmpuint (to, >, from);
      for (guint c = 0; c < CHANNELS; c++)
        {
          float lo = fixture->data[from * CHANNELS + c], hi = lo;

          for (guint64 f = from; f < to; f++)
            {
              lo = MIN (lo, fixture->data[f * CHANNELS + c]);
              hi = MAX (hi, fixture->data[f * CHANNELS + c]);
            }
          g_assert_cmpfloat (values[(b * CHANNELS + c) * 2], ==, lo);
          g_assert_cmpfloat (values[(b * CHANNELS + c) * 2 + 1], ==, hi);
        }
    }
}

static void
test_random_ranges (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);

  (void) user_data;
  check_waveform (fixture, 0, fixture->frames, 1);
  check_waveform (fixture, 0, fixture->frames, 1000);
  check_waveform (fixture, 0, fixture->frames, 999);
  check_waveform (fixture, fixture->frames - 1, fixture->frames, 1);
  check_waveform (fixture, 1000, 3000, 2000);      /* one frame per bucket */
  for (guint i = 0; i < 100; i++)
    {
      guint64 a = (guint64) g_rand_int_range (rand, 0, (gint32) fixture->frames);
      guint64 b = (guint64) g_rand_int_range (rand, 0, (gint32) fixture->frames);
      guint64 start = MIN (a, b), end = MAX (a, b) + 1;
      guint n = (guint) g_rand_int_range (rand, 1, (gint32) MIN (end - start, 3000) + 1);

      check_waveform (fixture, start, end, n);
    }
}

static void
test_bad_arguments (Fixture *fixture, gconstpointer user_data)
{
  static const struct { guint slot; guint64 start, end; guint n; int code; } cases[] = {
    { 0, 0, 0, 1, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT },        /* empty range */
    { 0, 10, 5, 1, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT },       /* backwards */
    { 0, 0, 100004, 1, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT },   /* past the end */
    { 0, 0, 100, 0, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT },      /* no bucket */
    { 0, 0, 100, 101, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT },    /* empty buckets */
    { 1, 0, 100, 10, FLITZIS_ENGINE_ERROR_EMPTY_SLOT },
    { FLITZIS_MAX_SAMPLE_SLOTS, 0, 100, 10, FLITZIS_ENGINE_ERROR_INVALID_SLOT },
  };

  (void) user_data;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_null (flitzis_audio_engine_dup_waveform (fixture->engine, cases[i].slot,
                                                        cases[i].start, cases[i].end,
                                                        cases[i].n, &error));
      g_assert_error (error, FLITZIS_ENGINE_ERROR, cases[i].code);
      g_test_message ("%s", error->message);
    }
  {
    g_autoptr (GError) error = NULL;

    g_assert_null (flitzis_audio_engine_dup_waveform (fixture->engine, 0, 0, 100004, 1, &error));
    /* The message says what is allowed. */
    g_assert_nonnull (strstr (error->message, "100003 frames"));
  }
  /* Nothing changed: the slot still gives its waveform; not running, none. */
  check_waveform (fixture, 0, 100, 10);
  flitzis_audio_engine_shut_down (fixture->engine);
  {
    g_autoptr (GError) error = NULL;

    g_assert_null (flitzis_audio_engine_dup_waveform (fixture->engine, 0, 0, 100, 10, &error));
    g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  }
}

/* A reload gives the new sample's waveform, and a resampled load the
 * waveform of the frames as they play. */
static void
test_follows_the_slot (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  float ramp[3000];
  g_autofree char *path = NULL;
  const float *values;

  (void) user_data;
  for (guint f = 0; f < 3000; f++)
    ramp[f] = (float) f / 3000.0f;
  path = flitzis_test_write_audio (fixture->dir, "ramp.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                   RATE, 1, ramp, 3000);
  g_assert_true (flitzis_audio_engine_load_sample (fixture->engine, 0, path, &error));
  bytes = flitzis_audio_engine_dup_waveform (fixture->engine, 0, 0, 3000, 3, &error);
  g_assert_no_error (error);
  values = g_bytes_get_data (bytes, NULL);
  /* Mono plays on both channels: bucket 1 is frames 1000 to 1999. */
  for (guint c = 0; c < CHANNELS; c++)
    {
      g_assert_cmpfloat (values[(1 * CHANNELS + c) * 2], ==, ramp[1000]);
      g_assert_cmpfloat (values[(1 * CHANNELS + c) * 2 + 1], ==, ramp[1999]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/engine/waveform/random-ranges", test_random_ranges);
  ADD ("/engine/waveform/bad-arguments", test_bad_arguments);
  ADD ("/engine/waveform/follows-the-slot", test_follows_the_slot);
#undef ADD
  return g_test_run ();
}
