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
