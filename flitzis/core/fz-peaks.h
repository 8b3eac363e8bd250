/* fz-peaks.h: a peak pyramid over a sample's frames
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built once per load, on the loading thread, from the decoded frames; then
 * only read.  Level 0 holds, for every FZ_PEAKS_BLOCK frames and for each
 * channel, the negated minimum and the maximum; each level above combines
 * FZ_PEAKS_FANOUT nodes of the one below.  A range's extremes then take the
 * few nodes that cover it whole plus the frames at its two ends, never a
 * pass over the range: the waveform overview (control thread) asks for
 * each channel's min and max, the meters (audio thread) for the largest
 * magnitude over every channel, which is the largest value of the nodes
 * (max(-min, max) is max |x|).  Storing -min rather than min makes that one
 * plain maximum over contiguous floats.
 *
 * Memory: 2 floats per channel per FZ_PEAKS_BLOCK frames, times 16/15 for
 * the levels above: 1.67 % of the sample.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_PEAKS_BLOCK 128u
#define FZ_PEAKS_FANOUT 16u
/* 128 * 16^13 frames: more than any sample that fits in memory. */
#define FZ_PEAKS_MAX_LEVELS 14u

typedef struct FzPeaks {
  uint32_t channels;
  uint32_t n_levels;
  size_t frames;
  size_t bytes;                              /* the whole allocation */
  size_t n_nodes[FZ_PEAKS_MAX_LEVELS];
  /* Node n of level l: 2 * channels floats at levels[l] + 2 * channels * n,
   * channel c's -min then its max. */
  float *levels[FZ_PEAKS_MAX_LEVELS];
  float nodes[];
} FzPeaks;

/* Control (loading) thread: the pyramid of @frames interleaved frames of
 * @channels channels at @data.  NULL when memory is short or @frames is 0. */
FzPeaks *fz_peaks_new (const float *data, size_t frames, uint32_t channels);
void     fz_peaks_free (FzPeaks *peaks);
/* Control thread, for a loader that builds level 0 block by block while
 * the frames are in the cache: room for a pyramid of up to @frames frames
 * (NULL when memory is short); level 0's node of @frames frames (at most
 * FZ_PEAKS_BLOCK) of @data into @node (2 * channels floats), the node of
 * block @block being fz_peaks_block_at(); then the levels above, once the
 * sample's length is known (@frames at most the reserved count; NULL,
 * freeing @peaks, for 0). */
FzPeaks *fz_peaks_reserve (size_t frames, uint32_t channels);
void     fz_peaks_block (float *node, const float *data, uint32_t channels, size_t frames);
float   *fz_peaks_block_at (FzPeaks *peaks, size_t block);
FzPeaks *fz_peaks_finish (FzPeaks *peaks, size_t frames);

/* Any thread, no allocation: the largest |x| of frames [@start, @end) of
 * @data over every channel (0 for an empty range).  @peaks may be NULL:
 * then every frame of the range is read. */
float    fz_peaks_abs_max (const FzPeaks *peaks, const float *data, uint32_t channels,
                           size_t start, size_t end);
/* Any thread, no allocation: each channel's minimum and maximum over the
 * non-empty range [@start, @end), written as min, max per channel into
 * @min_max (2 * channels floats). */
void     fz_peaks_min_max (const FzPeaks *peaks, const float *data, uint32_t channels,
                           size_t start, size_t end, float *min_max);
