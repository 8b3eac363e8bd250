/* fz-waveform.c: a sample's waveform overview, see fz-waveform.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each bucket is one range query on the sample's peak pyramid
 * (core/fz-peaks.h): a few nodes and the frames at its two ends, so a
 * whole overview costs O(n_buckets), not O(frames).  Runs on the calling
 * control thread, without the engine's lock: the sample is immutable.
 */
#include "config.h"

#include <string.h>

#include "fz-waveform.h"

/* ⌊b·L/N⌋ without overflow: b·(L mod N) < N² fits in 64 bits. */
static guint64
bucket_edge (guint64 b, guint64 length, guint64 n)
{
  return b * (length / n) + b * (length % n) / n;
}

GBytes *
fz_waveform_new (const FzSample *sample, guint64 start, guint64 end, guint n_buckets)
{
  guint channels = sample->channels;
  gsize n_values = (gsize) n_buckets * 2 * channels;
  float *values = g_new (float, n_values);
  guint64 length = end - start;

  for (guint b = 0; b < n_buckets; b++)
    fz_peaks_min_max (sample->peaks, sample->data, channels,
                      (size_t) (start + bucket_edge (b, length, n_buckets)),
                      (size_t) (start + bucket_edge (b + 1, length, n_buckets)),
                      values + (gsize) b * 2 * channels);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < n_values; i++)
    {
      guint32 bits;

      memcpy (&bits, &values[i], sizeof bits);
      bits = GUINT32_TO_LE (bits);
      memcpy (&values[i], &bits, sizeof bits);
    }
#endif
  return g_bytes_new_take (values, n_values * sizeof (float));
}
