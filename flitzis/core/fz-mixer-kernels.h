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
 * on by LANES / channels frames.  Two vectors per iteration.  A channel
 * count that does not divide LANES takes the scalar kernel. */
KERNEL_TARGET static void
KERNEL (mix_ramp) (float *restrict out, const float *restrict in, size_t frames,
                   uint32_t channels, float gain, float step)
{
  size_t n = frames * channels, i = 0;
  KERNEL (vec) number, next;
  float per_vector;

  if (channels == 0 || LANES % channels != 0)
    {
      mix_ramp_scalar (out, in, frames, channels, gain, step);
      return;
    }
  per_vector = (float) (LANES / (int) channels);
  for (int lane = 0; lane < LANES; lane++)
    number[lane] = (float) (lane / (int) channels + 1);
  next = number + per_vector;
  for (; i + 2 * LANES <= n; i += 2 * LANES)
    {
      KERNEL (vec) *o = (KERNEL (vec) *) (out + i);
      const KERNEL (vec) *s = (const KERNEL (vec) *) (in + i);

      o[0] += s[0] * (gain + step * number);
      o[1] += s[1] * (gain + step * next);
      number += 2 * per_vector;
      next += 2 * per_vector;
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
