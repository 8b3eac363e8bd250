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

/* mix_voices() for a full batch (FZ_MIXER_BATCH voices), the usual case:
 * the voice loop unrolled, so that the voices' sample pointers and gains
 * stay in registers; a block costs its multiplies and adds and little
 * else.  Whole blocks of four vectors only; the same lanes, operations
 * and order as mix_voices(). */
KERNEL_TARGET static __attribute__ ((noinline)) void
KERNEL (mix_batch) (float *restrict out, size_t n, const float *const *in, const float *gain)
{
  KERNEL (vec) g[FZ_MIXER_BATCH];
  const float *s[FZ_MIXER_BATCH];

#pragma GCC unroll 8
  for (int v = 0; v < FZ_MIXER_BATCH; v++)
    {
      s[v] = in[v];
      g[v] = (KERNEL (vec)) { 0 } + gain[v];
    }
  for (size_t i = 0; i + 4 * LANES <= n; i += 4 * LANES)
    {
      KERNEL (vec) *o = (KERNEL (vec) *) (out + i);
      KERNEL (vec) a = o[0], b = o[1], c = o[2], d = o[3];

#pragma GCC unroll 8
      for (int v = 0; v < FZ_MIXER_BATCH; v++)
        {
          const KERNEL (vec) *x = (const KERNEL (vec) *) (s[v] + i);

          a += x[0] * g[v];
          b += x[1] * g[v];
          c += x[2] * g[v];
          d += x[3] * g[v];
        }
      o[0] = a;
      o[1] = b;
      o[2] = c;
      o[3] = d;
    }
}

/* mix_voices() for anything but a full batch of whole blocks: each block
 * of four vectors of @out loaded once, every voice added into it in turn
 * in registers, and stored once (a full batch's whole blocks by
 * mix_batch()); then single vectors, then single samples. */
KERNEL_TARGET static __attribute__ ((noinline)) void
KERNEL (mix_voices_any) (float *restrict out, size_t n, const float *const *in,
                         const float *gain, uint32_t count)
{
  size_t i = 0;

  if (count == FZ_MIXER_BATCH)
    {
      i = n - n % (4 * LANES);
      KERNEL (mix_batch) (out, i, in, gain);
    }
  for (; i + 4 * LANES <= n; i += 4 * LANES)
    {
      KERNEL (vec) *o = (KERNEL (vec) *) (out + i);
      KERNEL (vec) a = o[0], b = o[1], c = o[2], d = o[3];

      for (uint32_t v = 0; v < count; v++)
        {
          const KERNEL (vec) *s = (const KERNEL (vec) *) (in[v] + i);
          const KERNEL (vec) g = (KERNEL (vec)) { 0 } + gain[v];

          a += s[0] * g;
          b += s[1] * g;
          c += s[2] * g;
          d += s[3] * g;
        }
      o[0] = a;
      o[1] = b;
      o[2] = c;
      o[3] = d;
    }
  for (; i + LANES <= n; i += LANES)
    {
      KERNEL (vec) a = *(KERNEL (vec) *) (out + i);

      for (uint32_t v = 0; v < count; v++)
        a += *(const KERNEL (vec) *) (in[v] + i) * ((KERNEL (vec)) { 0 } + gain[v]);
      *(KERNEL (vec) *) (out + i) = a;
    }
  for (; i < n; i++)
    {
      float a = out[i];

      for (uint32_t v = 0; v < count; v++)
        a += in[v][i] * gain[v];
      out[i] = a;
    }
}

/* The settled voices of a period at once (fz-mixer-settled.c): lane for
 * lane the same multiplies and adds in the same order as mix_constant()
 * voice after voice, so the same bits, without the voices' per-call
 * cost.  A full batch of whole blocks, the usual case (a period of a
 * power of two frames is whole blocks), takes mix_batch() straight away;
 * anything else mix_voices_any().  Each is a call of its own, so that
 * this one needs no frame and neither pays for the other's registers. */
