/* fz-peaks.c: a peak pyramid over a sample's frames, see fz-peaks.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fz_peaks_new() and fz_peaks_free() run on control threads (they
 * allocate); the queries allocate nothing and take no lock, so the audio
 * thread's meters use them too.
 */

#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "fz-peaks.h"
#include "fz-scan.h"

#define MAX_OF(a, b) ((a) > (b) ? (a) : (b))
#define MIN_OF(a, b) ((a) < (b) ? (a) : (b))

/* ---- the scans: frames at either end of a range, and whole nodes ---- */

/* A scan adds what it reads to an accumulator of 2 * channels floats
 * (each channel's -min and max).  (The meters' query, fz_peaks_abs_max(),
 * has a walk of its own, below.) */
typedef struct {
  void (*frames) (float *acc, const float *data, uint32_t channels, size_t n);
  void (*nodes) (float *acc, const float *nodes, uint32_t channels, size_t n);
} Scan;

static void
channel_frames (float *acc, const float *data, uint32_t channels, size_t n)
{
  for (size_t f = 0; f < n; f++, data += channels)
    for (uint32_t c = 0; c < channels; c++)
      {
        acc[2 * c] = MAX_OF (acc[2 * c], -data[c]);
        acc[2 * c + 1] = MAX_OF (acc[2 * c + 1], data[c]);
      }
}

static void
channel_nodes (float *acc, const float *nodes, uint32_t channels, size_t n)
{
  uint32_t width = 2 * channels;

  for (size_t j = 0; j < n; j++, nodes += width)
    for (uint32_t k = 0; k < width; k++)
      acc[k] = MAX_OF (acc[k], nodes[k]);
}

static const Scan channel_scan = { channel_frames, channel_nodes };

/* ---- the walk up the pyramid ---- */

static const float *
node (const FzPeaks *peaks, uint32_t level, size_t index)
{
  return peaks->levels[level] + (size_t) 2 * peaks->channels * index;
}

/* Nodes [@a, @b) of @level: the whole groups of FZ_PEAKS_FANOUT go up a
 * level, the nodes left over at either end are read here.  An empty end
 * is not scanned: a meter's query of an aligned range has both, and each
 * call through @scan cost some 30 instructions for nothing. */
static void
walk_nodes (const FzPeaks *peaks, const Scan *scan, float *acc, uint32_t level,
            size_t a, size_t b)
{
  for (;;)
    {
      size_t up_a = (a + FZ_PEAKS_FANOUT - 1) / FZ_PEAKS_FANOUT, up_b = b / FZ_PEAKS_FANOUT;

      if (level + 1 >= peaks->n_levels || up_a >= up_b)
        {
          scan->nodes (acc, node (peaks, level, a), peaks->channels, b - a);
          return;
        }
      if (up_a * FZ_PEAKS_FANOUT > a)
        scan->nodes (acc, node (peaks, level, a), peaks->channels, up_a * FZ_PEAKS_FANOUT - a);
      if (b > up_b * FZ_PEAKS_FANOUT)
        scan->nodes (acc, node (peaks, level, up_b * FZ_PEAKS_FANOUT), peaks->channels,
                     b - up_b * FZ_PEAKS_FANOUT);
      level++;
      a = up_a;
      b = up_b;
    }
}

/* Frames [@start, @end): the whole blocks come from the pyramid, the
 * frames before the first and after the last from @data. */
static void
walk (const FzPeaks *peaks, const Scan *scan, float *acc, const float *data,
      uint32_t channels, size_t start, size_t end)
{
  size_t first = (start + FZ_PEAKS_BLOCK - 1) / FZ_PEAKS_BLOCK, last = end / FZ_PEAKS_BLOCK;

  if (peaks == NULL || first >= last)
    {
      scan->frames (acc, data + start * channels, channels, end - start);
      return;
    }
  if (first * FZ_PEAKS_BLOCK > start)
    scan->frames (acc, data + start * channels, channels, first * FZ_PEAKS_BLOCK - start);
  if (end > last * FZ_PEAKS_BLOCK)
    scan->frames (acc, data + last * FZ_PEAKS_BLOCK * channels, channels,
                  end - last * FZ_PEAKS_BLOCK);
  walk_nodes (peaks, scan, acc, 0, first, last);
}

/* ---- the meters' query: the largest |x| of a range ---- */

/* The audio thread's query runs once per voice and meter period, over a
 * few nodes: through walk() and fz_scan() its calls cost more than its
 * floats (some 190 instructions a query, against 150 inline; an AVX
 * build of the node loop, called, cost more than it saved).  So it has
 * a walk of its own, with a running maximum in a register.  Nodes hold
 * -min and max, so their largest |x| is their largest float; frames take
 * their magnitude first. */
