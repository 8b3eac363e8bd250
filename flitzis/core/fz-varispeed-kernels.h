/* fz-varispeed-kernels.h: the vector resampling kernels, instantiated by fz-varispeed.c
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Included once per instruction set, with KERNEL(name) (the name with the
 * set's suffix) and KERNEL_TARGET (the function attribute that enables the
 * set).  GCC's generic vectors of eight floats become one AVX2 register,
 * or two SSE2 ones on the baseline.  The 16 taps of a frame are two
 * vectors; a stereo frame's taps are its coefficients, each twice, against
 * four vectors of interleaved samples.  The sums are taken in another
 * order than the scalar kernel's: the results agree within float
 * rounding, not to the bit (tests/core/test-varispeed.c).  Mono and
 * stereo; other channel counts take the scalar kernel.
 */

typedef float KERNEL (v8) __attribute__ ((vector_size (32), aligned (4), may_alias));
typedef int KERNEL (i8) __attribute__ ((vector_size (32)));

KERNEL_TARGET static void
KERNEL (kernel) (float *out, const float *src, uint32_t channels, size_t n, uint64_t *acc_p,
                 uint64_t *inc_p, int64_t dinc, uint32_t band, float gain, float step)
{
  uint64_t acc = *acc_p, inc = *inc_p;

  if (channels != 1 && channels != 2)
    {
      kernel_scalar (out, src, channels, n, acc_p, inc_p, dinc, band, gain, step);
      return;
    }
  for (size_t f = 0; f < n; f++)
    {
      uint32_t frac = (uint32_t) acc, p = frac >> PHASE_SHIFT;
      float t = (float) (frac & ((1u << PHASE_SHIFT) - 1u)) * (1.0f / (float) (1u << PHASE_SHIFT));
      const KERNEL (v8) *a = (const KERNEL (v8) *) tab_a[band][p];
      const KERNEL (v8) *d = (const KERNEL (v8) *) tab_d[band][p];
      const KERNEL (v8) *s = (const KERNEL (v8) *) (src + (size_t) (acc >> 32) * channels);
      KERNEL (v8) c0 = a[0] + t * d[0], c1 = a[1] + t * d[1], sum;
      float g = gain + step * (float) (int64_t) (f + 1);

      if (channels == 1)
        {
          sum = c0 * s[0] + c1 * s[1];
          sum += __builtin_shuffle (sum, (KERNEL (i8)) { 4, 5, 6, 7, 0, 1, 2, 3 });
          sum += __builtin_shuffle (sum, (KERNEL (i8)) { 2, 3, 0, 1, 6, 7, 4, 5 });
          sum += __builtin_shuffle (sum, (KERNEL (i8)) { 1, 0, 3, 2, 5, 4, 7, 6 });
          out[f] += sum[0] * g;
        }
      else
        {
          const KERNEL (i8) lo = { 0, 0, 1, 1, 2, 2, 3, 3 }, hi = { 4, 4, 5, 5, 6, 6, 7, 7 };

          sum = __builtin_shuffle (c0, lo) * s[0] + __builtin_shuffle (c0, hi) * s[1] +
                __builtin_shuffle (c1, lo) * s[2] + __builtin_shuffle (c1, hi) * s[3];
          sum += __builtin_shuffle (sum, (KERNEL (i8)) { 4, 5, 6, 7, 0, 1, 2, 3 });
          sum += __builtin_shuffle (sum, (KERNEL (i8)) { 2, 3, 0, 1, 6, 7, 4, 5 });
          out[2 * f] += sum[0] * g;
          out[2 * f + 1] += sum[1] * g;
        }
      inc += (uint64_t) dinc;
      acc += inc;
    }
  *acc_p = acc;
  *inc_p = inc;
}
