/* fz-meter.c: level meters and playheads, see fz-meter.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything but fz_meter_init(), fz_meter_clear(), fz_meter_peek() and
 * fz_meter_advance() runs on the audio thread: no allocation, no lock, no
 * system call.
 */

#include <stdlib.h>
#include <string.h>

#include "fz-counter.h"
#include "fz-meter.h"
#include "fz-scan.h"

#define MAX_OF(a, b) ((a) > (b) ? (a) : (b))
#define MIN_OF(a, b) ((a) < (b) ? (a) : (b))

/* A new meter period: nothing measured, nothing sounded. */
static void
clear_now (FzMeter *meter)
{
  FzMeterFrame *now = &meter->now;

  now->frame = 0;
  memset (now->master, 0, sizeof (now->master));
  memset (now->slot_peak, 0, now->n_slots * sizeof (float));
  memset (now->playhead, 0, now->n_slots * sizeof (uint64_t));
}

/* Points @frame's arrays at @n_slots slots of @block, from @index on. */
static void
place_arrays (FzMeterFrame *frame, char *block, uint32_t n_slots, uint32_t channels,
              uint32_t index)
{
  size_t per_frame = (size_t) n_slots * (sizeof (uint64_t) + sizeof (float));
  char *base = block + per_frame * index;

  /* The 8-byte playheads first: the floats after them stay aligned. */
  frame->playhead = (uint64_t *) base;
  frame->slot_peak = (float *) (base + (size_t) n_slots * sizeof (uint64_t));
  frame->n_slots = n_slots;
  frame->channels = channels;
}

bool
fz_meter_init (FzMeter *meter, uint32_t sample_rate, uint32_t channels, uint32_t n_slots)
{
  size_t per_frame = (size_t) n_slots * (sizeof (uint64_t) + sizeof (float));

  memset (meter, 0, sizeof (*meter));
  channels = MIN_OF (channels, FZ_METER_MAX_CHANNELS);
  /* calloc: every frame starts empty, the ring's too. */
  meter->arrays = calloc (FZ_METER_RING + 1, per_frame > 0 ? per_frame : 1);
  if (meter->arrays == NULL)
    return false;
  meter->sample_rate = sample_rate > 0 ? sample_rate : 1;
  place_arrays (&meter->now, meter->arrays, n_slots, channels, 0);
  for (uint32_t i = 0; i < FZ_METER_RING; i++)
    place_arrays (&meter->ring[i], meter->arrays, n_slots, channels, i + 1);
  atomic_init (&meter->head, 0);
  atomic_init (&meter->tail, 0);
  atomic_init (&meter->dropped, 0);
  return true;
}

void
fz_meter_clear (FzMeter *meter)
{
  free (meter->arrays);
  meter->arrays = NULL;
}

/* @from's numbers into @to, whose arrays are its own. */
static void
copy_frame (FzMeterFrame *to, const FzMeterFrame *from)
{
  to->frame = from->frame;
  to->channels = from->channels;
  memcpy (to->master, from->master, sizeof (to->master));
  memcpy (to->slot_peak, from->slot_peak, from->n_slots * sizeof (float));
  memcpy (to->playhead, from->playhead, from->n_slots * sizeof (uint64_t));
}

/* The first frame at which meter period @index (from 0) may end. */
static uint64_t
due_frame (const FzMeter *meter, uint64_t index)
{
  return meter->started + ((index + 1) * meter->sample_rate + meter->rate - 1) / meter->rate;
}

void
fz_meter_set_rate (FzMeter *meter, FzMixer *mixer, uint32_t rate, uint64_t now)
{
  meter->rate = MIN_OF (rate, FZ_METER_RATE_MAX);
  meter->started = now;
  meter->periods = 0;
  clear_now (meter);
  mixer->meter = meter->rate > 0 ? meter : NULL;
  if (meter->rate == 0)
    return;
  meter->due = due_frame (meter, 0);
  /* What the voices played before is not this meter's. */
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    {
      FzVoice *voice = &mixer->voices[i];

      voice->meter = (FzMeterRun) { .start = voice->position, .end = voice->position };
    }
}

/* What fz_meter_flush_voice() does, inlined into publish()'s loop over
 * the voices as well: there it runs once per voice and meter period, and
 * the call with its saved registers cost 8 instructions a voice of some
 * 42 (besides the query).  Audio thread. */
static inline __attribute__ ((always_inline)) void
flush_run (FzMeter *meter, FzVoice *voice)
{
  FzMeterRun *run = &voice->meter;
  const FzSample *sample = voice->sample;

  if (run->end == run->start)
    return;
  /* The quiet half of a crossfade is the old place: the newest voice's is
   * the new one.  The voices are measured oldest first, when they end
   * and at the meter period's end: the newest sounding voice's comes last. */
  if (!voice->quiet)
    meter->now.playhead[voice->slot] = run->end;
  /* A run at gain 0 (a voice on its slot's bus) cannot raise the peak. */
  if (run->gain > 0.0f)
    {
      float peak = fz_peaks_abs_max (sample->peaks, sample->data, sample->channels,
                                     run->start, run->end) * run->gain;

      meter->now.slot_peak[voice->slot] = MAX_OF (meter->now.slot_peak[voice->slot], peak);
    }
  run->start = run->end;
}