#if defined(__x86_64__) || defined(__i386__)
typedef __m128 Max4;
#define MAX4_ZERO() _mm_setzero_ps ()
static inline Max4
max4_floats (Max4 m, const float *v, size_t n, bool magnitude)
{
  const __m128 sign = _mm_set1_ps (-0.0f);
  __m128 m2 = m;
  size_t i = 0;

  /* Two vectors a turn, into two maxima: a query's fourteen nodes or so
   * take seven turns. */
  for (; i + 8 <= n; i += 8)
    {
      __m128 x = _mm_loadu_ps (v + i), y = _mm_loadu_ps (v + i + 4);

      m = _mm_max_ps (m, magnitude ? _mm_andnot_ps (sign, x) : x);
      m2 = _mm_max_ps (m2, magnitude ? _mm_andnot_ps (sign, y) : y);
    }
  m = _mm_max_ps (m, m2);
  for (; i + 4 <= n; i += 4)
    {
      __m128 x = _mm_loadu_ps (v + i);

      m = _mm_max_ps (m, magnitude ? _mm_andnot_ps (sign, x) : x);
    }
  for (; i < n; i++)
    {
      __m128 x = _mm_set_ss (v[i]);

      m = _mm_max_ss (m, magnitude ? _mm_andnot_ps (sign, x) : x);
    }
  return m;
}
static inline float
max4_fold (Max4 m)
{
  m = _mm_max_ps (m, _mm_movehl_ps (m, m));
  return _mm_cvtss_f32 (_mm_max_ss (m, _mm_shuffle_ps (m, m, 1)));
}
#else
typedef float Max4;
#define MAX4_ZERO() 0.0f
static inline Max4
max4_floats (Max4 m, const float *v, size_t n, bool magnitude)
{
  for (size_t i = 0; i < n; i++)
    {
      float x = magnitude && v[i] < 0.0f ? -v[i] : v[i];

      m = x > m ? x : m;
    }
  return m;
}
static inline float
max4_fold (Max4 m)
{
  return m;
}
#endif

float
fz_peaks_abs_max (const FzPeaks *peaks, const float *data, uint32_t channels,
                  size_t start, size_t end)
{
  size_t first = (start + FZ_PEAKS_BLOCK - 1) / FZ_PEAKS_BLOCK, last = end / FZ_PEAKS_BLOCK;
  size_t width, a, b;
  Max4 m = MAX4_ZERO ();

  if (end <= start)
    return 0.0f;
  if (peaks == NULL || first >= last)
    return max4_fold (max4_floats (m, data + start * channels, (end - start) * channels, true));
  m = max4_floats (m, data + start * channels, (first * FZ_PEAKS_BLOCK - start) * channels, true);
  m = max4_floats (m, data + last * FZ_PEAKS_BLOCK * channels,
                   (end - last * FZ_PEAKS_BLOCK) * channels, true);
  /* walk_nodes()'s walk: whole groups up a level, the ends read here. */
  width = 2 * (size_t) peaks->channels;
  a = first;
  b = last;
  for (uint32_t level = 0;; level++)
    {
      size_t up_a = (a + FZ_PEAKS_FANOUT - 1) / FZ_PEAKS_FANOUT, up_b = b / FZ_PEAKS_FANOUT;

      if (level + 1 >= peaks->n_levels || up_a >= up_b)
        return max4_fold (max4_floats (m, node (peaks, level, a), (b - a) * width, false));
      m = max4_floats (m, node (peaks, level, a), (up_a * FZ_PEAKS_FANOUT - a) * width, false);
      m = max4_floats (m, node (peaks, level, up_b * FZ_PEAKS_FANOUT),
                       (b - up_b * FZ_PEAKS_FANOUT) * width, false);
      a = up_a;
      b = up_b;
    }
}

void
fz_peaks_min_max (const FzPeaks *peaks, const float *data, uint32_t channels,
                  size_t start, size_t end, float *min_max)
{
  /* The first frame starts every channel's accumulator. */
  for (uint32_t c = 0; c < channels; c++)
    {
      min_max[2 * c] = -data[start * channels + c];
      min_max[2 * c + 1] = data[start * channels + c];
    }
  walk (peaks, &channel_scan, min_max, data, channels, start, end);
  for (uint32_t c = 0; c < channels; c++)
    min_max[2 * c] = -min_max[2 * c];
}

/* ---- building (control thread) ---- */

/* A node from @n frames when the channel count divides the scan's lanes
 * (1, 2, 4 or 8: a power of two, so l % channels is l & mask): lane l of
 * fz_scan() holds channel l % channels.  Four times faster than frame by
 * frame, which matters: the pyramid is built on every load. */
