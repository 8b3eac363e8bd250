/* fz-mixer-kernels.h: the vector mixing kernels, instantiated by fz-mixer.c
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Included once per instruction set, with
 *   KERNEL(name)    the kernel's name with the set's suffix,
 *   KERNEL_BYTES    the vector width (16: SSE2, the x86-64 baseline, or
 *                   NEON; 32: AVX2),
 *   KERNEL_TARGET   the function attribute that enables the set.
 * GCC's generic vectors become that set's instructions.  Each kernel does,
 * lane for lane, the multiply and the add that the scalar kernels in
 * fz-mixer.c do, in the same order and never fused (no FMA is enabled), so
 * every path gives the same bits (tests/test-mixer.c compares them).
 *
 * Loads and stores are unaligned (a voice starts at any frame, and the
 * device's buffer may start anywhere); on the CPUs that have AVX2 an
 * unaligned access that happens to be aligned costs nothing extra.
 */

/* may_alias: the vectors read and write float arrays. */
typedef float KERNEL (vec) __attribute__ ((vector_size (KERNEL_BYTES), aligned (4), may_alias));
#define LANES (KERNEL_BYTES / (int) sizeof (float))

/* out[i] += in[i] * gain.  Four vectors per iteration, so that the loop's
 * own compare and branch are spread over 4 * LANES samples; then single
 * vectors; then single samples (fewer than LANES). */
KERNEL_TARGET static void
KERNEL (mix_constant) (float *restrict out, const float *restrict in, size_t n, float gain)
{
  const KERNEL (vec) g = (KERNEL (vec)) { 0 } + gain;
  size_t i = 0;

  for (; i + 4 * LANES <= n; i += 4 * LANES)
    {
      KERNEL (vec) *o = (KERNEL (vec) *) (out + i);
      const KERNEL (vec) *s = (const KERNEL (vec) *) (in + i);

      o[0] += s[0] * g;
      o[1] += s[1] * g;
      o[2] += s[2] * g;
      o[3] += s[3] * g;
    }
  for (; i + LANES <= n; i += LANES)
    *(KERNEL (vec) *) (out + i) += *(const KERNEL (vec) *) (in + i) * g;
  for (; i < n; i++)
    out[i] += in[i] * gain;
}

/* Frame f at gain + step * (f + 1), as mix_ramp_scalar().  The gain is
 * computed per vector, not per sample: each lane holds its frame's number
 * (plus one) as a float, exact below 2^24, and the vector of numbers moves
 * on by LANES / channels frames.  Four vectors per iteration (each lane's
 * number is the same integer however the loop is cut, so the same bits),
 * then single vectors, then single frames.  A channel count that does not
 * divide LANES (a power of two) takes the scalar kernel. */
KERNEL_TARGET static void
KERNEL (mix_ramp) (float *restrict out, const float *restrict in, size_t frames,
                   uint32_t channels, float gain, float step)
{
  size_t n = frames * channels, i = 0;
  KERNEL (vec) n0, n1, n2, n3;
  float per_vector;

  if (channels == 0 || channels > (uint32_t) LANES || (channels & (channels - 1)) != 0)
    {
      mix_ramp_scalar (out, in, frames, channels, gain, step);
      return;
    }
  /* channels is 1, 2, 4 or 8: the lanes' numbers are a row of the table. */
  n0 = *(const KERNEL (vec) *) ramp_frame_numbers[__builtin_ctz (channels)];
  per_vector = (float) (LANES >> __builtin_ctz (channels));
  n1 = n0 + per_vector;
  n2 = n0 + 2 * per_vector;
  n3 = n0 + 3 * per_vector;
  for (; i + 4 * LANES <= n; i += 4 * LANES)
    {
      KERNEL (vec) *o = (KERNEL (vec) *) (out + i);
      const KERNEL (vec) *s = (const KERNEL (vec) *) (in + i);

      o[0] += s[0] * (gain + step * n0);
      o[1] += s[1] * (gain + step * n1);
      o[2] += s[2] * (gain + step * n2);
      o[3] += s[3] * (gain + step * n3);
      n0 += 4 * per_vector;
      n1 += 4 * per_vector;
      n2 += 4 * per_vector;
      n3 += 4 * per_vector;
    }
  for (; i + LANES <= n; i += LANES)
    {
      *(KERNEL (vec) *) (out + i) += *(const KERNEL (vec) *) (in + i) * (gain + step * n0);
      n0 += per_vector;
    }
  /* i is a whole number of frames: LANES is a multiple of channels. */
  for (size_t f = i / channels; f < frames; f++)
    {
      float g = gain + step * (float) (f + 1);

      for (uint32_t c = 0; c < channels; c++)
        out[f * channels + c] += in[f * channels + c] * g;
    }
}

#undef LANES
