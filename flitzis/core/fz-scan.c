/* fz-scan.c: the extremes of a run of floats, see fz-scan.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Audio thread (the meters) and control threads (waveforms): no
 * allocation, no lock, no system call.
 */

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "fz-scan.h"

#if defined(__x86_64__) || defined(__i386__)
__attribute__ ((target ("avx"))) static size_t
fz_scan_avx (const float *values, size_t n, float *max, float *min)
{
  __m256 hi0 = _mm256_loadu_ps (max), lo0 = _mm256_loadu_ps (min), hi1 = hi0, lo1 = lo0;
  size_t i = 0;

  for (; i + 16 <= n; i += 16)
    {
      __m256 a = _mm256_loadu_ps (values + i), b = _mm256_loadu_ps (values + i + 8);

      hi0 = _mm256_max_ps (hi0, a);
      lo0 = _mm256_min_ps (lo0, a);
      hi1 = _mm256_max_ps (hi1, b);
      lo1 = _mm256_min_ps (lo1, b);
    }
  for (; i + 8 <= n; i += 8)
    {
      __m256 a = _mm256_loadu_ps (values + i);

      hi0 = _mm256_max_ps (hi0, a);
      lo0 = _mm256_min_ps (lo0, a);
    }
  _mm256_storeu_ps (max, _mm256_max_ps (hi0, hi1));
  _mm256_storeu_ps (min, _mm256_min_ps (lo0, lo1));
  return i;
}

static size_t
fz_scan_sse (const float *values, size_t n, float *max, float *min)
{
  __m128 hi0 = _mm_loadu_ps (max), hi1 = _mm_loadu_ps (max + 4);
  __m128 lo0 = _mm_loadu_ps (min), lo1 = _mm_loadu_ps (min + 4);
  size_t i = 0;

  for (; i + 8 <= n; i += 8)
    {
      __m128 a = _mm_loadu_ps (values + i), b = _mm_loadu_ps (values + i + 4);

      hi0 = _mm_max_ps (hi0, a);
      lo0 = _mm_min_ps (lo0, a);
      hi1 = _mm_max_ps (hi1, b);
      lo1 = _mm_min_ps (lo1, b);
    }
  _mm_storeu_ps (max, hi0);
  _mm_storeu_ps (max + 4, hi1);
  _mm_storeu_ps (min, lo0);
  _mm_storeu_ps (min + 4, lo1);
  return i;
}
#endif

void
fz_scan (const float *values, size_t n, float *max, float *min)
{
  size_t i = 0;

  if (n == 0)
    return;

#if defined(__x86_64__) || defined(__i386__)
  /* A load and a bit test: libgcc's constructor has read the CPU. */
  if (__builtin_cpu_supports ("avx"))
    i = fz_scan_avx (values, n, max, min);
  else
    i = fz_scan_sse (values, n, max, min);
#endif
  /* i is a multiple of FZ_SCAN_LANES here: the tail keeps the lanes. */
  for (size_t lane = 0; i < n; i++, lane++)
    {
      float x = values[i];

      max[lane] = x > max[lane] ? x : max[lane];
      min[lane] = x < min[lane] ? x : min[lane];
    }
}

/* ---- magnitudes, folded by channel (fz_scan_peaks()) ---- */

#if defined(__x86_64__) || defined(__i386__)
/* The eight lanes of @lo and @hi (lanes 0-3 and 4-7; lane l holds
 * channel l % @stride) into @peaks, in the registers: a fold per halving
 * of the lanes, then one max with @peaks's @stride floats. */
static inline void
fold_peaks8 (__m128 lo, __m128 hi, uint32_t stride, float *peaks)
{
  __m128 m;

  if (stride == FZ_SCAN_LANES)
    {
      _mm_storeu_ps (peaks, _mm_max_ps (lo, _mm_loadu_ps (peaks)));
      _mm_storeu_ps (peaks + 4, _mm_max_ps (hi, _mm_loadu_ps (peaks + 4)));
      return;
    }
  m = _mm_max_ps (lo, hi);
  if (stride == 4)
    {
      _mm_storeu_ps (peaks, _mm_max_ps (m, _mm_loadu_ps (peaks)));
      return;
    }
  m = _mm_max_ps (m, _mm_movehl_ps (m, m));
  if (stride == 2)
    {
      _mm_storel_pi ((__m64 *) peaks,
                     _mm_max_ps (m, _mm_loadl_pi (_mm_setzero_ps (), (const __m64 *) peaks)));
      return;
    }
  m = _mm_max_ss (m, _mm_shuffle_ps (m, m, 1));
  _mm_store_ss (peaks, _mm_max_ss (m, _mm_load_ss (peaks)));
}

