/* fz-transport.c: the musical clock on the audio thread
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The clock's state is the core's tempo segment (fz-clock.h), changed by
 * commands at the start of a period and published for readers on other
 * threads; each period, the beats that fall in it are reported and
 * clicked.  Audio thread only, but for the control-thread set-up at the
 * top.  No allocation, lock, system call or libm call: integer arithmetic
 * and the mixer's kernels.
 */

#include <stdlib.h>
#include <string.h>

#include "fz-core.h"
#include "fz-counter.h"
#include "fz-stretch.h"

/* Audio thread (or the control thread before the stream starts). */
static void
publish_tempo (FzCore *core)
{
  FzTempoCell *cell = &core->published;
  unsigned sequence = atomic_load_explicit (&cell->sequence, memory_order_relaxed);

  atomic_store_explicit (&cell->sequence, sequence + 1, memory_order_relaxed);
  atomic_thread_fence (memory_order_release);
  atomic_store_explicit (&cell->anchor_frame, core->tempo.anchor_frame, memory_order_relaxed);
  atomic_store_explicit (&cell->anchor_beats, (uint64_t) core->tempo.anchor.beats,
                         memory_order_relaxed);
  atomic_store_explicit (&cell->anchor_frac, core->tempo.anchor.frac, memory_order_relaxed);
  atomic_store_explicit (&cell->step, core->tempo.step, memory_order_relaxed);
  atomic_store_explicit (&cell->beats_per_bar, core->tempo.beats_per_bar, memory_order_relaxed);
  atomic_store_explicit (&cell->sequence, sequence + 2, memory_order_release);
  core->next_beat_known = false;
}

void
fz_core_init_clock (FzCore *core, const FzTempo *tempo)
{
  core->tempo = *tempo;
  publish_tempo (core);
}

bool
fz_core_alloc_clicks (FzCore *core, size_t frames)
{
  for (int i = 0; i < 2; i++)
    {
      free (core->clicks[i].data);
      core->clicks[i].data = calloc (frames * core->mixer.channels, sizeof (float));
      core->clicks[i].frames = core->clicks[i].data != NULL ? frames : 0;
      if (core->clicks[i].data == NULL)
        return false;
    }
  return true;
}

/* Any thread: a writer in the middle of an update makes the reader go
 * round again (a few nanoseconds; the writer never waits). */
void
fz_core_read_tempo (FzCore *core, FzTempo *tempo)
{
  FzTempoCell *cell = &core->published;
  unsigned before, after;

  do
    {
      before = atomic_load_explicit (&cell->sequence, memory_order_acquire);
      tempo->anchor_frame = atomic_load_explicit (&cell->anchor_frame, memory_order_relaxed);
      tempo->anchor.beats = (int64_t) atomic_load_explicit (&cell->anchor_beats,
                                                            memory_order_relaxed);
      tempo->anchor.frac = atomic_load_explicit (&cell->anchor_frac, memory_order_relaxed);
      tempo->step = atomic_load_explicit (&cell->step, memory_order_relaxed);
      tempo->beats_per_bar = atomic_load_explicit (&cell->beats_per_bar, memory_order_relaxed);
      atomic_thread_fence (memory_order_acquire);
      after = atomic_load_explicit (&cell->sequence, memory_order_relaxed);
    }
  while (before != after || (before & 1u) != 0);
}

/* ---- commands ---- */

static void
set_tempo (FzCore *core, FzTempo tempo)
{
  core->tempo = tempo;
  publish_tempo (core);
}

static double
double_from_bits (uint64_t bits)
{
  double value;

  memcpy (&value, &bits, sizeof value);
  return value;
}

static void
set_slot_clock (FzCore *core, const FzMsg *command)
{
  if (command->slot >= core->mixer.n_slots)
    return;
  if (command->type == FZ_CMD_SET_SLOT_TEMPO)
    core->mixer.slots[command->slot].tempo = double_from_bits (command->start);
  else
    core->mixer.slots[command->slot].downbeat = command->start;
}

/* The first voice of @slot that sounds (not fading out, not held). */
static const FzVoice *
sounding_voice (const FzMixer *mixer, uint32_t slot)
{
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    if (mixer->voices[i].slot == slot && !mixer->voices[i].stopping && !mixer->voices[i].held)
      return &mixer->voices[i];
  return NULL;
}

