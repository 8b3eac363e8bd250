/* flitzis-sample-info-private.h: describing a decoded sample
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "flitzis-sample-info.h"
#include "core/fz-sample.h"

G_BEGIN_DECLS

/* Any thread: the loading thread describes what it decoded. */
FlitzisSampleInfo *_flitzis_sample_info_new (const char           *path,
                                             const FzSampleFormat *decoded,
                                             const FzSampleFormat *original,
                                             guint64               delivered_frames,
                                             gsize                 memory_size);
/* The loading thread, before publishing: whether fz_memlock_sample() took. */
void               _flitzis_sample_info_set_memory_locked (FlitzisSampleInfo *info,
                                                           gboolean           locked);

G_END_DECLS
