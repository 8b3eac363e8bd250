/* test-scan.c: the meters' master scan, fz_scan_peaks(), against a
 * brute-force pass
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For every stride the meters use (1, 2, 4, 8 channels), lengths around
 * each unrolled turn (64 floats) and random signals beyond full scale,
 * the per-channel peaks must equal a pass over every float, bit for bit,
 * and fold into the peaks already there (never lower them).
 */
#include "config.h"

#include <math.h>

#include <glib.h>

#include "core/fz-scan.h"

static void
test_scan_peaks_brute (void)
{
  GRand *rand = g_rand_new_with_seed (18);
  static const guint strides[] = { 1, 2, 4, 8 };
  float *data = g_new (float, 1024);

  for (gsize n = 0; n <= 1024; n += 8)
    for (guint s = 0; s < G_N_ELEMENTS (strides); s++)
      {
        guint stride = strides[s];
        float peaks[FZ_SCAN_LANES], expected[FZ_SCAN_LANES];

        for (gsize i = 0; i < n; i++)
          data[i] = (float) g_rand_double_range (rand, -1.5, 1.5);
        for (guint c = 0; c < stride; c++)
          peaks[c] = expected[c] = (float) g_rand_double_range (rand, 0.0, 1.0);
        for (guint c = stride; c < FZ_SCAN_LANES; c++)
          peaks[c] = expected[c] = -7.0f;      /* beyond @stride: untouched */
        for (gsize i = 0; i < n; i++)
          expected[i % stride] = MAX (expected[i % stride], fabsf (data[i]));
        fz_scan_peaks (data, n, stride, peaks);
        for (guint c = 0; c < FZ_SCAN_LANES; c++)
          g_assert_cmpfloat (peaks[c], ==, expected[c]);
      }
  g_free (data);
  g_rand_free (rand);
}

/* One full-scale (and beyond) float anywhere in a period is found, on
 * its channel alone, unclamped: what the master meter relies on. */
static void
test_scan_peaks_single (void)
{
  float data[512] = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (data); i++)
    {
      float peaks[2] = { 0.0f, 0.0f };

      data[i] = i % 3 == 0 ? -1.25f : 1.25f;
      fz_scan_peaks (data, G_N_ELEMENTS (data), 2, peaks);
      g_assert_cmpfloat (peaks[i % 2], ==, 1.25f);
      g_assert_cmpfloat (peaks[1 - i % 2], ==, 0.0f);
      data[i] = 0.0f;
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/scan/peaks-brute", test_scan_peaks_brute);
  g_test_add_func ("/core/scan/peaks-single", test_scan_peaks_single);
  return g_test_run ();
}