/* The source frame @voice plays at the start of this period: a stretched
 * voice's is what its output has reached, not what its stretcher has
 * read (fz-stretch.h); a resampled one's has a fraction. */
static double
heard_position (const FzVoice *voice)
{
  if (voice->stretch != NULL && voice->stretch->primed)
    return voice->stretch->heard;
  return (double) voice->position + (double) voice->speed.frac * (1.0 / 4294967296.0);
}

/* @x to the nearest whole number (the core calls no libm). */
static int64_t
round_frames (double x)
{
  return x >= 0.0 ? (int64_t) (x + 0.5) : -(int64_t) (0.5 - x);
}

/* sync_transport_to_sample(): the tempo the slot's loop is heard at (when
 * its tempo is known), and bar 1 beat 1 where its voice plays (or played)
 * its downbeat.  A voice at ratio r (its speed, fz_mixer_slot_ratio())
 * plays sample frame p at the output frame where it plays its downbeat d
 * plus (p - d) / r.  The tempo: the slot's times the speed it plays at,
 * or with tempo lock the slot's (its voices then follow the transport,
 * at the ratio worked out with the new tempo, gliding to it as if at
 * once: fz-varispeed.h); beyond 20 to 400 BPM it stays.  A downbeat
 * before the stream's first frame is kept exactly in the segment; the
 * control side is told the first bar line from frame 0 on. */
static void
sync_to_slot (FzCore *core, const FzMsg *command)
{
  const FzMixer *mixer = &core->mixer;
  const FzSlot *slot = command->slot < mixer->n_slots ? &mixer->slots[command->slot] : NULL;
  const FzVoice *voice = slot != NULL ? sounding_voice (mixer, command->slot) : NULL;
  FzMsg synced = { .type = FZ_REPLY_SYNCED, .seq = command->seq };
  uint64_t start = core->period_start, step = 0;
  double tempo = 0.0, ratio;
  int64_t downbeat;

  if (slot == NULL)
    return;
  if (slot->tempo > 0.0)
    {
      tempo = mixer->tempo_lock ? slot->tempo
                                : slot->tempo * fz_mixer_slot_ratio (mixer, command->slot, 0);
      step = fz_clock_step (tempo, core->sample_rate);
    }
  if (step != 0)
    memcpy (&synced.start, &tempo, sizeof synced.start);
  else
    step = core->tempo.step;
  if (voice == NULL)
    {
      set_tempo (core, fz_clock_retempo (&core->tempo, start, step));
      synced.frame = UINT64_MAX;         /* the downbeat stayed */
    }
  else
    {
      ratio = fz_mixer_slot_ratio (mixer, command->slot, step);
      downbeat = (int64_t) (start + voice->delay) +
                 round_frames (((double) slot->downbeat - heard_position (voice)) / ratio);
      if (downbeat >= 0)
        set_tempo (core, fz_clock_from_downbeat ((uint64_t) downbeat, step,
                                                 core->tempo.beats_per_bar));
      else
        {
          FzTempo tempo_at = fz_clock_from_downbeat (0, step, core->tempo.beats_per_bar);

          tempo_at.anchor = fz_clock_position (&tempo_at, (uint64_t) -downbeat);
          tempo_at.anchor.beats = -tempo_at.anchor.beats - (tempo_at.anchor.frac != 0);
          tempo_at.anchor.frac = -tempo_at.anchor.frac;
          set_tempo (core, tempo_at);
        }
      synced.frame = downbeat >= 0 ? (uint64_t) downbeat
                                   : fz_clock_grid_frame (&core->tempo, FZ_GRID_BAR, 0);
    }
  if (!fz_ring_push (core->replies, &synced))
    fz_counter_increment (&core->events_dropped);
}

