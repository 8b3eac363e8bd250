/* fz-resampler.c: sample-rate conversion with libsoxr, see fz-resampler.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>

#include <soxr.h>

#include "fz-resampler.h"

struct FzResampler {
  soxr_t soxr;
};

FzResampler *
fz_resampler_new (uint32_t in_rate, uint32_t out_rate, uint32_t channels,
                  FzResampleQuality recipe)
{
  static const unsigned long recipes[] = {
    [FZ_RESAMPLE_QUICK] = SOXR_QQ, [FZ_RESAMPLE_LOW] = SOXR_LQ, [FZ_RESAMPLE_MEDIUM] = SOXR_MQ,
    [FZ_RESAMPLE_HIGH] = SOXR_HQ, [FZ_RESAMPLE_VERY_HIGH] = SOXR_VHQ,
  };
  soxr_io_spec_t io = soxr_io_spec (SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  /* The default, high quality: 20-bit precision, linear phase (every
   * recipe here is linear phase: flags 0). */
  soxr_quality_spec_t quality;
  soxr_runtime_spec_t runtime = soxr_runtime_spec (1);   /* no threads of its own */
  FzResampler *resampler;
  soxr_error_t error = NULL;
  soxr_t soxr;

  if ((unsigned) recipe > FZ_RESAMPLE_LAST)
    return NULL;
  quality = soxr_quality_spec (recipes[recipe], 0);
  soxr = soxr_create (in_rate, out_rate, channels, &error, &io, &quality, &runtime);
  if (error != NULL)
    return NULL;
  resampler = malloc (sizeof (*resampler));
  if (resampler == NULL)
    {
      soxr_delete (soxr);
      return NULL;
    }
  resampler->soxr = soxr;
  return resampler;
}

long
fz_resampler_process (FzResampler *resampler, const float *in, size_t in_frames,
                      size_t *in_used, float *out, size_t out_frames)
{
  size_t done = 0;
  soxr_error_t error;

  *in_used = 0;
  error = soxr_process (resampler->soxr, in, in_frames, in != NULL ? in_used : NULL,
                        out, out_frames, &done);
  return error == NULL ? (long) done : -1;
}

void
fz_resampler_free (FzResampler *resampler)
{
  if (resampler == NULL)
    return;
  soxr_delete (resampler->soxr);
  free (resampler);
}

size_t
fz_resampler_max_output (uint32_t in_rate, uint32_t out_rate, uint64_t in_frames)
{
  /* The exact length is in_frames * out_rate / in_rate, rounded; one more
   * frame covers the rounding. */
  if (in_frames > (UINT64_MAX - in_rate) / out_rate)
    return SIZE_MAX;
  return (size_t) ((in_frames * out_rate + in_rate - 1) / in_rate) + 1;
}
