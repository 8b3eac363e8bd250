/* fz-mixer-path.c: the mixing kernels and their choice, see fz-mixer-path.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Cut out of fz-mixer.c (which mixes with them) when the slot buses of
 * the isolator (fz-eq.c) came, to keep each file to one job.
 */

#include <stddef.h>

#include "fz-mixer-path.h"

/* ---- kernels ---- */

/* The reference kernels: plain C, one sample at a time, as readable as a
 * mixer gets.  They are the definition of the mix; the vector kernels below
 * must give the same bits. */
static void
mix_constant_scalar (float *restrict out, const float *restrict in, size_t n, float gain)
{
  for (size_t i = 0; i < n; i++)
    out[i] += in[i] * gain;
}

static void
mix_voices_scalar (float *restrict out, size_t n, const float *const *in, const float *gain,
                   uint32_t count)
{
  for (uint32_t v = 0; v < count; v++)
    mix_constant_scalar (out, in[v], n, gain[v]);
}

/* Frame f gets gain + step * (f + 1): the last frame reaches the end value. */
static void
mix_ramp_scalar (float *restrict out, const float *restrict in, size_t frames,
                 uint32_t channels, float gain, float step)
{
  for (size_t f = 0; f < frames; f++)
    {
      float g = gain + step * (float) (f + 1);

      for (uint32_t c = 0; c < channels; c++)
        out[f * channels + c] += in[f * channels + c] * g;
    }
}

/* Voice after voice, frame after frame: each frame's number counted on
 * from where its piece started (an integer below 2^24, so exact as a
 * float, the sum too), its gain worked out as mix_ramp_scalar() does.  A
 * step of 0 gives the plain gain: gain + 0 * n is gain, and an output sum
 * that starts at +0 never becomes -0, so the sign of a zero product
 * cannot show. */
static void
mix_voices_ramp_scalar (float *restrict out, size_t frames, uint32_t channels,
                        const float *const *in, const float *gain, const float *step,
                        const float *offset, uint32_t count)
{
  for (uint32_t v = 0; v < count; v++)
    {
      float off = offset != NULL ? offset[v] : 0.0f;

      for (size_t f = 0; f < frames; f++)
        {
          float g = gain[v] + step[v] * ((float) (f + 1) + off);

          for (uint32_t c = 0; c < channels; c++)
            out[f * channels + c] += in[v][f * channels + c] * g;
        }
    }
}

/* The ramp kernels' first vector of frame numbers (plus one), lane by
 * lane, for 1, 2, 4 and 8 channels (row log2 of the channels): a vector
 * of LANES lanes takes the row's first LANES.  A table, not a loop that
 * divides each lane's index: that loop cost 73 instructions a piece. */
static const float ramp_frame_numbers[4][8] = {
  { 1, 2, 3, 4, 5, 6, 7, 8 },
  { 1, 1, 2, 2, 3, 3, 4, 4 },
  { 1, 1, 1, 1, 2, 2, 2, 2 },
  { 1, 1, 1, 1, 1, 1, 1, 1 },
};

/* The vector kernels: 128-bit (SSE2 is the x86-64 baseline, so these need
 * no check), and, on x86, 256-bit AVX2 chosen at run time.  Not FMA: a
 * fused multiply-add rounds once instead of twice, and the output would
 * then depend on the CPU. */
#define KERNEL(name) name##_vec128
#define KERNEL_BYTES 16
#define KERNEL_TARGET
#include "fz-mixer-kernels.h"
#undef KERNEL
#undef KERNEL_BYTES
#undef KERNEL_TARGET

#if defined(__x86_64__) || defined(__i386__)
#define HAVE_AVX2_KERNELS 1
#define KERNEL(name) name##_avx2
#define KERNEL_BYTES 32
#define KERNEL_TARGET __attribute__ ((target ("avx2")))
#include "fz-mixer-kernels.h"
#undef KERNEL
#undef KERNEL_BYTES
#undef KERNEL_TARGET
#endif

static const FzMixKernels kernels[] = {
  [FZ_MIX_PATH_SCALAR] = { "scalar", mix_constant_scalar, mix_ramp_scalar, mix_voices_scalar,
    mix_voices_ramp_scalar },
  [FZ_MIX_PATH_VEC128] = { "vec128", mix_constant_vec128, mix_ramp_vec128, mix_voices_vec128,
    mix_voices_ramp_vec128 },
#ifdef HAVE_AVX2_KERNELS
  [FZ_MIX_PATH_AVX2] = { "avx2", mix_constant_avx2, mix_ramp_avx2, mix_voices_avx2,
    mix_voices_ramp_avx2 },
#endif
};

bool
fz_mixer_set_path (FzMixer *mixer, FzMixPath path)
{
  switch (path)
    {
    case FZ_MIX_PATH_AUTO:
#ifdef HAVE_AVX2_KERNELS
      __builtin_cpu_init ();
      if (__builtin_cpu_supports ("avx2"))
        return fz_mixer_set_path (mixer, FZ_MIX_PATH_AVX2);
#endif
      return fz_mixer_set_path (mixer, FZ_MIX_PATH_VEC128);
    case FZ_MIX_PATH_AVX2:
#ifdef HAVE_AVX2_KERNELS
      __builtin_cpu_init ();
      if (!__builtin_cpu_supports ("avx2"))
        return false;
      break;
#else
      return false;
#endif
    case FZ_MIX_PATH_SCALAR:
    case FZ_MIX_PATH_VEC128:
      break;
    default:
      return false;
    }
  mixer->kernels = &kernels[path];
  return true;
}

const char *
fz_mixer_get_path_name (const FzMixer *mixer)
{
  return mixer->kernels->name;
}

void
fz_mixer_mix_into (const FzMixer *mixer, float *out, const float *in, size_t n, float gain)
{
  mixer->kernels->constant (out, in, n, gain);
}