bool
fz_transport_apply (FzCore *core, const FzMsg *command)
{
  switch (command->type)
    {
    case FZ_CMD_SET_TEMPO:
      if (command->start != 0)
        set_tempo (core, fz_clock_retempo (&core->tempo, core->period_start, command->start));
      return true;
    case FZ_CMD_SET_BEATS_PER_BAR:
      if (command->flag >= 1 && command->flag <= FZ_CLOCK_MAX_BEATS_PER_BAR)
        {
          core->tempo.beats_per_bar = command->flag;
          publish_tempo (core);
        }
      return true;
    case FZ_CMD_SET_DOWNBEAT:
      set_tempo (core, fz_clock_from_downbeat (command->frame, core->tempo.step,
                                               core->tempo.beats_per_bar));
      return true;
    case FZ_CMD_SET_METRONOME:
      core->metronome = command->flag != 0;
      core->metronome_gain = command->gain;
      return true;
    case FZ_CMD_REPORT_BEATS:
      core->report_beats = command->flag != 0;
      return true;
    case FZ_CMD_SET_SLOT_TEMPO:
    case FZ_CMD_SET_SLOT_DOWNBEAT:
      set_slot_clock (core, command);
      return true;
    case FZ_CMD_SYNC:
      sync_to_slot (core, command);
      return true;
    default:
      return true;  /* not a command: consumed and ignored */
    }
}

/* ---- beats and the metronome ---- */

/* Mixes @click from @from into @out, @offset frames in, up to the end of
 * the period; returns where it got to. */
static size_t
mix_click (FzCore *core, float *out, size_t frames, const FzClick *click, size_t from,
           size_t offset)
{
  uint32_t channels = core->mixer.channels;
  size_t n = click->frames - from < frames - offset ? click->frames - from : frames - offset;
  float gain = core->metronome_gain *
               fz_mixer_master_at (&core->mixer, core->period_start + offset);

  fz_mixer_mix_into (&core->mixer, out + offset * channels, click->data + from * channels,
                     n * channels, gain);
  return from + n;
}

/* One beat at @offset into the period: reported from bar 1 on, clicked
 * (the count-in before it too).  A click still sounding stops there. */
static void
on_beat (FzCore *core, float *out, size_t frames, int64_t beat, size_t offset)
{
  FzBeatPos position = { .beats = beat };
  int64_t bar = fz_clock_bar (&core->tempo, position);
  uint32_t in_bar = fz_clock_beat_in_bar (&core->tempo, position);
  const FzClick *click = &core->clicks[in_bar == 1 ? 0 : 1];

  if (core->report_beats && bar >= 1)
    fz_core_reply (core, FZ_REPLY_BEAT, in_bar, core->period_start + offset,
           bar > UINT32_MAX ? UINT32_MAX : (uint64_t) bar);
  if (!core->metronome || core->paused || click->frames == 0)
    return;
  core->click = click;
  core->click_position = mix_click (core, out, frames, click, 0, offset);
}

static uint64_t
frame_of_beat (const FzCore *core, int64_t beat)
{
  return fz_clock_frame_of (&core->tempo, (FzBeatPos) { .beats = beat });
}

/* The first beat whose frame is at or after this period's start.  The one
 * found before still is when the segment has not changed since (every
 * change goes through publish_tempo()) and its frame is not past: the
 * beats before it fell before the period it was found in. */
static void
find_next_beat (FzCore *core)
{
  if (core->next_beat_known && core->next_beat_frame >= core->period_start)
    return;
  core->next_beat = fz_clock_first_beat (&core->tempo, core->period_start);
  core->next_beat_frame = frame_of_beat (core, core->next_beat);
  core->next_beat_known = true;
}

/* The beats of this period of @frames frames: beat n (position n) falls on
 * the first frame whose position is at or after n (fz-clock.h). */
void
fz_transport_run (FzCore *core, float *out, size_t frames)
{
  uint64_t end = core->period_start + frames;

  if (core->click != NULL)
    {
      if (core->metronome && !core->paused)
        core->click_position = mix_click (core, out, frames, core->click, core->click_position, 0);
      if (!core->metronome || core->paused || core->click_position == core->click->frames)
        core->click = NULL;
    }
  if (!core->report_beats && !core->metronome)
    return;
  find_next_beat (core);
  while (core->next_beat_frame < end)
    {
      on_beat (core, out, frames, core->next_beat,
               (size_t) (core->next_beat_frame - core->period_start));
      core->next_beat++;
      core->next_beat_frame = frame_of_beat (core, core->next_beat);
    }
}

