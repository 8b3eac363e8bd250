/* fz-varispeed-kernels.h: the vector resampling kernels, instantiated by fz-varispeed.c
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Included once per instruction set, with KERNEL(name) (the name with the
 * set's suffix) and KERNEL_TARGET (the function attribute that enables the
 * set).  Generic vectors of eight floats, shuffled with
 * __builtin_shufflevector (GCC 12 and clang both have it), become one
 * AVX2 register, or two SSE2 ones on the baseline.
 *
 * Stereo, the usual case: a frame's 16 taps, each twice (tab_s), against
 * four vectors of interleaved samples, summed into one vector whose even
 * lanes add up to the left channel and odd ones to the right.  Four
 * output frames at a time: their four sums are folded together into one
 * vector of the four frames' left and right, mixed into the output at
 * once (the fold costs 2.25 instructions a frame instead of 8).  At a
 * settled speed (no glide) eight frames at a time, their rows and frames
 * worked out four lanes at a time (STEADY_OFFSETS).  Mono: two
 * vectors of taps a frame, folded one frame at a time.  Other channel
 * counts take the scalar kernel.  The sums are taken in another order
 * than the scalar kernel's: the results agree within float rounding, not
 * to the bit (tests/engine/test-speed.c compares them).
 */

typedef float KERNEL (v8) __attribute__ ((vector_size (32), aligned (4), may_alias));
typedef uint64_t KERNEL (u4) __attribute__ ((vector_size (32), aligned (8), may_alias));

/* Where eight frames' taps begin (@at) and their rows (@row), from the
 * positions of the first four frames (@lo) and the last four (@hi): worked
 * out in vectors, four lanes at once, and stored.  The empty asm makes the
 * compiler read each back with one load, where it would otherwise take
 * each lane out of its vector with two instructions and add the base with
 * a third: 2.25 instructions a frame here, 7 for the four-frame loop's
 * scalar sequence. */
#define STEADY_OFFSETS(at, row, lo, hi)                                                        \
  do                                                                                           \
    {                                                                                          \
      const KERNEL (u4) bits_ = { ROW_BITS, ROW_BITS, ROW_BITS, ROW_BITS };                    \
                                                                                               \
      *(KERNEL (u4) *) &(at)[0] = (((lo) >> 32) << 3) + src_base;                              \
      *(KERNEL (u4) *) &(at)[4] = (((hi) >> 32) << 3) + src_base;                              \
      *(KERNEL (u4) *) &(row)[0] = (((lo) >> ROW_SHIFT) & bits_) + row_base;                   \
      *(KERNEL (u4) *) &(row)[4] = (((hi) >> ROW_SHIFT) & bits_) + row_base;                   \
      __asm__ ("" : "+m" (at), "+m" (row));                                                    \
    }                                                                                          \
  while (0)

/* One stereo frame's sum, into @sum: its row @c against its taps @s (both
 * pointers to floats); lanes 2i and 2i + 1 add up to its left and right.
 * Every stereo loop sums through this, in this order: the eight-frame
 * loop's bits are the four-frame one's.  A macro: a function returning a
 * 256-bit vector would change the ABI of the baseline build. */
#define TAPS_SUM(sum, c, s)                                                                    \
  do                                                                                           \
    {                                                                                          \
      const KERNEL (v8) *c_ = (const KERNEL (v8) *) (c);                                       \
      const KERNEL (v8) *s_ = (const KERNEL (v8) *) (s);                                       \
                                                                                               \
      (sum) = (c_[0] * s_[0] + c_[1] * s_[1]) + (c_[2] * s_[2] + c_[3] * s_[3]);               \
    }                                                                                          \
  while (0)

/* The sum of the frame whose taps begin at lane @k of @at, its row at lane
 * @k of @row. */
#define STEADY_SUM(sum, at, row, k)                                                            \
  TAPS_SUM (sum, (const float *) (uintptr_t) (row)[k], (const float *) (uintptr_t) (at)[k])