static void
block_by_lanes (float *out, const float *data, uint32_t channels, size_t n)
{
  const uint32_t mask = channels - 1;
  float max[FZ_SCAN_LANES], min[FZ_SCAN_LANES];

  for (uint32_t l = 0; l < FZ_SCAN_LANES; l++)
    max[l] = min[l] = data[l & mask];
  fz_scan (data, n * channels, max, min);
  for (uint32_t c = 0; c < channels; c++)
    {
      out[2 * c] = -min[c];
      out[2 * c + 1] = max[c];
    }
  for (uint32_t l = channels; l < FZ_SCAN_LANES; l++)
    {
      out[2 * (l & mask)] = MAX_OF (out[2 * (l & mask)], -min[l]);
      out[2 * (l & mask) + 1] = MAX_OF (out[2 * (l & mask) + 1], max[l]);
    }
}

void
fz_peaks_block (float *node, const float *data, uint32_t channels, size_t frames)
{
  if (FZ_SCAN_LANES % channels == 0)
    {
      block_by_lanes (node, data, channels, frames);
      return;
    }
  for (uint32_t c = 0; c < channels; c++)
    {
      node[2 * c] = -data[c];
      node[2 * c + 1] = data[c];
    }
  channel_frames (node, data, channels, frames);
}

static void
build_level (FzPeaks *peaks, uint32_t level)
{
  uint32_t width = 2 * peaks->channels;

  for (size_t j = 0; j < peaks->n_nodes[level]; j++)
    {
      size_t a = j * FZ_PEAKS_FANOUT;
      size_t b = MIN_OF (a + FZ_PEAKS_FANOUT, peaks->n_nodes[level - 1]);
      float *out = peaks->levels[level] + width * j;

      memcpy (out, node (peaks, level - 1, a), width * sizeof (float));
      channel_nodes (out, node (peaks, level - 1, a), peaks->channels, b - a);
    }
}

/* Lays out the levels of a pyramid of @frames frames in @peaks's nodes;
 * returns the floats they take. */
static size_t
lay_out (FzPeaks *peaks, size_t frames, uint32_t channels)
{
  size_t total = 0, n = (frames + FZ_PEAKS_BLOCK - 1) / FZ_PEAKS_BLOCK;

  peaks->channels = channels;
  peaks->frames = frames;
  peaks->n_levels = 0;
  for (;;)
    {
      peaks->n_nodes[peaks->n_levels] = n;
      peaks->levels[peaks->n_levels] = peaks->nodes + total * 2 * channels;
      peaks->n_levels++;
      total += n;
      if (n <= FZ_PEAKS_FANOUT || peaks->n_levels == FZ_PEAKS_MAX_LEVELS)
        break;
      n = (n + FZ_PEAKS_FANOUT - 1) / FZ_PEAKS_FANOUT;
    }
  return total * 2 * channels;
}

/* The pyramid's memory, with level 0 uninitialised. */
static FzPeaks *
allocate (size_t frames, uint32_t channels)
{
  FzPeaks layout, *peaks;
  size_t floats;

  if (frames == 0 || channels == 0)
    return NULL;
  floats = lay_out (&layout, frames, channels);
  peaks = malloc (sizeof (FzPeaks) + floats * sizeof (float));
  if (peaks == NULL)
    return NULL;
  lay_out (peaks, frames, channels);
  peaks->bytes = sizeof (FzPeaks) + floats * sizeof (float);
  return peaks;
}

static FzPeaks *
build_levels (FzPeaks *peaks)
{
  for (uint32_t l = 1; l < peaks->n_levels; l++)
    build_level (peaks, l);
  return peaks;
}

FzPeaks *
fz_peaks_new (const float *data, size_t frames, uint32_t channels)
{
  FzPeaks *peaks = allocate (frames, channels);

  if (peaks == NULL)
    return NULL;
  for (size_t k = 0; k < peaks->n_nodes[0]; k++)
    {
      size_t start = k * FZ_PEAKS_BLOCK;

      fz_peaks_block (peaks->levels[0] + (size_t) 2 * channels * k, data + start * channels,
                      channels, MIN_OF (FZ_PEAKS_BLOCK, frames - start));
    }
  return build_levels (peaks);
}

FzPeaks *
fz_peaks_reserve (size_t frames, uint32_t channels)
{
  return allocate (frames, channels);
}

float *
fz_peaks_block_at (FzPeaks *peaks, size_t block)
{
  return peaks->levels[0] + (size_t) 2 * peaks->channels * block;
}

FzPeaks *
fz_peaks_finish (FzPeaks *peaks, size_t frames)
{
  if (frames == 0)
    {
      fz_peaks_free (peaks);
      return NULL;
    }
  /* Fewer frames than reserved need fewer nodes: level 0 stays where it
   * is, the levels above move down. */
  lay_out (peaks, frames, peaks->channels);
  return build_levels (peaks);
}

void
fz_peaks_free (FzPeaks *peaks)
{
  free (peaks);
}