void
fz_meter_flush_voice (FzMeter *meter, FzVoice *voice)
{
  flush_run (meter, voice);
}

void
fz_meter_restart_run (FzMeter *meter, FzVoice *voice, size_t start)
{
  fz_meter_flush_voice (meter, voice);
  voice->meter.start = start;
  voice->meter.end = start;
  voice->meter.gain = voice->meter.next_gain;
}

/* Each channel's largest |x| of @frames frames of @channels channels
 * (@stride floats apart) into @peaks. */
static void
measure_output (float *peaks, uint32_t channels, uint32_t stride, const float *out,
                size_t frames)
{
  size_t i = 0, n = frames * stride;

  /* A channel count that divides the lanes: lane l is channel l % stride
   * (then channels == stride: at most 8). */
  if (FZ_SCAN_LANES % stride == 0)
    {
      i = n / FZ_SCAN_LANES * FZ_SCAN_LANES;
      fz_scan_peaks (out, i, stride, peaks);
    }
  /* i is a whole number of frames here. */
  for (; i < n; i += stride)
    for (uint32_t c = 0; c < channels; c++)
      {
        float x = out[i + c] < 0.0f ? -out[i + c] : out[i + c];

        peaks[c] = MAX_OF (peaks[c], x);
      }
}

void
fz_meter_bus (FzMeter *meter, uint32_t slot, const float *bus, size_t n)
{
  float max[FZ_SCAN_LANES] = { 0 }, min[FZ_SCAN_LANES] = { 0 };
  size_t whole = n / FZ_SCAN_LANES * FZ_SCAN_LANES;
  float peak;

  fz_scan (bus, whole, max, min);
  peak = fz_scan_fold (max, min);
  for (size_t i = whole; i < n; i++)
    peak = MAX_OF (peak, bus[i] < 0.0f ? -bus[i] : bus[i]);
  meter->now.slot_peak[slot] = MAX_OF (meter->now.slot_peak[slot], peak);
}

/* Ends the meter period at frame @end: every voice's run is measured, the
 * snapshot goes into the ring (or is counted as dropped), and the next
 * period starts empty.  Not inlined (it runs once a meter period): GCC
 * then compiles fz_meter_end_period(), which runs every audio period,
 * and this loop over the voices tighter, 1,004 instructions fewer in
 * bench-telemetry's 32-voice run at 30 Hz (20 more with no voice). */
static __attribute__ ((noinline)) void
publish (FzMeter *meter, FzMixer *mixer, uint64_t end)
{
  uint_fast64_t head = atomic_load_explicit (&meter->head, memory_order_relaxed);
  uint_fast64_t tail = atomic_load_explicit (&meter->tail, memory_order_acquire);

  for (uint32_t i = 0; i < mixer->n_voices; i++)
    flush_run (meter, &mixer->voices[i]);
  meter->now.frame = end;
  if (head - tail < FZ_METER_RING)
    {
      copy_frame (&meter->ring[head % FZ_METER_RING], &meter->now);
      atomic_store_explicit (&meter->head, head + 1, memory_order_release);
    }
  else
    fz_counter_increment (&meter->dropped);
  clear_now (meter);
}

void
fz_meter_end_period (FzMeter *meter, FzMixer *mixer, const float *out, size_t frames,
                     uint64_t end)
{
  if (meter->rate == 0)
    return;
  measure_output (meter->now.master, meter->now.channels, mixer->channels, out, frames);
  if (end < meter->due)
    return;
  publish (meter, mixer, end);
  /* An audio period longer than a meter period ends several at once. */
  meter->periods = (end - meter->started) * meter->rate / meter->sample_rate;
  meter->due = due_frame (meter, meter->periods);
}

const FzMeterFrame *
fz_meter_peek (FzMeter *meter)
{
  uint_fast64_t tail = atomic_load_explicit (&meter->tail, memory_order_relaxed);
  uint_fast64_t head = atomic_load_explicit (&meter->head, memory_order_acquire);

  return tail == head ? NULL : &meter->ring[tail % FZ_METER_RING];
}

void
fz_meter_advance (FzMeter *meter)
{
  uint_fast64_t tail = atomic_load_explicit (&meter->tail, memory_order_relaxed);

  atomic_store_explicit (&meter->tail, tail + 1, memory_order_release);
}

bool
fz_meter_has_data (FzMeter *meter)
{
  return atomic_load_explicit (&meter->tail, memory_order_relaxed) !=
         atomic_load_explicit (&meter->head, memory_order_acquire);
}

uint64_t
fz_meter_get_dropped (FzMeter *meter)
{
  return fz_counter_get (&meter->dropped);
}