__attribute__ ((target ("avx"))) static void
scan_peaks_avx (const float *values, size_t n, uint32_t stride, float *peaks)
{
  const __m256 magnitude = _mm256_castsi256_ps (_mm256_set1_epi32 (0x7fffffff));
  __m256 m0 = _mm256_setzero_ps (), m1 = m0, m2 = m0, m3 = m0;
  size_t i = 0;

  /* Eight vectors a turn: a 256-frame stereo period takes eight turns. */
  for (; i + 64 <= n; i += 64)
    {
      m0 = _mm256_max_ps (m0, _mm256_and_ps (magnitude, _mm256_loadu_ps (values + i)));
      m1 = _mm256_max_ps (m1, _mm256_and_ps (magnitude, _mm256_loadu_ps (values + i + 8)));
      m2 = _mm256_max_ps (m2, _mm256_and_ps (magnitude, _mm256_loadu_ps (values + i + 16)));
      m3 = _mm256_max_ps (m3, _mm256_and_ps (magnitude, _mm256_loadu_ps (values + i + 24)));
      m0 = _mm256_max_ps (m0, _mm256_and_ps (magnitude, _mm256_loadu_ps (values + i + 32)));
      m1 = _mm256_max_ps (m1, _mm256_and_ps (magnitude, _mm256_loadu_ps (values + i + 40)));
      m2 = _mm256_max_ps (m2, _mm256_and_ps (magnitude, _mm256_loadu_ps (values + i + 48)));
      m3 = _mm256_max_ps (m3, _mm256_and_ps (magnitude, _mm256_loadu_ps (values + i + 56)));
    }
  for (; i < n; i += 8)
    m0 = _mm256_max_ps (m0, _mm256_and_ps (magnitude, _mm256_loadu_ps (values + i)));
  m0 = _mm256_max_ps (_mm256_max_ps (m0, m1), _mm256_max_ps (m2, m3));
  fold_peaks8 (_mm256_castps256_ps128 (m0), _mm256_extractf128_ps (m0, 1), stride, peaks);
}

static void
scan_peaks_sse (const float *values, size_t n, uint32_t stride, float *peaks)
{
  const __m128 magnitude = _mm_castsi128_ps (_mm_set1_epi32 (0x7fffffff));
  /* lo* take lanes 0-3 of each eight floats, hi* lanes 4-7. */
  __m128 lo0 = _mm_setzero_ps (), hi0 = lo0, lo1 = lo0, hi1 = lo0;
  size_t i = 0;

  for (; i + 16 <= n; i += 16)
    {
      lo0 = _mm_max_ps (lo0, _mm_and_ps (magnitude, _mm_loadu_ps (values + i)));
      hi0 = _mm_max_ps (hi0, _mm_and_ps (magnitude, _mm_loadu_ps (values + i + 4)));
      lo1 = _mm_max_ps (lo1, _mm_and_ps (magnitude, _mm_loadu_ps (values + i + 8)));
      hi1 = _mm_max_ps (hi1, _mm_and_ps (magnitude, _mm_loadu_ps (values + i + 12)));
    }
  for (; i < n; i += 8)
    {
      lo0 = _mm_max_ps (lo0, _mm_and_ps (magnitude, _mm_loadu_ps (values + i)));
      hi0 = _mm_max_ps (hi0, _mm_and_ps (magnitude, _mm_loadu_ps (values + i + 4)));
    }
  fold_peaks8 (_mm_max_ps (lo0, lo1), _mm_max_ps (hi0, hi1), stride, peaks);
}
#endif

void
fz_scan_peaks (const float *values, size_t n, uint32_t stride, float *peaks)
{
  if (n == 0)
    return;
#if defined(__x86_64__) || defined(__i386__)
  if (__builtin_cpu_supports ("avx"))
    scan_peaks_avx (values, n, stride, peaks);
  else
    scan_peaks_sse (values, n, stride, peaks);
#else
  for (size_t i = 0; i < n; i++)
    {
      float x = values[i] < 0.0f ? -values[i] : values[i];
      float *peak = &peaks[i & (stride - 1)];

      *peak = x > *peak ? x : *peak;
    }
#endif
}

float
fz_scan_fold (const float *max, const float *min)
{
#if defined(__x86_64__) || defined(__i386__)
  const __m128 zero = _mm_setzero_ps ();
  __m128 m = _mm_max_ps (_mm_max_ps (_mm_loadu_ps (max), _mm_loadu_ps (max + 4)),
                         _mm_sub_ps (zero, _mm_min_ps (_mm_loadu_ps (min), _mm_loadu_ps (min + 4))));

  m = _mm_max_ps (m, _mm_movehl_ps (m, m));
  m = _mm_max_ss (m, _mm_shuffle_ps (m, m, 1));
  return _mm_cvtss_f32 (_mm_max_ss (m, zero));
#else
  float best = 0.0f;

  for (unsigned l = 0; l < FZ_SCAN_LANES; l++)
    {
      best = max[l] > best ? max[l] : best;
      best = -min[l] > best ? -min[l] : best;
    }
  return best;
#endif
}
