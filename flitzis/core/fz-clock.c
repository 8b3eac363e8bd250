/* fz-clock.c: the musical clock's arithmetic, see fz-clock.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs on any thread: the audio thread's clock and the control side's
 * readers call the same functions on the same segment.  Positions are
 * 128-bit two's complement numbers in units of 2^-64 beat (the whole beats
 * are the high word), handled as two 64-bit words.
 */

#include <string.h>

#include "fz-clock.h"

typedef struct {
  uint64_t hi;
  uint64_t lo;
} U128;

static U128
to_u128 (FzBeatPos p)
{
  return (U128) { .hi = (uint64_t) p.beats, .lo = p.frac };
}

static FzBeatPos
to_pos (U128 v)
{
  return (FzBeatPos) { .beats = (int64_t) v.hi, .frac = v.lo };
}

static U128
add (U128 a, U128 b)
{
  U128 r = { .hi = a.hi + b.hi, .lo = a.lo + b.lo };

  r.hi += r.lo < a.lo;
  return r;
}

static U128
sub (U128 a, U128 b)
{
  U128 r = { .hi = a.hi - b.hi, .lo = a.lo - b.lo };

  r.hi -= a.lo < b.lo;
  return r;
}

/* @a * @b, exactly, from four 32-bit products. */
static U128
mul (uint64_t a, uint64_t b)
{
  uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);

  return (U128) { .hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32),
                  .lo = (mid << 32) | (p00 & 0xffffffffu) };
}

/* @n / @d (d > 0), rounded down, and its remainder; false, with
 * *quotient = UINT64_MAX, when the quotient does not fit in 64 bits.
 * Shift and subtract, one bit a step: 64 steps, no division instruction. */
static bool
divide (U128 n, uint64_t d, uint64_t *quotient, uint64_t *remainder)
{
  uint64_t r = n.hi, q = n.lo;

  if (r >= d)
    {
      *quotient = UINT64_MAX;
      *remainder = 0;
      return false;
    }
  for (int i = 0; i < 64; i++)
    {
      bool carry = (r >> 63) != 0;

      r = (r << 1) | (q >> 63);
      q <<= 1;
      if (carry || r >= d)
        {
          r -= d;
          q |= 1;
        }
    }
  *quotient = q;
  *remainder = r;
  return true;
}

static bool
is_negative (U128 v)
{
  return (int64_t) v.hi < 0;
}

static int64_t
floor_div (int64_t a, int64_t b)
{
  int64_t q = a / b;

  return (a % b != 0 && a < 0) ? q - 1 : q;
}

uint64_t
fz_clock_step (double bpm, uint32_t rate)
{
  uint64_t bits, mantissa, quotient, remainder;
  unsigned shift;
  U128 n;

  /* Also false for NaN. */
  if (!(bpm >= FZ_CLOCK_MIN_TEMPO && bpm <= FZ_CLOCK_MAX_TEMPO) || rate == 0)
    return 0;
  /* bpm = mantissa * 2^(exponent - 1075), exactly; steps are in 2^-64
   * beat, so the numerator is mantissa * 2^(exponent - 1011): a shift by
   * 16 to 20 bits for 20 to 400 BPM. */
  memcpy (&bits, &bpm, sizeof bits);
  mantissa = (bits & ((UINT64_C (1) << 52) - 1)) | (UINT64_C (1) << 52);
  shift = (unsigned) ((bits >> 52) & 0x7ffu) - 1011u;
  n = (U128) { .hi = mantissa >> (64u - shift), .lo = mantissa << shift };
  if (!divide (n, UINT64_C (60) * rate, &quotient, &remainder))
    return UINT64_MAX;
  /* Rounded up, plus 2: see fz-clock.h. */
  quotient += remainder != 0;
  return quotient > UINT64_MAX - 2 ? UINT64_MAX : quotient + 2;
}

FzTempo
fz_clock_from_downbeat (uint64_t downbeat_frame, uint64_t step, uint32_t beats_per_bar)
{
  return (FzTempo) { .anchor_frame = downbeat_frame, .step = step,
                     .beats_per_bar = beats_per_bar };
}

/* The step before the anchor: rounded down as much as the step is
 * rounded up (see fz-clock.h), never 0. */
static uint64_t
step_back (const FzTempo *tempo)
{
  return tempo->step > 4 ? tempo->step - 4 : 1;
}

