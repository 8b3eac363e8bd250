/* fz-meter.h: level meters and playheads, measured on the audio thread
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * While the meters are on (a rate of 1 to FZ_METER_RATE_MAX Hz), the audio
 * thread measures over each meter period:
 *
 * - per slot, the largest |sample| any of its voices played, after
 *   velocity, slot gain and the voice's fade, before the master volume
 *   (FzMixer calls fz_meter_span() for every contiguous span a voice
 *   plays; the span's peak comes from the sample's peak pyramid, so the
 *   cost is per span, not per sample);
 * - per output channel, the largest |sample| of the output, after the
 *   master volume, unclamped;
 * - per slot that sounded, its playhead: the source frame its newest voice
 *   reached (of the voices that sounded in the meter period, the newest
 *   one still sounding at its end, else the last one to end).
 *
 * A meter period is made of whole audio periods: it ends with the first
 * audio period that reaches (k + 1) * sample_rate / rate frames after the
 * meters were switched on, so that the snapshots come at the rate asked
 * for on average, each covering every frame since the one before.  Each
 * snapshot goes into a ring of FZ_METER_RING preallocated frames (single
 * producer, the audio thread; single consumer, a control thread): no
 * allocation, no lock.  A full ring drops the new snapshot, counted.
 *
 * The mixer cuts a voice's part of a period into pieces where one of its
 * ramps starts or ends (fz-mixer.c); each piece's meter gain is the
 * larger end of the voice's gain over it, without the master's.  While a
 * gain glides (a 5 ms ramp, a fade in or out, a crossfade), a span's peak
 * is that larger end times the span's largest frame: an upper bound, exact
 * once the gain has settled.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fz-mixer.h"

#define FZ_METER_RATE_MAX 120u
#define FZ_METER_MAX_CHANNELS 32u
#define FZ_METER_RING 16u

/* One meter period, as the control side receives it.  The per-slot
 * arrays have one entry per slot of the engine (FzMixer.n_slots, up to
 * FZ_SLOTS_LIMIT), allocated with the meter (fz_meter_init()). */
typedef struct {
  uint64_t frame;                          /* the frame just after the period */
  uint32_t channels;
  uint32_t n_slots;
  float master[FZ_METER_MAX_CHANNELS];
  float *slot_peak;                        /* n_slots */
  /* 0 for slots that did not sound: a voice that sounded has played at
   * least its first frame. */
  uint64_t *playhead;                      /* n_slots */
} FzMeterFrame;

struct FzMeter {
  /* Audio thread only. */
  uint32_t rate;                           /* Hz; 0: off */
  uint32_t sample_rate;
  uint64_t started;                        /* frame at which the meters went on */
  uint64_t periods;                        /* meter periods ended since */
  uint64_t due;                            /* the frame the current one ends at, at least */
  FzMeterFrame now;                        /* the meter period so far */
  /* The ring: head written by the audio thread, tail by the consumer. */
  FzMeterFrame ring[FZ_METER_RING];
  void *arrays;                            /* every frame's per-slot arrays, one block */
  atomic_uint_fast64_t head;
  atomic_uint_fast64_t tail;
  atomic_uint_fast64_t dropped;            /* snapshots lost to a full ring */
};

/* Control thread, before the audio thread runs: allocates the per-slot
 * arrays of @n_slots slots for the frame being measured and every frame
 * of the ring (12 bytes per slot per frame), never the audio thread.
 * False when memory is short (nothing is left to free). */
bool     fz_meter_init (FzMeter *meter, uint32_t sample_rate, uint32_t channels,
                        uint32_t n_slots);
/* Control thread, once the audio thread has stopped for good. */
void     fz_meter_clear (FzMeter *meter);

/* Audio thread (or before it runs): switches the meters to @rate Hz (0:
 * off) from frame @now on, and tells @mixer whether to measure. */
void     fz_meter_set_rate (FzMeter *meter, FzMixer *mixer, uint32_t rate, uint64_t now);
/* Audio thread: measures what @voice's run holds and starts a new one at
 * source frame @start (fz_meter_span()). */
void     fz_meter_restart_run (FzMeter *meter, FzVoice *voice, size_t start);
/* Audio thread, from the mixer: @voice has ended (or, the quiet half of a
 * crossfade, gone silent); what it played since its last measure is
 * measured now. */
void     fz_meter_flush_voice (FzMeter *meter, FzVoice *voice);
/* Audio thread, from the mixer: @n floats of slot @slot's bus (fz-eq.h),
 * after its isolator and before the master, are measured into its peak
 * (its voices' runs then count for nothing: their gain is 0). */
void     fz_meter_bus (FzMeter *meter, uint32_t slot, const float *bus, size_t n);
/* Audio thread, after each audio period of @frames frames of @out (the
 * output, interleaved) that ends at frame @end: the master peaks, and the
 * snapshot when a meter period ends with this audio period. */
void     fz_meter_end_period (FzMeter *meter, FzMixer *mixer, const float *out, size_t frames,
                              uint64_t end);

/* Control thread (one at a time): the oldest snapshot not yet taken, or
 * NULL; it stays valid (the audio thread does not write it) until
 * fz_meter_advance() lets it go. */
const FzMeterFrame *fz_meter_peek (FzMeter *meter);
void     fz_meter_advance (FzMeter *meter);
/* Any thread. */
bool     fz_meter_has_data (FzMeter *meter);
uint64_t fz_meter_get_dropped (FzMeter *meter);

/* Audio thread, from the mixer: @voice played source frames [@start,
 * @start + @frames) at voice->meter.next_gain.  A span that goes on where
 * the voice's run ended, at the same gain, lengthens the run: in steady
 * state a voice costs one range query per meter period and a few
 * instructions per audio period, whatever the period's length.  Inline:
 * the mixer calls it for every voice in every period. */
static inline void
fz_meter_span (FzMeter *meter, FzVoice *voice, size_t start, size_t frames)
{
  FzMeterRun *run = &voice->meter;

  if (__builtin_expect (start != run->end || run->next_gain != run->gain, 0))
    fz_meter_restart_run (meter, voice, start);
  run->end = start + frames;
  /* The playhead is written when the run is measured
   * (fz_meter_flush_voice()), not here: a store less per voice and
   * period. */
}
