/* flitzis-pattern.h: the pattern format of the flitzis command-line tool
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A pattern is a small text file: a tempo, a length, the samples it uses
 * and the times at which they are hit (see flitzis(1), PATTERN FILES).
 * This file only reads patterns and turns them into frames; playing and
 * rendering them is the tool's business (flitzis-play.c, flitzis-render.c).
 * Plain GLib, run on the main thread.
 */
#pragma once

#include <glib.h>

#include <flitzis/flitzis.h>

G_BEGIN_DECLS

#define PATTERN_MAX_SAMPLES 32       /* one per slot of the engine */
#define PATTERN_MAX_HITS 100000
#define PATTERN_MAX_REPEAT 10000
#define PATTERN_MIN_TEMPO 20.0
#define PATTERN_MAX_TEMPO 999.0
#define PATTERN_MAX_BEATS_PER_BAR 32
#define PATTERN_MAX_METRONOME_TEMPO 400.0   /* the engine's clock: FLITZIS_MAX_TEMPO */

#define PATTERN_ERROR (pattern_error_quark ())
GQuark pattern_error_quark (void);

typedef enum {
  PATTERN_ERROR_INVALID,        /* the message says where and what */
} PatternError;

/* A time in a pattern: beats at the pattern's tempo, or frames; with a
 * bar ("BAR:BEAT", from 1:1), value is the beats into that bar. */
typedef struct {
  double value;
  gboolean in_frames;
  guint bar;                    /* 0: none */
} PatternTime;

typedef struct {
  char *name;
  char *path;                   /* resolved against the pattern's folder */
} PatternSample;

typedef struct {
  PatternTime time;
  guint sample;                 /* index into samples, = the engine slot */
  float velocity;
  guint line;                   /* in the file, for error messages */
} PatternHit;

typedef struct {
  double tempo;                 /* beats per minute */
  PatternTime length;
  guint repeat;
  double volume;                /* master volume, 0 .. FLITZIS_MAX_GAIN */
  guint beats_per_bar;          /* 1 .. PATTERN_MAX_BEATS_PER_BAR, default 4 */
  gboolean metronome;           /* the engine clicks on every beat */
  GPtrArray *samples;           /* of PatternSample */
  GArray *hits;                 /* of PatternHit, in file order */
} Pattern;

/* A hit, in frames from the start of its repetition. */
typedef struct {
  guint64 frame;
  guint slot;
  float velocity;
} PatternEvent;

Pattern *pattern_load         (const char        *path,
                               GError           **error);
Pattern *pattern_parse        (const char        *text,
                               const char        *name,
                               const char        *folder,
                               GError           **error);
void     pattern_free         (Pattern           *pattern);
guint64  pattern_time_frames  (const Pattern     *pattern,
                               const PatternTime *time,
                               guint              rate);
guint64  pattern_length_frames (const Pattern    *pattern,
                               guint              rate);
GArray  *pattern_events       (const Pattern     *pattern,
                               guint              rate);
/* The engine's clock at the pattern's tempo and bars, its metronome on
 * when the pattern asks (before run(): from the first frame on). */
gboolean pattern_set_clock    (const Pattern     *pattern,
                               FlitzisAudioEngine *engine,
                               GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pattern, pattern_free)

G_END_DECLS
