/* fz-resampler.h: sample-rate conversion of whole files, chunk by chunk
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Used by the loader, on a control thread, never on the audio thread.
 * Chunked, so that a file is converted straight into the sample's buffer:
 * peak memory stays near the decoded size (docs/resampling.md says why
 * libsoxr, and how well it does).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct FzResampler FzResampler;

/* libsoxr's recipes, in FlitzisResampleQuality's order (the engine checks
 * that they match). */
typedef enum {
  FZ_RESAMPLE_QUICK,          /* SOXR_QQ: cubic interpolation */
  FZ_RESAMPLE_LOW,            /* SOXR_LQ: 16-bit, larger roll-off */
  FZ_RESAMPLE_MEDIUM,         /* SOXR_MQ: 16-bit, medium roll-off */
  FZ_RESAMPLE_HIGH,           /* SOXR_HQ: 20-bit, the default */
  FZ_RESAMPLE_VERY_HIGH,      /* SOXR_VHQ: 28-bit */
  FZ_RESAMPLE_LAST = FZ_RESAMPLE_VERY_HIGH,
} FzResampleQuality;

/* NULL when the conversion cannot be set up. */
FzResampler *fz_resampler_new (uint32_t in_rate, uint32_t out_rate, uint32_t channels,
                               FzResampleQuality quality);
/* Converts @in_frames interleaved frames from @in (NULL with 0 frames:
 * the input has ended, drain what is left) into at most @out_frames at
 * @out.  Returns the frames written, or -1 on error; *@in_used says how
 * many input frames were taken (it may be fewer when @out is full). */
long         fz_resampler_process (FzResampler *resampler, const float *in, size_t in_frames,
                                   size_t *in_used, float *out, size_t out_frames);
void         fz_resampler_free (FzResampler *resampler);
/* An upper bound of the frames converting @in_frames frames yields. */
size_t       fz_resampler_max_output (uint32_t in_rate, uint32_t out_rate, uint64_t in_frames);
