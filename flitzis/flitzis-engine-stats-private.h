/* flitzis-engine-stats-private.h: taking a snapshot of the counters
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "flitzis-engine-stats.h"

G_BEGIN_DECLS

/* The counts, as the engine fills them in under its lock. */
typedef struct {
  guint64 frame;
  guint64 xruns;
  guint64 dropped_voices;
  guint64 dropped_replies;
  guint64 dropped_events;
  guint64 dropped_messages;
  guint64 dropped_signals;
  guint64 dropped_levels;
  guint64 underruns;
  guint64 streams_abandoned;
  guint64 threads_silenced;
  guint64 midi_errors;
  guint64 dropped_midi;
} FlitzisEngineCounts;

/* Any thread: a snapshot of @counts (copied). */
FlitzisEngineStats *_flitzis_engine_stats_new (const FlitzisEngineCounts *counts);

G_END_DECLS
