/* flitzis-levels.h: a snapshot of the level meters and playheads
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
 * FlitzisLevels:
 *
 * An immutable, reference-counted snapshot of one meter period: the peak
 * of each output channel, of each sample slot, and each sounding slot's
 * playhead, as measured by the audio thread while
 * [property@Flitzis.AudioEngine:meter-rate] is on.  Emitted with
 * [signal@Flitzis.AudioEngine::levels]; the newest is also returned by
 * [method@Flitzis.AudioEngine.get_levels].
 *
 * Since: 0.1
 */
typedef struct _FlitzisLevels FlitzisLevels;

#define FLITZIS_TYPE_LEVELS (flitzis_levels_get_type ())

FLITZIS_AVAILABLE_IN_0_1
GType          flitzis_levels_get_type          (void) G_GNUC_CONST;
FLITZIS_AVAILABLE_IN_0_1
FlitzisLevels *flitzis_levels_ref               (FlitzisLevels       *levels);
FLITZIS_AVAILABLE_IN_0_1
void           flitzis_levels_unref             (FlitzisLevels       *levels);
FLITZIS_AVAILABLE_IN_0_1
guint64        flitzis_levels_get_frame         (const FlitzisLevels *levels);
FLITZIS_AVAILABLE_IN_0_1
guint          flitzis_levels_get_n_channels    (const FlitzisLevels *levels);
FLITZIS_AVAILABLE_IN_0_1
guint          flitzis_levels_get_n_slots       (const FlitzisLevels *levels);
FLITZIS_AVAILABLE_IN_0_1
double         flitzis_levels_get_master_peak   (const FlitzisLevels *levels,
                                                 guint                channel);
FLITZIS_AVAILABLE_IN_0_1
double         flitzis_levels_get_slot_peak     (const FlitzisLevels *levels,
                                                 guint                slot);
FLITZIS_AVAILABLE_IN_0_1
guint64        flitzis_levels_get_slot_playhead (const FlitzisLevels *levels,
                                                 guint                slot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlitzisLevels, flitzis_levels_unref)

G_END_DECLS
