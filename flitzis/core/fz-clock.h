/* fz-clock.h: the musical clock's arithmetic: tempo, beats, bars, the grid
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Plain integer arithmetic, the same on every thread: the audio thread runs
 * the clock with it, and the control side reads positions with it from the
 * segment the audio thread published, so both agree to the frame.  No
 * floating point but two exact conversions (fz_clock_step()'s input, the
 * fraction of fz_clock_fraction()), no libm, no division instruction on a
 * 128-bit value (a 64-step shift-and-subtract loop instead: portable to
 * 32-bit targets, and the same instructions on every run).
 *
 * ## The rule
 *
 * A position is a number of beats since the downbeat (bar 1 beat 1), kept
 * as a whole number of beats and a fraction in units of 2^-64 beat.  A
 * tempo segment starts at an anchor frame A at position P and advances by
 * a fixed step per frame: the position of frame F is exactly
 * P + (F - A) * step from A on.  The step is beats per frame in 2^-64
 * beat, rounded up, plus 2 (fz_clock_step()): the clock never runs slow,
 * and when a beat lasts a whole number N of frames (120 BPM at 48 kHz:
 * N = 24000) it runs at most 3 * 2^-64 beat per frame fast, so that the
 * beats fall exactly on frames A + k * N for k below 2^64 / (3 N^2) (over
 * 10^10 beats at 24000 frames a beat), even when the tempo given is the
 * double nearest to 60 * rate / N rather than that number.  Before A (a
 * downbeat still to come: a count-in) the position is P - (A - F) *
 * (step - 4): rounded down as much, so that the beats fall exactly on
 * A - k * N too.
 *
 * A point of the grid (a bar, a beat, a sixty-fourth note: 1/16 beat) at position Q is heard
 * at the first frame whose position is at or after Q: the exact grid time
 * rounded up to a whole frame.  Where frames per grid is not a whole
 * number (93.7 BPM at 48 kHz: 30736.39 frames a beat) the grid frames are
 * therefore ceil (A + (Q - P) / tempo-in-beats-per-frame), except that a
 * grid time less than d * 3 * 2^-64 beats past a whole frame (d frames
 * after the anchor) may land on that frame instead: a bias below 10^-6 of
 * a frame after a year at 48 kHz.  Grid frames never drift: each is
 * computed from the anchor, not added up from the one before.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The tempo range, in beats per minute, and the longest bar. */
#define FZ_CLOCK_MIN_TEMPO 20.0
#define FZ_CLOCK_MAX_TEMPO 400.0
#define FZ_CLOCK_MAX_BEATS_PER_BAR 32u

/* Beats + frac / 2^64, rounded down: -0.25 beat is { -1, 3 << 62 }. */
typedef struct {
  int64_t beats;
  uint64_t frac;
} FzBeatPos;

/* A tempo in effect from a frame on (see the rule above). */
typedef struct {
  uint64_t anchor_frame;
  FzBeatPos anchor;             /* the position at anchor_frame */
  uint64_t step;                /* beats per frame, in 2^-64 beat; never 0 */
  uint32_t beats_per_bar;       /* 1 .. FZ_CLOCK_MAX_BEATS_PER_BAR */
} FzTempo;

/* The grids of quantized commands (FlitzisQuantize, value for value). */
typedef enum {
  FZ_GRID_NONE,
  FZ_GRID_BAR,
  FZ_GRID_BEAT,
  FZ_GRID_EIGHTH,
  FZ_GRID_SIXTEENTH,
  FZ_GRID_THIRTY_SECOND,
  FZ_GRID_SIXTY_FOURTH,
  FZ_GRID_LAST = FZ_GRID_SIXTY_FOURTH,
} FzGrid;

/* Any thread: the step of @bpm at @rate frames per second, rounded up, plus
 * 2; 0 when @bpm is not a number from FZ_CLOCK_MIN_TEMPO to
 * FZ_CLOCK_MAX_TEMPO or @rate is 0.  Below 7 Hz, where a beat would be
 * shorter than a frame, the step is the largest there is (just under a
 * beat a frame).  Exact: @bpm's bits are read as an integer times a power
 * of two, and divided. */
uint64_t  fz_clock_step (double bpm, uint32_t rate);

/* A segment whose position 0 (bar 1 beat 1) is at @downbeat_frame. */
FzTempo   fz_clock_from_downbeat (uint64_t downbeat_frame, uint64_t step, uint32_t beats_per_bar);
/* The position of @frame. */
FzBeatPos fz_clock_position (const FzTempo *tempo, uint64_t frame);
/* The first frame whose position is at or after @position (0 when every
 * frame's is; UINT64_MAX when none is). */
uint64_t  fz_clock_frame_of (const FzTempo *tempo, FzBeatPos position);
/* The first frame at or after @from that starts a point of @grid;
 * @from itself for FZ_GRID_NONE. */
uint64_t  fz_clock_grid_frame (const FzTempo *tempo, FzGrid grid, uint64_t from);
/* The first beat (a whole position) whose frame is at or after @from. */
int64_t   fz_clock_first_beat (const FzTempo *tempo, uint64_t from);
/* The same segment from @frame on, at the new @step: the position at
 * @frame does not move. */
FzTempo   fz_clock_retempo (const FzTempo *tempo, uint64_t frame, uint64_t step);

/* Bar (1 for the first bar from the downbeat; 0, -1 ... before it) and
 * beat in the bar (1 .. beats_per_bar) of a position, and the fraction of
 * the beat, 0 <= fraction < 1 (exact to 2^-53). */
int64_t   fz_clock_bar (const FzTempo *tempo, FzBeatPos position);
uint32_t  fz_clock_beat_in_bar (const FzTempo *tempo, FzBeatPos position);
double    fz_clock_fraction (FzBeatPos position);
/* Position order: negative, 0 or positive as @a is before, at or after @b. */
int       fz_clock_compare (FzBeatPos a, FzBeatPos b);