/* Four frames' sums @a to @d folded into @r: lanes La Ra Lb Rb Lc Rc Ld
 * Rd, each lane's four partial sums added in pairs.  Pairing a with c and
 * b with d leaves the lanes in order, with no permute at the end.  A
 * macro, as TAPS_SUM is. */
#define FOLD4(r, a, b, c, d)                                                                   \
  do                                                                                           \
    {                                                                                          \
      KERNEL (v8) p_ = __builtin_shufflevector (a, c, 0, 1, 2, 3, 8, 9, 10, 11) +              \
                       __builtin_shufflevector (a, c, 4, 5, 6, 7, 12, 13, 14, 15);             \
      KERNEL (v8) q_ = __builtin_shufflevector (b, d, 0, 1, 2, 3, 8, 9, 10, 11) +              \
                       __builtin_shufflevector (b, d, 4, 5, 6, 7, 12, 13, 14, 15);             \
                                                                                               \
      (r) = __builtin_shufflevector (p_, q_, 0, 1, 8, 9, 4, 5, 12, 13) +                       \
            __builtin_shufflevector (p_, q_, 2, 3, 10, 11, 6, 7, 14, 15);                      \
    }                                                                                          \
  while (0)

/* The eight-frame loop, its first four frames mixed at @gain_lo and its
 * last four at @gain_hi: a macro, so that the test of the gain's step is
 * taken once a block, not once a turn. */
#define STEADY_LOOP(gain_lo, gain_hi)                                                          \
  for (; f + 8 <= n; f += 8)                                                                   \
    {                                                                                          \
      KERNEL (v8) z0, z1, z2, z3, z4, z5, z6, z7, u, w;                                        \
                                                                                               \
      STEADY_OFFSETS (at, row, lo, hi);                                                        \
      lo += 8 * inc;                                                                           \
      hi += 8 * inc;                                                                           \
      STEADY_SUM (z0, at, row, 0);                                                             \
      STEADY_SUM (z1, at, row, 1);                                                             \
      STEADY_SUM (z2, at, row, 2);                                                             \
      STEADY_SUM (z3, at, row, 3);                                                             \
      STEADY_SUM (z4, at, row, 4);                                                             \
      STEADY_SUM (z5, at, row, 5);                                                             \
      STEADY_SUM (z6, at, row, 6);                                                             \
      STEADY_SUM (z7, at, row, 7);                                                             \
      FOLD4 (u, z0, z1, z2, z3);                                                               \
      FOLD4 (w, z4, z5, z6, z7);                                                               \
      *(KERNEL (v8) *) (out + 2 * f) += u * (gain_lo);                                         \
      *(KERNEL (v8) *) (out + 2 * f + 8) += w * (gain_hi);                                     \
    }

/* Eight frames at a time while the speed is settled; returns the frames
 * done, a multiple of eight, *@acc_p moved on past them. */
KERNEL_TARGET static size_t
KERNEL (stereo_steady) (float *out, const float *src, size_t n, uint64_t *acc_p, uint64_t inc,
                        const float (*rows)[2 * FZ_VS_TAPS], float gain, float step)
{
  const KERNEL (v8) first = { 1, 1, 2, 2, 3, 3, 4, 4 };
  uint64_t acc = *acc_p;
  KERNEL (u4) lo = { acc, acc + inc, acc + 2 * inc, acc + 3 * inc };
  KERNEL (u4) hi = lo + 4 * inc;
  const uint64_t s0 = (uint64_t) (uintptr_t) src, r0 = (uint64_t) (uintptr_t) rows;
  const KERNEL (u4) src_base = { s0, s0, s0, s0 }, row_base = { r0, r0, r0, r0 };
  uint64_t at[8] __attribute__ ((aligned (32))), row[8] __attribute__ ((aligned (32)));
  size_t f = 0;

  if (step == 0.0f)
    {
      STEADY_LOOP (gain, gain);
    }
  else
    {
      STEADY_LOOP (gain + step * ((float) (int64_t) f + first),
                   gain + step * ((float) (int64_t) (f + 4) + first));
    }
  *acc_p = acc + (uint64_t) f * inc;
  return f;
}

