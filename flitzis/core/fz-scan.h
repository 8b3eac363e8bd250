/* fz-scan.h: the extremes of a run of floats, lane by lane
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The meters' inner loop (fz-meter.c, fz-peaks.c): the largest and the
 * smallest value of each of FZ_SCAN_LANES lanes over n floats, float i
 * going to lane i % FZ_SCAN_LANES.  The largest magnitude is then
 * max(max, -min), with no absolute value per float: one max and one min
 * instruction per vector.  With a channel count that divides
 * FZ_SCAN_LANES, lane l holds channel l % channels of interleaved frames.
 * 256-bit AVX where the CPU has it, 128-bit SSE (the x86-64 baseline)
 * otherwise, plain C elsewhere; every path gives the same numbers (max
 * and min are exact).  No allocation, no lock, no system call.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define FZ_SCAN_LANES 8u

/* Folds @n floats of @values into the lanes of @max and @min (each
 * FZ_SCAN_LANES floats, already holding a start value). */
void  fz_scan (const float *values, size_t n, float *max, float *min);
/* The largest |x| that lanes @max and @min saw (0 when they saw none:
 * they started at 0). */
float fz_scan_fold (const float *max, const float *min);
/* Folds the magnitudes of @n floats of @values (@n a multiple of
 * FZ_SCAN_LANES) into @peaks: peaks[c] becomes the largest of peaks[c]
 * and |values[i]| for every i with i % @stride == c, @stride a power of
 * two that divides FZ_SCAN_LANES (interleaved frames of @stride
 * channels).  The meters' master peak, over every output float of every
 * period: one AND (the magnitude, exact) and one max per vector, eight
 * vectors a turn, the lanes folded once at the end; half of fz_scan()'s
 * instructions, and its numbers. */
void  fz_scan_peaks (const float *values, size_t n, uint32_t stride, float *peaks);
