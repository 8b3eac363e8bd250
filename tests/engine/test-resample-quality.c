/* test-resample-quality.c: the resample-quality property, offline and exact
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A file of another rate than the stream's is converted as it loads, at
 * the recipe resample-quality names.  These tests check the property
 * (default, notify only on a change, bad values refused and nothing
 * changed), that the default converts exactly as the loader always did
 * (bit for bit), and what each recipe does to a sine: its residual
 * against the exact sine at the stream's rate.
 */
#include "config.h"

#include <math.h>

#include <sndfile.h>

#include "flitzis-test.h"
#include "fz-loader.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD
#define FILE_RATE 44100
#define SINE_HZ 1000.0
#define SINE_AMPLITUDE 0.5

static void
test_property (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;
  guint notified = 0;
  FlitzisResampleQuality quality = 0;

  g_assert_cmpint (flitzis_audio_engine_get_resample_quality (engine), ==, FLITZIS_RESAMPLE_HIGH);
  g_object_get (engine, "resample-quality", &quality, NULL);
  g_assert_cmpint (quality, ==, FLITZIS_RESAMPLE_HIGH);
  g_signal_connect (engine, "notify::resample-quality", G_CALLBACK (flitzis_test_count_notify),
                    &notified);
  /* The same value: no notify. */
  g_assert_true (flitzis_audio_engine_set_resample_quality (engine, FLITZIS_RESAMPLE_HIGH,
                                                            &error));
  g_assert_cmpuint (notified, ==, 0);
  g_assert_true (flitzis_audio_engine_set_resample_quality (engine, FLITZIS_RESAMPLE_QUICK,
                                                            &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified, ==, 1);
  g_object_set (engine, "resample-quality", FLITZIS_RESAMPLE_VERY_HIGH, NULL);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpint (flitzis_audio_engine_get_resample_quality (engine), ==,
                   FLITZIS_RESAMPLE_VERY_HIGH);
  /* Not a quality: refused, nothing changed, nothing notified. */
  g_assert_false (flitzis_audio_engine_set_resample_quality (engine, 5, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "5"));
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_set_resample_quality (engine, (FlitzisResampleQuality) -1,
                                                             &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (flitzis_audio_engine_get_resample_quality (engine), ==,
                   FLITZIS_RESAMPLE_VERY_HIGH);
  g_assert_cmpuint (notified, ==, 2);
  /* The names bindings see. */
  {
    GEnumClass *klass = g_type_class_ref (FLITZIS_TYPE_RESAMPLE_QUALITY);

    g_assert_cmpstr (g_enum_get_value (klass, FLITZIS_RESAMPLE_QUICK)->value_nick, ==, "quick");
    g_assert_cmpstr (g_enum_get_value (klass, FLITZIS_RESAMPLE_VERY_HIGH)->value_nick, ==,
                     "very-high");
    g_assert_cmpuint (klass->n_values, ==, 5);
    g_type_class_unref (klass);
  }
}

/* A second of a 1 kHz sine at @rate, mono. */
static char *
write_sine (const char *dir, guint rate)
{
  g_autofree float *sine = g_new (float, rate);

  for (guint i = 0; i < rate; i++)
    sine[i] = (float) (SINE_AMPLITUDE * sin (2.0 * G_PI * SINE_HZ * i / rate));
  return flitzis_test_write_audio (dir, "sine.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, (int) rate,
                                   1, sine, rate);
}

/* @path loaded at @quality (or the default, for -1) and played once:
 * its left channel, RATE frames. */
static float *
render_at (const char *path, int quality)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;
  float *left;

  if (quality >= 0)
    g_assert_true (flitzis_audio_engine_set_resample_quality (engine, quality, &error));
  flitzis_test_run_ok (engine);
  flitzis_test_load_ok (engine, 0, path);
  flitzis_test_play_ok (engine, 0, 1.0f);
  left = flitzis_test_render_left (engine, RATE);
  flitzis_audio_engine_shut_down (engine);
  return left;
}

/* The residual against the exact sine, in dB of the sine's power, away
 * from the ends (the filters' edges, 50 ms each). */
static double
residual_db (const float *left)
{
  double error = 0.0, power = 0.0;

  for (guint i = RATE / 20; i < RATE - RATE / 20; i++)
    {
      double exact = SINE_AMPLITUDE * sin (2.0 * G_PI * SINE_HZ * i / RATE);

      double diff = (double) left[i] - exact;

      error += diff * diff;
      power += exact * exact;
    }
  return 10.0 * log10 (MAX (error, 1e-30) / power);
}

static void
test_sine (void)
{
  static const char *const names[] = { "quick", "low", "medium", "high", "very high" };
  /* What each must reach at least (measured here: quick -103, low -114,
   * medium -109, high -134, very high -151 dB; quick's cubic is clean at
   * 1 kHz only: an 8 kHz sine's residual is -32 dB, docs/performance.md). */
  static const double limits[] = { -60.0, -90.0, -90.0, -120.0, -120.0 };
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = write_sine (dir, FILE_RATE);

  for (int q = FLITZIS_RESAMPLE_QUICK; q <= FLITZIS_RESAMPLE_VERY_HIGH; q++)
    {
      g_autofree float *left = render_at (path, q);
      double db = residual_db (left);

      g_test_message ("%s: a 1 kHz sine's residual %.1f dB", names[q], db);
      g_assert_cmpfloat (db, <=, limits[q]);
    }
  flitzis_test_remove_tree (dir);
}

/* The default is the loader's own high quality, bit for bit: as the
 * property never set, set back to it, and fz_load_sample() (which every
 * load used before the property existed) give it. */
static void
test_default_unchanged (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = write_sine (dir, FILE_RATE);
  g_autofree float *never_set = render_at (path, -1);
  g_autofree float *high = render_at (path, FLITZIS_RESAMPLE_HIGH);
  g_autofree float *quick = render_at (path, FLITZIS_RESAMPLE_QUICK);
  g_autoptr (GError) error = NULL;
  FzSample *loaded = fz_load_sample (path, RATE, 2, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (never_set, RATE * sizeof (float), high, RATE * sizeof (float));
  for (guint i = 0; i < MIN ((gsize) RATE, loaded->frames); i++)
    g_assert_cmpfloat (never_set[i], ==, loaded->data[i * 2]);
  /* And quick is another conversion, not the same one. */
  g_assert_true (memcmp (never_set, quick, RATE * sizeof (float)) != 0);
  fz_sample_unref (loaded);
  flitzis_test_remove_tree (dir);
}

/* Files at the stream's rate are never converted: every quality loads
 * the same bits. */
static void
test_same_rate (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = write_sine (dir, RATE);
  g_autofree float *high = render_at (path, FLITZIS_RESAMPLE_HIGH);
  g_autofree float *quick = render_at (path, FLITZIS_RESAMPLE_QUICK);

  g_assert_cmpmem (high, RATE * sizeof (float), quick, RATE * sizeof (float));
  flitzis_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/resample-quality/property", test_property);
  g_test_add_func ("/engine/resample-quality/sine", test_sine);
  g_test_add_func ("/engine/resample-quality/default-unchanged", test_default_unchanged);
  g_test_add_func ("/engine/resample-quality/same-rate", test_same_rate);
  return g_test_run ();
}
