/* fz-meter.c: level meters and playheads, see fz-meter.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything but fz_meter_init() and fz_meter_receive() runs on the audio
 * thread: no allocation, no lock, no system call.
 */

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
  uint32_t channels = meter->now.channels;

  memset (&meter->now, 0, sizeof (meter->now));
  meter->now.channels = channels;
}

void
fz_meter_init (FzMeter *meter, uint32_t sample_rate, uint32_t channels)
{
  memset (meter, 0, sizeof (*meter));
  meter->sample_rate = sample_rate > 0 ? sample_rate : 1;
  meter->now.channels = MIN_OF (channels, FZ_METER_MAX_CHANNELS);
  atomic_init (&meter->head, 0);
  atomic_init (&meter->tail, 0);
  atomic_init (&meter->dropped, 0);
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

void
fz_meter_flush_voice (FzMeter *meter, FzVoice *voice)
{
  FzMeterRun *run = &voice->meter;
  const FzSample *sample = voice->sample;

  if (run->end > run->start)
    {
      float peak = fz_peaks_abs_max (sample->peaks, sample->data, sample->channels,
                                     run->start, run->end) * run->gain;

      meter->now.slot_peak[voice->slot] = MAX_OF (meter->now.slot_peak[voice->slot], peak);
    }
  run->start = run->end;
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

  /* A channel count that divides the lanes: lane l is channel l % stride. */
  if (FZ_SCAN_LANES % stride == 0)
    {
      float max[FZ_SCAN_LANES] = { 0 }, min[FZ_SCAN_LANES] = { 0 };

      i = n / FZ_SCAN_LANES * FZ_SCAN_LANES;
      fz_scan (out, i, max, min);
      for (uint32_t l = 0; l < FZ_SCAN_LANES; l++)
        peaks[l % stride] = MAX_OF (peaks[l % stride], MAX_OF (max[l], -min[l]));
    }
  /* i is a whole number of frames here. */
  for (; i < n; i += stride)
    for (uint32_t c = 0; c < channels; c++)
      {
        float x = out[i + c] < 0.0f ? -out[i + c] : out[i + c];

        peaks[c] = MAX_OF (peaks[c], x);
      }
}

/* Ends the meter period at frame @end: every voice's run is measured, the
 * snapshot goes into the ring (or is counted as dropped), and the next
 * period starts empty. */
static void
publish (FzMeter *meter, FzMixer *mixer, uint64_t end)
{
  uint_fast64_t head = atomic_load_explicit (&meter->head, memory_order_relaxed);
  uint_fast64_t tail = atomic_load_explicit (&meter->tail, memory_order_acquire);

  for (uint32_t i = 0; i < mixer->n_voices; i++)
    fz_meter_flush_voice (meter, &mixer->voices[i]);
  meter->now.frame = end;
  if (head - tail < FZ_METER_RING)
    {
      meter->ring[head % FZ_METER_RING] = meter->now;
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

bool
fz_meter_receive (FzMeter *meter, FzMeterFrame *frame)
{
  uint_fast64_t tail = atomic_load_explicit (&meter->tail, memory_order_relaxed);
  uint_fast64_t head = atomic_load_explicit (&meter->head, memory_order_acquire);

  if (tail == head)
    return false;
  *frame = meter->ring[tail % FZ_METER_RING];
  atomic_store_explicit (&meter->tail, tail + 1, memory_order_release);
  return true;
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