#undef STEADY_OFFSETS
#undef STEADY_SUM
#undef STEADY_LOOP

/* The sum of the frame at @acc, its row found by its phase. */
#define STEREO_SUM(sum, acc) TAPS_SUM (sum, rows[phase_of (acc)], src + (size_t) ((acc) >> 32) * 2)

KERNEL_TARGET static void
KERNEL (stereo) (float *out, const float *src, size_t n, uint64_t *acc_p, uint64_t *inc_p,
                 int64_t dinc, uint32_t band, float gain, float step)
{
  const KERNEL (v8) numbers = { 1, 1, 2, 2, 3, 3, 4, 4 };
  uint64_t acc = *acc_p + ROUND, inc = *inc_p;
  const float (*rows)[2 * FZ_VS_TAPS] = tab_s[band];
  size_t f = dinc == 0 ? KERNEL (stereo_steady) (out, src, n, &acc, inc, rows, gain, step) : 0;

  for (; f + 4 <= n; f += 4)
    {
      KERNEL (v8) a, b, c, d, r;

      STEREO_SUM (a, acc);
      inc += (uint64_t) dinc;
      acc += inc;
      STEREO_SUM (b, acc);
      inc += (uint64_t) dinc;
      acc += inc;
      STEREO_SUM (c, acc);
      inc += (uint64_t) dinc;
      acc += inc;
      STEREO_SUM (d, acc);
      inc += (uint64_t) dinc;
      acc += inc;
      FOLD4 (r, a, b, c, d);
      if (step == 0.0f)
        *(KERNEL (v8) *) (out + 2 * f) += r * gain;
      else
        *(KERNEL (v8) *) (out + 2 * f) += r * (gain + step * ((float) (int64_t) f + numbers));
    }
  for (; f < n; f++)
    {
      KERNEL (v8) s;
      float g = gain + step * (float) (int64_t) (f + 1);

      STEREO_SUM (s, acc);
      s += __builtin_shufflevector (s, s, 4, 5, 6, 7, 0, 1, 2, 3);
      out[2 * f] += (s[0] + s[2]) * g;
      out[2 * f + 1] += (s[1] + s[3]) * g;
      inc += (uint64_t) dinc;
      acc += inc;
    }
  *acc_p = acc - ROUND;
  *inc_p = inc;
}

KERNEL_TARGET static void
KERNEL (kernel) (float *out, const float *src, uint32_t channels, size_t n, uint64_t *acc_p,
                 uint64_t *inc_p, int64_t dinc, uint32_t band, float gain, float step)
{
  uint64_t acc = *acc_p + ROUND, inc = *inc_p;

  if (channels == 2)
    {
      KERNEL (stereo) (out, src, n, acc_p, inc_p, dinc, band, gain, step);
      return;
    }
  if (channels != 1)
    {
      kernel_scalar (out, src, channels, n, acc_p, inc_p, dinc, band, gain, step);
      return;
    }
  for (size_t f = 0; f < n; f++)
    {
      const KERNEL (v8) *c = (const KERNEL (v8) *) tab_m[band][phase_of (acc)];
      const KERNEL (v8) *s = (const KERNEL (v8) *) (src + (size_t) (acc >> 32));
      KERNEL (v8) sum = c[0] * s[0] + c[1] * s[1];

      sum += __builtin_shufflevector (sum, sum, 4, 5, 6, 7, 0, 1, 2, 3);
      out[f] += ((sum[0] + sum[2]) + (sum[1] + sum[3])) * (gain + step * (float) (int64_t) (f + 1));
      inc += (uint64_t) dinc;
      acc += inc;
    }
  *acc_p = acc - ROUND;
  *inc_p = inc;
}

#undef STEREO_SUM
#undef FOLD4
#undef TAPS_SUM
