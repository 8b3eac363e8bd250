/* test-peaks.c: the peak pyramid against a brute-force min/max
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For random signals, lengths around every block and fan-out boundary,
 * 1 to 3 channels and random ranges, the pyramid's answers must equal a
 * pass over every frame of the range, bit for bit.
 */
#include "config.h"

#include <math.h>

#include <glib.h>

#include "core/fz-peaks.h"

static float *
random_signal (GRand *rand, gsize n)
{
  float *data = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    data[i] = (float) g_rand_double_range (rand, -1.5, 1.5);
  return data;
}

static void
brute_min_max (const float *data, guint channels, gsize start, gsize end, float *min_max)
{
  for (guint c = 0; c < channels; c++)
    {
      min_max[2 * c] = data[start * channels + c];
      min_max[2 * c + 1] = data[start * channels + c];
      for (gsize f = start; f < end; f++)
        {
          min_max[2 * c] = MIN (min_max[2 * c], data[f * channels + c]);
          min_max[2 * c + 1] = MAX (min_max[2 * c + 1], data[f * channels + c]);
        }
    }
}

static float
brute_abs_max (const float *data, guint channels, gsize start, gsize end)
{
  float peak = 0.0f;

  for (gsize i = start * channels; i < end * channels; i++)
    peak = MAX (peak, fabsf (data[i]));
  return peak;
}

static void
check_range (const FzPeaks *peaks, const float *data, guint channels, gsize start, gsize end)
{
  float got[6], want[6];

  brute_min_max (data, channels, start, end, want);
  fz_peaks_min_max (peaks, data, channels, start, end, got);
  for (guint k = 0; k < 2 * channels; k++)
    g_assert_cmpfloat (got[k], ==, want[k]);
  g_assert_cmpfloat (fz_peaks_abs_max (peaks, data, channels, start, end), ==,
                     brute_abs_max (data, channels, start, end));
  /* Without a pyramid, the frames themselves: the same numbers. */
  g_assert_cmpfloat (fz_peaks_abs_max (NULL, data, channels, start, end), ==,
                     brute_abs_max (data, channels, start, end));
}

static void
test_random_ranges (void)
{
  static const gsize lengths[] = {
    1, 2, 127, 128, 129, 2047, 2048, 2049, 16 * 2048 - 1, 16 * 2048 + 5, 300001,
  };
  g_autoptr (GRand) rand = g_rand_new_with_seed (18);

  for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
    for (guint channels = 1; channels <= 3; channels++)
      {
        gsize frames = lengths[l];
        g_autofree float *data = random_signal (rand, frames * channels);
        FzPeaks *peaks = fz_peaks_new (data, frames, channels);

        g_assert_nonnull (peaks);
        g_assert_cmpuint (peaks->frames, ==, frames);
        check_range (peaks, data, channels, 0, frames);
        check_range (peaks, data, channels, frames - 1, frames);
        for (guint i = 0; i < 200; i++)
          {
            gsize a = (gsize) g_rand_int_range (rand, 0, (gint32) frames);
            gsize b = (gsize) g_rand_int_range (rand, 0, (gint32) frames);

            check_range (peaks, data, channels, MIN (a, b), MAX (a, b) + 1);
          }
        /* Ranges on block and group edges (short signals: each range is
         * also read frame by frame). */
        for (gsize a = 0; frames < 40000 && a < frames; a += 128 * 15 + 1)
          for (gsize b = a + 1; b <= frames; b += 2048 - 1)
            check_range (peaks, data, channels, a, b);
        fz_peaks_free (peaks);
      }
}

/* An empty range has no peak; a silent one reads 0. */
static void
test_edges (void)
{
  float data[256] = { 0 };
  FzPeaks *peaks = fz_peaks_new (data, 128, 2);

  g_assert_cmpfloat (fz_peaks_abs_max (peaks, data, 2, 10, 10), ==, 0.0f);
  g_assert_cmpfloat (fz_peaks_abs_max (peaks, data, 2, 0, 128), ==, 0.0f);
  g_assert_null (fz_peaks_new (data, 0, 2));
  fz_peaks_free (peaks);
}

/* The pyramid takes under 2 % of the sample it describes. */
static void
test_memory (void)
{
  const gsize frames = 10 * 48000;
  g_autofree float *data = g_new0 (float, frames * 2);

  for (guint channels = 1; channels <= 2; channels++)
    {
      FzPeaks *peaks = fz_peaks_new (data, frames, channels);
      double ratio = (double) peaks->bytes / (double) (frames * channels * sizeof (float));

      g_test_message ("%u channel(s): %zu bytes, %.3f %% of the frames", channels, peaks->bytes,
                      100.0 * ratio);
      g_assert_cmpfloat (ratio, <=, 0.02);
      fz_peaks_free (peaks);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/peaks/random-ranges", test_random_ranges);
  g_test_add_func ("/core/peaks/edges", test_edges);
  g_test_add_func ("/core/peaks/memory", test_memory);
  return g_test_run ();
}