FzBeatPos
fz_clock_position (const FzTempo *tempo, uint64_t frame)
{
  U128 anchor = to_u128 (tempo->anchor);

  if (frame >= tempo->anchor_frame)
    return to_pos (add (anchor, mul (frame - tempo->anchor_frame, tempo->step)));
  return to_pos (sub (anchor, mul (tempo->anchor_frame - frame, step_back (tempo))));
}

uint64_t
fz_clock_frame_of (const FzTempo *tempo, FzBeatPos position)
{
  U128 d = sub (to_u128 (position), to_u128 (tempo->anchor));
  uint64_t frames, remainder;

  if (is_negative (d) || (d.hi == 0 && d.lo == 0))
    {
      /* At or before the anchor: the most frames back whose position is
       * still at or after @position. */
      divide (sub ((U128) { 0, 0 }, d), step_back (tempo), &frames, &remainder);
      return frames >= tempo->anchor_frame ? 0 : tempo->anchor_frame - frames;
    }
  if (!divide (d, tempo->step, &frames, &remainder))
    return UINT64_MAX;
  frames += remainder != 0;
  return frames > UINT64_MAX - tempo->anchor_frame ? UINT64_MAX : tempo->anchor_frame + frames;
}

/* The first point of @grid after @p (strictly). */
static FzBeatPos
next_grid_point (const FzTempo *tempo, FzGrid grid, FzBeatPos p)
{
  int64_t bar;
  uint64_t unit, frac;

  switch (grid)
    {
    case FZ_GRID_BAR:
      bar = floor_div (p.beats, tempo->beats_per_bar);
      return (FzBeatPos) { .beats = (bar + 1) * tempo->beats_per_bar };
    case FZ_GRID_BEAT:
      return (FzBeatPos) { .beats = p.beats + 1 };
    case FZ_GRID_EIGHTH:
    case FZ_GRID_SIXTEENTH:
    case FZ_GRID_THIRTY_SECOND:
    case FZ_GRID_SIXTY_FOURTH:
      /* An eighth note to a sixty-fourth (1/2 to 1/16 of a beat, a quarter
       * note): 2^63 to 2^60 units of 2^-64 beat. */
      unit = UINT64_C (1) << (64 - (grid - FZ_GRID_BEAT));
      frac = (p.frac & ~(unit - 1)) + unit;
      return (FzBeatPos) { .beats = p.beats + (frac == 0), .frac = frac };
    case FZ_GRID_NONE:
    default:
      return p;
    }
}

/* The position of frame @from - 1 (for @from 0 too): the first grid frame
 * at or after @from is that of the first grid point after it, since a
 * point between the positions of @from - 1 and @from is heard at @from. */
static FzBeatPos
position_before (const FzTempo *tempo, uint64_t from)
{
  if (from > 0)
    return fz_clock_position (tempo, from - 1);
  /* Frame -1 is before the anchor, which is at frame 0 or later. */
  return to_pos (sub (to_u128 (fz_clock_position (tempo, 0)), (U128) { 0, step_back (tempo) }));
}

uint64_t
fz_clock_grid_frame (const FzTempo *tempo, FzGrid grid, uint64_t from)
{
  if (grid == FZ_GRID_NONE || grid > FZ_GRID_LAST)
    return from;
  return fz_clock_frame_of (tempo, next_grid_point (tempo, grid, position_before (tempo, from)));
}

int64_t
fz_clock_first_beat (const FzTempo *tempo, uint64_t from)
{
  return position_before (tempo, from).beats + 1;
}

FzTempo
fz_clock_retempo (const FzTempo *tempo, uint64_t frame, uint64_t step)
{
  return (FzTempo) { .anchor_frame = frame, .anchor = fz_clock_position (tempo, frame),
                     .step = step, .beats_per_bar = tempo->beats_per_bar };
}

int64_t
fz_clock_bar (const FzTempo *tempo, FzBeatPos position)
{
  return floor_div (position.beats, tempo->beats_per_bar) + 1;
}

uint32_t
fz_clock_beat_in_bar (const FzTempo *tempo, FzBeatPos position)
{
  int64_t bar = floor_div (position.beats, tempo->beats_per_bar);

  return (uint32_t) (position.beats - bar * tempo->beats_per_bar) + 1;
}

double
fz_clock_fraction (FzBeatPos position)
{
  /* The top 53 bits, exactly representable; 0x1p-53 is exact too. */
  return (double) (position.frac >> 11) * 0x1p-53;
}

int
fz_clock_compare (FzBeatPos a, FzBeatPos b)
{
  if (a.beats != b.beats)
    return a.beats < b.beats ? -1 : 1;
  if (a.frac != b.frac)
    return a.frac < b.frac ? -1 : 1;
  return 0;
}
