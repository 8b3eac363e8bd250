/* fz-mixer-ramps.h: ramps, spans and settling, shared by the mixer's paths
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inside the core only, audio thread.  Cut out of fz-mixer.c when the
 * ramped voices' batched path (fz-mixer-ramped.c) came: both paths must
 * read a ramp, a voice's span and its settled state the same way, to the
 * bit, so the one definition of each lives here.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fz-mixer.h"

/* The value at frame @t of the mixer's clock.  Settled, it is exactly the
 * target; before its start, exactly where it starts from. */
static inline float
ramp_value_at (const FzRamp *ramp, uint64_t t)
{
  if (t >= ramp->end)
    return ramp->target;
  if (t <= ramp->start)
    return ramp->from;
  return ramp->from + (ramp->target - ramp->from)
                      * ((float) (t - ramp->start) / (float) (ramp->end - ramp->start));
}

/* The nearest of @ramp's two ends after @t, if before @limit. */
static inline uint64_t
ramp_next_end (const FzRamp *ramp, uint64_t t, uint64_t limit)
{
  if (ramp->start > t && ramp->start < limit)
    return ramp->start;
  if (ramp->end > t && ramp->end < limit)
    return ramp->end;
  return limit;
}

/* The loop region of @slot applied to @sample: an end of 0 or past the
 * sample's end is the sample's end, and a start that is then not before
 * the end is 0.  False for an empty sample. */
static inline bool
loop_bounds (const FzSlot *slot, const FzSample *sample, size_t *start, size_t *end)
{
  size_t e = slot->loop_end == 0 ? sample->frames : (slot->loop_end < sample->frames ? slot->loop_end : sample->frames);

  if (e == 0)
    return false;
  *start = slot->loop_start < e ? slot->loop_start : 0;
  *end = e;
  return true;
}

/* What a voice plays this period: its sample, and where it wraps.  Fixed
 * for the period (a slot's loop changes between periods only), so it is
 * worked out once per voice and period, not once per piece. */
typedef struct {
  const float *data;
  size_t end;               /* the loop end, or the sample's end */
  size_t loop_start;
  bool loops;
} Span;

/* A slot's loop applies to the sample it holds, while the voice is before
 * the loop end (a voice seeked past it plays to the sample's end).  A
 * voice that loops stays inside the loop; one that does not never comes
 * back into it: the answer holds for the whole period. */
static inline __attribute__ ((always_inline)) Span
voice_span (const FzSlot *slot, const FzVoice *voice)
{
  Span span = { .data = voice->sample->data, .end = voice->sample->frames };
  size_t start, end;

  if (slot->loop && slot->sample == voice->sample && loop_bounds (slot, voice->sample, &start, &end)
      && voice->position < end)
    {
      span.loops = true;
      span.loop_start = start;
      span.end = end;
    }
  return span;
}

/* From the next period on, until a command moves the epoch on, @voice
 * takes the fast path (fz-mixer-settled.c) with what render_settled()
 * would work out: its span, and its gain's product up to the master's. */
static inline __attribute__ ((always_inline)) void
settle (const FzMixer *mixer, FzVoice *voice, const Span *span)
{
  voice->settled = mixer->epoch;
  voice->span_data = span->data;
  voice->span_end = span->end;
  voice->span_loop_start = span->loop_start;
  voice->span_loops = span->loops;
  voice->scale = voice->velocity * mixer->slots[voice->slot].gain.target;
}
