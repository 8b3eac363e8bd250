/* flitzis-sample-info.h: what a sample slot holds
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__FLITZIS_H_INSIDE__) && !defined(FLITZIS_COMPILATION)
#error "Only <flitzis/flitzis.h> can be included directly."
#endif

#include <glib-object.h>
#include <flitzis/flitzis-version.h>

G_BEGIN_DECLS

/**
 * FlitzisSampleInfo:
 *
 * An immutable, reference-counted description of the sample loaded in a
 * slot, as returned by [method@Flitzis.AudioEngine.dup_sample_info].
 *
 * Since: 0.1
 */
typedef struct _FlitzisSampleInfo FlitzisSampleInfo;

#define FLITZIS_TYPE_SAMPLE_INFO (flitzis_sample_info_get_type ())

FLITZIS_AVAILABLE_IN_0_1
GType              flitzis_sample_info_get_type           (void) G_GNUC_CONST;
FLITZIS_AVAILABLE_IN_0_1
FlitzisSampleInfo *flitzis_sample_info_ref                (FlitzisSampleInfo       *info);
FLITZIS_AVAILABLE_IN_0_1
void               flitzis_sample_info_unref              (FlitzisSampleInfo       *info);
FLITZIS_AVAILABLE_IN_0_1
const char        *flitzis_sample_info_get_path           (const FlitzisSampleInfo *info);
FLITZIS_AVAILABLE_IN_0_1
guint64            flitzis_sample_info_get_frames         (const FlitzisSampleInfo *info);
FLITZIS_AVAILABLE_IN_0_1
guint              flitzis_sample_info_get_channels       (const FlitzisSampleInfo *info);
FLITZIS_AVAILABLE_IN_0_1
guint              flitzis_sample_info_get_sample_rate    (const FlitzisSampleInfo *info);
FLITZIS_AVAILABLE_IN_0_1
guint64            flitzis_sample_info_get_original_frames   (const FlitzisSampleInfo *info);
FLITZIS_AVAILABLE_IN_0_1
guint              flitzis_sample_info_get_original_channels (const FlitzisSampleInfo *info);
FLITZIS_AVAILABLE_IN_0_1
guint              flitzis_sample_info_get_original_rate     (const FlitzisSampleInfo *info);
FLITZIS_AVAILABLE_IN_0_1
gsize              flitzis_sample_info_get_memory_size       (const FlitzisSampleInfo *info);
FLITZIS_AVAILABLE_IN_0_1
guint64            flitzis_sample_info_get_frames_promised   (const FlitzisSampleInfo *info);
FLITZIS_AVAILABLE_IN_0_1
guint64            flitzis_sample_info_get_frames_delivered  (const FlitzisSampleInfo *info);
FLITZIS_AVAILABLE_IN_0_1
gboolean           flitzis_sample_info_get_memory_locked     (const FlitzisSampleInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlitzisSampleInfo, flitzis_sample_info_unref)

G_END_DECLS