KERNEL_TARGET static void
KERNEL (mix_voices) (float *restrict out, size_t n, const float *const *in, const float *gain,
                     uint32_t count)
{
  if (count == FZ_MIXER_BATCH && n % (4 * LANES) == 0)
    KERNEL (mix_batch) (out, n, in, gain);
  else
    KERNEL (mix_voices_any) (out, n, in, gain, count);
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

/* mix_voices_ramp() for a full batch (FZ_MIXER_BATCH voices, no
 * offsets), the usual case: the voice loop unrolled, so that the
 * voices' sample pointers stay in registers, and each voice's gain and
 * step broadcast once a call, then read as operands of the adds and the
 * multiplies.  A block then costs its multiplies and adds and little
 * else.  The same lanes, operations and order as mix_voices_ramp(). */
KERNEL_TARGET static void
KERNEL (mix_batch_ramp) (float *restrict out, size_t n, const float *const *in,
                         const float *gain, const float *step, KERNEL (vec) n0,
                         float per_vector)
{
  KERNEL (vec) g[FZ_MIXER_BATCH], st[FZ_MIXER_BATCH];
  const float *s[FZ_MIXER_BATCH];
  KERNEL (vec) n1 = n0 + per_vector, n2 = n0 + 2 * per_vector, n3 = n0 + 3 * per_vector;
  size_t i = 0;

#pragma GCC unroll 8
  for (int v = 0; v < FZ_MIXER_BATCH; v++)
    {
      s[v] = in[v];
      g[v] = (KERNEL (vec)) { 0 } + gain[v];
      st[v] = (KERNEL (vec)) { 0 } + step[v];
    }
  for (; i + 4 * LANES <= n; i += 4 * LANES)
    {
      KERNEL (vec) *o = (KERNEL (vec) *) (out + i);
      KERNEL (vec) a = o[0], b = o[1], c = o[2], d = o[3];

#pragma GCC unroll 8
      for (int v = 0; v < FZ_MIXER_BATCH; v++)
        {
          const KERNEL (vec) *x = (const KERNEL (vec) *) (s[v] + i);

          a += x[0] * (g[v] + st[v] * n0);
          b += x[1] * (g[v] + st[v] * n1);
          c += x[2] * (g[v] + st[v] * n2);
          d += x[3] * (g[v] + st[v] * n3);
        }
      o[0] = a;
      o[1] = b;
      o[2] = c;
      o[3] = d;
      n0 += 4 * per_vector;
      n1 += 4 * per_vector;
      n2 += 4 * per_vector;
      n3 += 4 * per_vector;
    }
}

/* The ramping voices of a stretch at once (fz-mixer-ramped.c), as
 * mix_voices() is the settled ones': each block of four vectors of @out
 * loaded once, every voice added in turn, stored once.  A voice's gain
 * in a lane is gain + step * n, n the lane's frame number (plus one) as
 * mix_ramp() has it, plus the voice's @offset (integers below 2^24: the
 * sum is exact, so the same n as mix_ramp() would have from the piece's
 * start): lane for lane the same multiplies and adds as mix_ramp() voice
 * after voice, so the same bits.  Without offsets, the voices share the
 * lanes' numbers.  A channel count that does not divide LANES takes the
 * scalar kernel. */
KERNEL_TARGET static void
KERNEL (mix_voices_ramp) (float *restrict out, size_t frames, uint32_t channels,
                          const float *const *in, const float *gain, const float *step,
                          const float *offset, uint32_t count)
{
  size_t n = frames * channels, i = 0;
  KERNEL (vec) n0, n1, n2, n3;
  float per_vector;

  if (channels == 0 || channels > (uint32_t) LANES || (channels & (channels - 1)) != 0)
    {
      mix_voices_ramp_scalar (out, frames, channels, in, gain, step, offset, count);
      return;
    }
  n0 = *(const KERNEL (vec) *) ramp_frame_numbers[__builtin_ctz (channels)];
  per_vector = (float) (LANES >> __builtin_ctz (channels));
  if (count == FZ_MIXER_BATCH && offset == NULL)
    {
      KERNEL (mix_batch_ramp) (out, n, in, gain, step, n0, per_vector);
      i = n - n % (4 * LANES);
      n0 += (float) (i / LANES) * per_vector;
    }
  n1 = n0 + per_vector;
  n2 = n0 + 2 * per_vector;
  n3 = n0 + 3 * per_vector;
  for (; i + 4 * LANES <= n; i += 4 * LANES)
    {
      KERNEL (vec) *o = (KERNEL (vec) *) (out + i);
      KERNEL (vec) a = o[0], b = o[1], c = o[2], d = o[3];

      if (offset == NULL)
        for (uint32_t v = 0; v < count; v++)
          {
            const KERNEL (vec) *s = (const KERNEL (vec) *) (in[v] + i);
            const float g = gain[v], st = step[v];

            a += s[0] * (g + st * n0);
            b += s[1] * (g + st * n1);
            c += s[2] * (g + st * n2);
            d += s[3] * (g + st * n3);
          }
      else
        for (uint32_t v = 0; v < count; v++)
          {
            const KERNEL (vec) *s = (const KERNEL (vec) *) (in[v] + i);
            const float g = gain[v], st = step[v], off = offset[v];

            a += s[0] * (g + st * (n0 + off));
            b += s[1] * (g + st * (n1 + off));
            c += s[2] * (g + st * (n2 + off));
            d += s[3] * (g + st * (n3 + off));
          }
      o[0] = a;
      o[1] = b;
      o[2] = c;
      o[3] = d;
      n0 += 4 * per_vector;
      n1 += 4 * per_vector;
      n2 += 4 * per_vector;
      n3 += 4 * per_vector;
    }
  for (; i + LANES <= n; i += LANES)
    {
      KERNEL (vec) a = *(KERNEL (vec) *) (out + i);

      for (uint32_t v = 0; v < count; v++)
        a += *(const KERNEL (vec) *) (in[v] + i)
             * (gain[v] + step[v] * (n0 + (offset != NULL ? offset[v] : 0.0f)));
      *(KERNEL (vec) *) (out + i) = a;
      n0 += per_vector;
    }
  /* i is a whole number of frames: LANES is a multiple of channels. */
  for (size_t f = i / channels; f < frames; f++)
    for (uint32_t c = 0; c < channels; c++)
      {
        float a = out[f * channels + c];

        for (uint32_t v = 0; v < count; v++)
          a += in[v][f * channels + c]
               * (gain[v] + step[v] * ((float) (f + 1) + (offset != NULL ? offset[v] : 0.0f)));
        out[f * channels + c] = a;
      }
}

#undef LANES
