/* flitzis-engine-stats.h: a snapshot of what an engine counted
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
 * FlitzisEngineStats:
 *
 * An immutable, reference-counted snapshot of an engine's counters, as
 * returned by [method@Flitzis.AudioEngine.get_stats]: every count in it was
 * read at the same moment, under one lock.  The counts run from the
 * engine's creation, across runs.
 *
 * Since: 0.1
 */
typedef struct _FlitzisEngineStats FlitzisEngineStats;

#define FLITZIS_TYPE_ENGINE_STATS (flitzis_engine_stats_get_type ())

FLITZIS_AVAILABLE_IN_0_1
GType               flitzis_engine_stats_get_type             (void) G_GNUC_CONST;
FLITZIS_AVAILABLE_IN_0_1
FlitzisEngineStats *flitzis_engine_stats_ref                  (FlitzisEngineStats       *stats);
FLITZIS_AVAILABLE_IN_0_1
void                flitzis_engine_stats_unref                (FlitzisEngineStats       *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_frame            (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_xruns            (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_underruns        (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_streams_abandoned (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_threads_silenced (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_dropped_voices   (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_dropped_replies  (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_dropped_events   (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_dropped_messages (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_dropped_signals  (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_dropped_levels   (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_midi_errors      (const FlitzisEngineStats *stats);
FLITZIS_AVAILABLE_IN_0_1
guint64             flitzis_engine_stats_get_dropped_midi     (const FlitzisEngineStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlitzisEngineStats, flitzis_engine_stats_unref)

G_END_DECLS
