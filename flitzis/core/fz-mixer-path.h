/* fz-mixer-path.h: the mixer's kernels, as fz-mixer.c calls them
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inside the core only: fz-mixer-path.c defines the kernels and chooses
 * them (fz_mixer_set_path()); fz-mixer.c mixes with them.  Audio
 * thread, except the choice.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fz-mixer.h"

/* The voices of one call of the voices kernels, at most.  Eight, not 32:
 * 32 samples read side by side in 128-byte steps outrun what the CPU's
 * prefetchers follow, and took 1.2-1.3x the time of a plain read of the
 * same bytes; eight at a time took 0.78x (bench-floor time, one shared
 * EPYC), for about 0.1 instructions a voice and frame more (the output
 * block is loaded and stored once per batch).  voices() and
 * voices_ramp() each have a path of their own for a full batch. */
#define FZ_MIXER_BATCH 8

struct FzMixKernels {
  const char *name;
  void (*constant) (float *restrict out, const float *restrict in, size_t n, float gain);
  void (*ramp) (float *restrict out, const float *restrict in, size_t frames,
                uint32_t channels, float gain, float step);
  /* out[i] += in[v][i] * gain[v] for v = 0 .. count - 1 in turn: the same
   * bits as constant() once per voice, in one pass over @out. */
  void (*voices) (float *restrict out, size_t n, const float *const *in, const float *gain,
                  uint32_t count);
  /* The ramping voices of a stretch of a period at once
   * (fz-mixer-ramped.c): frame f of voice v at
   * gain[v] + step[v] * ((float) (f + 1) + offset[v]), offset[v] the
   * frames its ramp's piece has played before (@offset NULL: all 0), the
   * voices added in turn: the same bits as ramp() (constant() where a step
   * is 0) once per voice, in one pass over @out. */
  void (*voices_ramp) (float *restrict out, size_t frames, uint32_t channels,
                       const float *const *in, const float *gain, const float *step,
                       const float *offset, uint32_t count);
};
