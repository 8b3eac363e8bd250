/* fz-waveform.h: a sample's waveform overview, from its peak pyramid
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Control threads only (it allocates).
 */
#pragma once

#include <glib.h>

#include "core/fz-sample.h"

/* For each of @n_buckets buckets of frames [@start, @end) of @sample,
 * for each channel, its minimum then its maximum, as little-endian
 * float32.  Bucket b covers frames [start + ⌊b·L/N⌋, start + ⌊(b+1)·L/N⌋),
 * L = end − start, N = n_buckets.  The caller has checked that
 * 0 < n_buckets <= end − start and end <= sample->frames. */
GBytes *fz_waveform_new (const FzSample *sample, guint64 start, guint64 end, guint n_buckets);
