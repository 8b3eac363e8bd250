/* fz-mixer.c: block mixer, see fz-mixer.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A sample is stored in the stream's own layout, so mixing a voice into a
 * period is one contiguous multiply-add over frames * channels floats: no
 * per-frame voice loop, no channel logic on the audio thread.
 *
 * A voice's gain is the product of its velocity, its slot's gain ramp,
 * the master's and its own fade (in, out, crossfade, pause).  Every ramp
 * is read against the mixer's clock of frames rendered, so a 5 ms ramp
 * ends 5 ms after it starts at any period size: a voice's part of a period
 * is cut where one of its ramps starts or ends, and each piece is mixed
 * with a straight line between its first and its last gain.  Frame k of a
 * ramp of n frames that starts at frame F (k = 0 .. n - 1) plays at
 * from + (target - from) * (k + 1) / n: frame F + n - 1 is (within a
 * rounding) the target, and from F + n on the gain is the target exactly.
 * A settled gain takes the plain multiply-add, and an exact 1.0 leaves the
 * sample's bits unchanged (x * 1.0f == x in IEEE arithmetic).
 */

#include <stddef.h>
#include <string.h>

#include "fz-counter.h"
#include "fz-eq.h"
#include "fz-keylock.h"
#include "fz-meter.h"
#include "fz-mixer.h"
#include "fz-mixer-path.h"
#include "fz-mixer-ramps.h"

#define MIN_SIZE(a, b) ((a) < (b) ? (a) : (b))
#define MAX_OF(a, b) ((a) > (b) ? (a) : (b))

/* ---- ramps ---- */

static void
ramp_settle (FzRamp *ramp, float value)
{
  *ramp = (FzRamp) { .from = value, .target = value };
}

/* Moves from the value at @start to @target over @length frames from
 * @start on. */
static void
ramp_from (FzRamp *ramp, float target, uint64_t start, uint32_t length)
{
  ramp->from = ramp_value_at (ramp, start);
  ramp->target = target;
  ramp->start = start;
  ramp->end = start + length;
}

/* ---- loops ---- */

size_t
fz_mixer_start_frame (const FzMixer *mixer, uint32_t slot)
{
  const FzSlot *s = slot < mixer->n_slots ? &mixer->slots[slot] : NULL;
  size_t start = 0, end;

  if (s == NULL || s->sample == NULL || !s->loop || !loop_bounds (s, s->sample, &start, &end))
    return 0;
  return start;
}

/* ---- voices ---- */

/* Fades @voice out from @offset frames into the next period on; it ends
 * when silent.  A held voice is silent already: it ends at once. */
static void
fade_out (FzMixer *mixer, FzVoice *voice, uint32_t offset)
{
  uint64_t start = mixer->now + (offset > voice->delay ? offset : voice->delay);

  if (voice->stopping)
    return;
  voice->stopping = true;
  voice->pausing = false;
  if (voice->held)
    {
      voice->fade = (FzRamp) { .from = 0.0f, .target = 0.0f, .start = mixer->now, .end = mixer->now };
      return;
    }
  if (start > mixer->now)
    {
      /* A fade in that is still under way goes on until then. */
      voice->fade_pending = true;
      voice->fade_at = start;
      return;
    }
  ramp_from (&voice->fade, 0.0f, start, mixer->ramp_frames);
}

/* A restart's crossfade: every voice of the slot, fading already or not,
 * fades from its gain at that frame to 0 over the frames the new voice
 * fades in, so that their gains add up to at most one voice's.  (Of two
 * restarts of a slot within one period, the later one leaves a fade that
 * the earlier one set to begin as it was.) */
static void
fade_out_again (FzMixer *mixer, FzVoice *voice, uint32_t offset)
{
  uint64_t start = mixer->now + (offset > voice->delay ? offset : voice->delay);

  if (!voice->stopping || voice->held)
    {
      fade_out (mixer, voice, offset);
      return;
    }
  if (voice->fade_pending)
    return;
  if (start > mixer->now)
    {
      voice->fade_pending = true;
      voice->fade_at = start;
      return;
    }
  ramp_from (&voice->fade, 0.0f, start, mixer->ramp_frames);
}

/* At @t, a pending fade-out begins. */
static void
begin_pending_fade (FzMixer *mixer, FzVoice *voice, uint64_t t)
{
  if (!voice->fade_pending || t < voice->fade_at)
    return;
  voice->fade_pending = false;
  ramp_from (&voice->fade, 0.0f, voice->fade_at, mixer->ramp_frames);
}

static void
fade_in (FzMixer *mixer, FzVoice *voice, uint64_t start)
{
  voice->fade = (FzRamp) { .from = 0.0f, .target = 1.0f, .start = start,
                           .end = start + mixer->ramp_frames };
}

static FzVoice *
add_voice (FzMixer *mixer, uint32_t slot, const FzSample *sample, float velocity,
           uint32_t delay, size_t position)
{
  FzVoice *voice = &mixer->voices[mixer->n_voices++];

  *voice = (FzVoice) {
    .sample = sample, .slot = slot, .delay = delay, .velocity = velocity, .position = position,
  };
  ramp_settle (&voice->fade, 1.0f);
  voice->stretch = fz_keylock_claim (mixer, slot, position);
  if (mixer->slots[slot].paused)
    {
      /* It sounds once its slot resumes, from its start. */
      voice->held = true;
      voice->delay = 0;
      ramp_settle (&voice->fade, 0.0f);
    }
  return voice;
}

/* Moves @voice to @frame of its sample with a crossfade: a copy of it
 * fades out where it was while it fades in at @frame.  Without a free
 * voice for the copy, or stretched, it only fades in (a dip, not a click). */
static void
crossfade_to (FzMixer *mixer, FzVoice *voice, size_t frame)
{
  if (frame >= voice->sample->frames)
    {
      fade_out (mixer, voice, 0);
      return;
    }
  if (voice->held || voice->delay > 0)
    {
      voice->position = frame;
      return;
    }
  if (mixer->n_voices < mixer->max_voices && voice->stretch == NULL)
    {
      FzVoice *old = &mixer->voices[mixer->n_voices++];

      *old = *voice;
      old->quiet = true;
      old->pausing = false;
      fade_out (mixer, old, 0);
    }
  voice->position = frame;
  if (voice->pausing)
    {
      /* The copy carries the fade-out: this one holds at its new frame. */
      voice->pausing = false;
      voice->held = true;
      ramp_settle (&voice->fade, 0.0f);
      return;
    }
  fade_in (mixer, voice, mixer->now);
}

/* ---- commands ---- */

FzTriggerResult
fz_mixer_trigger (FzMixer *mixer, uint32_t slot, float velocity, uint32_t delay)
{
  const FzSample *sample = slot < mixer->n_slots ? mixer->slots[slot].sample : NULL;

  fz_mixer_touch (mixer);
  if (sample == NULL)
    return FZ_TRIGGER_EMPTY_SLOT;
  if (mixer->n_voices == mixer->max_voices || !fz_keylock_can_start (mixer, slot))
    {
      fz_counter_increment (&mixer->voices_dropped);
      return FZ_TRIGGER_DROPPED;
    }
  add_voice (mixer, slot, sample, velocity, delay, 0);
  return FZ_TRIGGER_STARTED;
}

/* Whether a voice of @slot plays (or holds): with @fading, one that fades
 * out counts too. */
static bool
is_sounding (const FzMixer *mixer, uint32_t slot, bool fading)
{
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    if (mixer->voices[i].slot == slot && (fading || !mixer->voices[i].stopping))
      return true;
  return false;
}

static void
restart_slot (FzMixer *mixer, uint32_t slot, uint32_t offset)
{
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    if (mixer->voices[i].slot == slot && mixer->voices[i].delay <= offset)
      fade_out_again (mixer, &mixer->voices[i], offset);
}

/* Fades out, from @offset frames into the next period on, the voices of
 * @slot (FZ_ALL_SLOTS: all) whose slot is in @group (0: any group) and
 * that have started by then. */
static void
fade_out_matching (FzMixer *mixer, uint32_t slot, uint32_t group, uint32_t offset)
{
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    {
      FzVoice *voice = &mixer->voices[i];

      if ((slot == FZ_ALL_SLOTS || voice->slot == slot) &&
          (group == 0 || mixer->slots[voice->slot].group == group) && voice->delay <= offset)
        fade_out (mixer, voice, offset);
    }
}

FzTriggerResult
fz_mixer_play (FzMixer *mixer, uint32_t slot, float velocity, uint32_t delay, bool exclusive)
{
  const FzSlot *s = slot < mixer->n_slots ? &mixer->slots[slot] : NULL;
  bool restart;
  FzVoice *voice;

  fz_mixer_touch (mixer);
  if (s == NULL || s->sample == NULL)
    return FZ_TRIGGER_EMPTY_SLOT;
  if (s->retrigger == FZ_RETRIGGER_TOGGLE && !exclusive && is_sounding (mixer, slot, false))
    {
      fade_out_matching (mixer, slot, 0, delay);
      return FZ_TRIGGER_TOGGLED_OFF;
    }
  if (mixer->n_voices == mixer->max_voices || !fz_keylock_can_start (mixer, slot))
    {
      fz_counter_increment (&mixer->voices_dropped);
      return FZ_TRIGGER_DROPPED;
    }
  /* The old voices fade out over the frames the new one fades in: the sum
   * of the two gains stays 1 (one voice's level, never two). */
  restart = s->retrigger == FZ_RETRIGGER_RESTART && is_sounding (mixer, slot, true);
  if (restart)
    restart_slot (mixer, slot, delay);
  if (exclusive)
    fade_out_matching (mixer, FZ_ALL_SLOTS, 0, delay);
  else if (s->group != 0)
    fade_out_matching (mixer, FZ_ALL_SLOTS, s->group, delay);
  voice = add_voice (mixer, slot, s->sample, velocity, delay, fz_mixer_start_frame (mixer, slot));
  if (restart && !voice->held)
    fade_in (mixer, voice, mixer->now + delay);
  return FZ_TRIGGER_STARTED;
}

void
fz_mixer_stop (FzMixer *mixer, uint32_t slot)
{
  fz_mixer_touch (mixer);
  fade_out_matching (mixer, slot, 0, 0);
}

void
fz_mixer_stop_at (FzMixer *mixer, uint32_t slot, uint32_t offset)
{
  fz_mixer_touch (mixer);
  fade_out_matching (mixer, slot, 0, offset);
}

void
fz_mixer_set_gain (FzMixer *mixer, uint32_t slot, float gain)
{
  fz_mixer_touch (mixer);
  if (slot == FZ_MASTER)
    ramp_from (&mixer->master, gain, mixer->now, mixer->ramp_frames);
  else if (slot < mixer->n_slots)
    ramp_from (&mixer->slots[slot].gain, gain, mixer->now, mixer->ramp_frames);
}

void
fz_mixer_preset_gain (FzMixer *mixer, uint32_t slot, float gain)
{
  fz_mixer_touch (mixer);
  if (slot == FZ_MASTER)
    ramp_settle (&mixer->master, gain);
  else if (slot < mixer->n_slots)
    ramp_settle (&mixer->slots[slot].gain, gain);
}

void
fz_mixer_set_retrigger (FzMixer *mixer, uint32_t slot, FzRetrigger policy)
{
  if (slot < mixer->n_slots && policy <= FZ_RETRIGGER_LAST)
    mixer->slots[slot].retrigger = (uint8_t) policy;
}

void
fz_mixer_set_group (FzMixer *mixer, uint32_t slot, uint32_t group)
{
  if (slot < mixer->n_slots && group <= FZ_MAX_GROUP)
    mixer->slots[slot].group = (uint8_t) group;
}

void
fz_mixer_pause_slot (FzMixer *mixer, uint32_t slot, bool paused)
{
  fz_mixer_touch (mixer);
  if (slot >= mixer->n_slots || mixer->slots[slot].paused == paused)
    return;
  mixer->slots[slot].paused = paused;
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    {
      FzVoice *voice = &mixer->voices[i];

      if (voice->slot != slot || voice->stopping)
        continue;
      if (paused && voice->delay > 0)
        {
          /* Not started yet: it starts on resume. */
          voice->delay = 0;
          voice->held = true;
          ramp_settle (&voice->fade, 0.0f);
        }
      else if (paused && !voice->held)
        {
          voice->pausing = true;
          ramp_from (&voice->fade, 0.0f, mixer->now, mixer->ramp_frames);
        }
      else if (!paused)
        {
          voice->held = false;
          voice->pausing = false;
          ramp_from (&voice->fade, 1.0f, mixer->now, mixer->ramp_frames);
        }
    }
}

void
fz_mixer_seek (FzMixer *mixer, uint32_t slot, size_t frame)
{
  /* The copies that crossfade_to() appends are not moved again. */
  uint32_t n = mixer->n_voices;

  fz_mixer_touch (mixer);
  for (uint32_t i = 0; i < n; i++)
    if (mixer->voices[i].slot == slot && !mixer->voices[i].stopping)
      crossfade_to (mixer, &mixer->voices[i], frame);
}

void
fz_mixer_set_loop (FzMixer *mixer, uint32_t slot, bool loop, size_t start, size_t end)
{
  FzSlot *s;
  uint32_t n;

  fz_mixer_touch (mixer);
  if (slot >= mixer->n_slots)
    return;
  s = &mixer->slots[slot];
  s->loop = loop;
  s->loop_start = start;
  s->loop_end = end;
  fz_keylock_forget (mixer, slot);
  if (!loop || s->sample == NULL || !loop_bounds (s, s->sample, &start, &end))
    return;
  n = mixer->n_voices;
  for (uint32_t i = 0; i < n; i++)
    {
      FzVoice *voice = &mixer->voices[i];

      if (voice->slot == slot && voice->sample == s->sample && !voice->stopping &&
          (voice->position < start || voice->position >= end))
        crossfade_to (mixer, voice, start);
    }
}

/* ---- rendering ---- */

static void
mix (const FzMixKernels *kernel, float *out, const float *in, size_t frames,
     uint32_t channels, float gain, float step)
{
  if (step == 0.0f)
    kernel->constant (out, in, frames * channels, gain);
  else
    kernel->ramp (out, in, frames, channels, gain, step);
}

float
fz_mixer_master_at (const FzMixer *mixer, uint64_t t)
{
  return ramp_value_at (&mixer->master, t);
}
/* Mixes up to @frames frames of @voice, jumping back at its loop end, with
 * frame f at gain + step * (f + 1).  Returns the frames played: fewer than
 * @frames when the sample ended. */
/* Inlined: it is the inner loop of every piece of every voice. */
static inline __attribute__ ((always_inline)) size_t
play_span (FzMixer *mixer, FzVoice *voice, const Span *span, float *out, size_t frames,
           float gain, float step)
{
  uint32_t channels = mixer->channels;
  size_t done = 0;

  if (__builtin_expect (voice->stretch != NULL, 0))   /* key lock, pitch: fz-keylock.c */
    return fz_keylock_play (mixer, voice, span->loops, span->loop_start, span->end, out,
                            frames, gain, step);
  while (done < frames)
    {
      size_t n = MIN_SIZE (frames - done, span->end - voice->position);

      /* Through int64_t: a size_t's conversion to float is a branch and
       * six instructions more, and the value is the same. */
      mix (mixer->kernels, out + done * channels, span->data + voice->position * channels,
           n, channels, gain + step * (float) (int64_t) done, step);
      if (mixer->meter != NULL)
        fz_meter_span (mixer->meter, voice, voice->position, n);
      done += n;
      voice->position += n;
      if (voice->position < span->end)
        continue;
      if (!span->loops)
        break;
      voice->position = span->loop_start;
    }
  return done;
}

/* The period being rendered, on the mixer's clock, cut where the master's
 * ramp starts or ends, with the master's gain at each cut: worked out
 * once, for every voice (before, each voice found the cuts and divided
 * for the gains again).  At most four: the period's ends and the ramp's. */
typedef struct {
  uint64_t start, end;
  uint64_t cut[4];          /* cut[0] = start, cut[n_cuts - 1] = end */
  float master[4];          /* the master's gain at each cut */
  uint32_t n_cuts;
  bool master_settled;      /* from the start on: one piece, at the target */
  bool bus;                 /* a block of a slot's bus: no master, no meter (fz-eq.h) */
  uint64_t origin;          /* the audio period's first frame */
} Period;

static void
period_init (Period *period, const FzMixer *mixer, size_t frames)
{
  uint64_t t = mixer->now;

  period->start = t;
  period->origin = t;
  period->bus = false;
  period->end = t + frames;
  period->cut[0] = t;
  period->master[0] = ramp_value_at (&mixer->master, t);
  period->n_cuts = 1;
  period->master_settled = mixer->master.end <= t;
  if (period->master_settled)
    {
      period->cut[1] = period->end;
      period->master[1] = period->master[0];
      period->n_cuts = 2;
      return;
    }
  while (t < period->end)
    {
      t = ramp_next_end (&mixer->master, t, period->end);
      period->cut[period->n_cuts] = t;
      period->master[period->n_cuts++] = ramp_value_at (&mixer->master, t);
    }
}

/* The master's gain at @t: at a cut from @period, else worked out. */
static float
master_at (const FzMixer *mixer, const Period *period, uint64_t t)
{
  if (period->bus)
    return 1.0f;
  for (uint32_t i = 0; i < period->n_cuts; i++)
    if (period->cut[i] == t)
      return period->master[i];
  return ramp_value_at (&mixer->master, t);
}

/* The gain of @voice at frame @t of the mixer's clock. */
static float
voice_gain (const FzMixer *mixer, const Period *period, const FzVoice *voice, uint64_t t)
{
  return voice->velocity * ramp_value_at (&mixer->slots[voice->slot].gain, t)
         * master_at (mixer, period, t) * ramp_value_at (&voice->fade, t);
}

/* The next frame after @t, before @limit, at which one of the ramps that
 * make @voice's gain starts or ends: between two of them the gain is a
 * straight line (or a constant, which mixes at the plain multiply-add). */
static uint64_t
next_break (const FzMixer *mixer, const FzVoice *voice, uint64_t t, uint64_t limit)
{
  limit = ramp_next_end (&mixer->slots[voice->slot].gain, t, limit);
  limit = ramp_next_end (&mixer->master, t, limit);
  if (voice->fade_pending && voice->fade_at > t && voice->fade_at < limit)
    limit = voice->fade_at;
  return ramp_next_end (&voice->fade, t, limit);
}

/* What the meters multiply the peak of @voice's frames by over the piece
 * [@t, @e) (every ramp is a straight line over it): the larger end of its
 * gain there without the master's (velocity, slot gain, its own fade). */
static float
meter_gain (const FzMixer *mixer, const FzVoice *voice, uint64_t t, uint64_t e)
{
  const FzRamp *slot_gain = &mixer->slots[voice->slot].gain;
  float first = voice->velocity * ramp_value_at (slot_gain, t) * ramp_value_at (&voice->fade, t);
  float last = voice->velocity * ramp_value_at (slot_gain, e) * ramp_value_at (&voice->fade, e);

  return MAX_OF (first, last);
}

/* The common case: from @t on, only the master may move (the voice's fade
 * and its slot's gain are settled, and it neither stops nor pauses).  Its
 * gain is the same product as voice_gain()'s, in the same order, so the
 * same bits, and its pieces are @period's, cut at the master's ramp ends
 * alone; a voice that starts late in the period starts its first piece
 * there. */
static inline __attribute__ ((always_inline)) uint64_t
render_settled (FzMixer *mixer, const Period *period, FzVoice *voice, const Span *span,
                float *out, uint64_t t)
{
  float scale = voice->velocity * mixer->slots[voice->slot].gain.target;
  float fade = voice->fade.target;
  float first;

  /* Settled: what meter_gain() would read, without reading the ramps. */
  if (mixer->meter != NULL)
    voice->meter.next_gain = period->bus ? 0.0f : scale * fade;

  /* The master settled too (most periods): one piece at a constant gain. */
  if (period->master_settled)
    return t + play_span (mixer, voice, span, out + (t - period->start) * mixer->channels,
                          (size_t) (period->end - t), scale * period->master[0] * fade, 0.0f);
  first = scale * master_at (mixer, period, t) * fade;
  for (uint32_t i = 1; i < period->n_cuts; i++)
    {
      uint64_t e = period->cut[i];
      size_t n, played;
      float last;

      if (e <= t)
        continue;
      n = (size_t) (e - t);
      last = scale * period->master[i] * fade;
      played = play_span (mixer, voice, span, out + (t - period->start) * mixer->channels, n,
                          first, first == last ? 0.0f : (last - first) / (float) n);
      t += played;
      if (played < n)
        break;
      first = last;
    }
  return t;
}

/* @voice has ended at @t: false, said once (a crossfade's old half says
 * nothing). */
static bool
end_voice (FzMixer *mixer, const Period *period, FzVoice *voice, uint64_t t)
{
  /* Ended, or the quiet half of a crossfade gone silent: what it played
   * since the meters last measured it counts now. */
  if (mixer->meter != NULL)
    fz_meter_flush_voice (mixer->meter, voice);
  if (mixer->voice_ended != NULL && !voice->quiet)
    mixer->voice_ended (mixer->voice_ended_data, voice->slot, (uint32_t) (t - period->origin));
  fz_keylock_release (voice);
  return false;
}

/* Mixes @voice into the period; returns false once it has ended.  Inlined
 * into both its callers (the voices mixed straight into the output, and
 * the slot buses), with voice_span() and render_settled(): called, they
 * cost some 25 instructions a voice and period more (0.06 a voice and
 * output sample), as they would once a second caller made GCC stop
 * inlining them. */
static inline __attribute__ ((always_inline)) bool
render_voice (FzMixer *mixer, const Period *period, FzVoice *voice, float *out, size_t frames)
{
  size_t delay = MIN_SIZE (voice->delay, frames);
  uint64_t t = period->start + delay, end = period->end;
  Span span;
  bool ended;

  voice->delay -= (uint32_t) delay;
  if (voice->held && !voice->stopping)
    return true;
  span = voice_span (&mixer->slots[voice->slot], voice);
  /* The voice's speed, once a period, chosen here alone (fz-varispeed.h): at
   * every speed 1 a resampled voice plays on (gliding back, or between two
   * frames); a stretched one is never resampled (fz-keylock.c takes it). */
  if (__builtin_expect (mixer->speed_any && voice->stretch == NULL, 0))
    fz_varispeed_update (mixer, voice);
  /* Neither stopping nor pausing: only its sample's end can end it.  A
   * voice off unity speed takes the pieces below, resampled. */
  if (!voice->stopping && !voice->pausing && !voice->fade_pending && !voice->speed.active &&
      voice->fade.end <= t && mixer->slots[voice->slot].gain.end <= t)
    {
      if (t == period->start && !period->bus && !mixer->speed_any && voice->stretch == NULL)
        settle (mixer, voice, &span);
      t = render_settled (mixer, period, voice, &span, out, t);
      return !fz_keylock_finished (voice) || end_voice (mixer, period, voice, t);
    }
  for (;;)
    {
      uint64_t e;
      size_t n, played;
      float first, last;

      begin_pending_fade (mixer, voice, t);
      /* A fade that ends the voice or holds it ends its part of the period. */
      if ((voice->stopping || voice->pausing) && !voice->fade_pending && voice->fade.end < end)
        end = voice->fade.end > t ? voice->fade.end : t;
      if (t >= end)
        break;
      e = next_break (mixer, voice, t, end);
      n = (size_t) (e - t);
      first = voice_gain (mixer, period, voice, t);
      last = voice_gain (mixer, period, voice, e);
      if (mixer->meter != NULL)
        voice->meter.next_gain = period->bus ? 0.0f : meter_gain (mixer, voice, t, e);
      played = voice->speed.active
                 ? fz_varispeed_play (mixer, voice, span.data, span.end, span.loop_start,
                                      span.loops, out + (t - period->start) * mixer->channels, n,
                                      first, (last - first) / (float) n)
                 : play_span (mixer, voice, &span, out + (t - period->start) * mixer->channels, n,
                              first, (last - first) / (float) n);
      t += played;
      if (played < n)
        break;
    }
  ended = fz_keylock_finished (voice) ||
          (voice->stopping && !voice->fade_pending && t >= voice->fade.end);
  if (!ended)
    {
      if (voice->pausing && t >= voice->fade.end)
        {
          voice->pausing = false;
          voice->held = true;
        }
      return true;
    }
  return end_voice (mixer, period, voice, t);
}

/* Adds @frames frames of @bus to @out, from frame @t of the mixer's clock
 * on, at the master's gain: a piece for each of its ramp's parts, as a
 * voice's would be. */
static void
add_bus (const FzMixer *mixer, const Period *period, float *out, const float *bus, uint64_t t,
         size_t frames)
{
  uint64_t end = t + frames;
  float first = period->master_settled ? period->master[0] : ramp_value_at (&mixer->master, t);

  while (t < end)
    {
      uint64_t e = period->master_settled ? end : ramp_next_end (&mixer->master, t, end);
      float last = period->master_settled ? first : ramp_value_at (&mixer->master, e);
      size_t n = (size_t) (e - t);

      mix (mixer->kernels, out, bus, n, mixer->channels, first,
           first == last ? 0.0f : (last - first) / (float) n);
      out += n * mixer->channels;
      bus += n * mixer->channels;
      t = e;
      first = last;
    }
}

/* Block @done .. @done + @n of @period for slot @slot's bus: the voices of
 * the slot summed into it without the master, through its isolator,
 * measured, and mixed into @out at the master's gain.  A bus whose slot
 * is silent and whose filters are at rest is skipped. */
static void
render_bus_block (FzMixer *mixer, const Period *period, uint32_t slot, float *out, size_t done,
                  size_t n)
{
  FzEqBank *bank = mixer->eq;
  uint64_t t = period->start + done;
  Period block = {
    .start = t, .end = t + n, .cut = { t, t + n }, .master = { 1.0f, 1.0f }, .n_cuts = 2,
    .master_settled = true, .bus = true, .origin = period->origin,
  };
  bool sounding = false;

  memset (bank->bus, 0, n * mixer->channels * sizeof (float));
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    {
      FzVoice *voice = &mixer->voices[i];

      if (voice->slot != slot || voice->bus_ended)
        continue;
      voice->bused = true;
      sounding = true;
      if (!render_voice (mixer, &block, voice, bank->bus, n))
        voice->bus_ended = true;
    }
  if (!sounding && fz_eq_skip (&bank->slots[slot], bank->pairs, n))
    return;
  fz_eq_run (bank, &bank->slots[slot], bank->bus, n);
  if (mixer->meter != NULL)
    fz_meter_bus (mixer->meter, slot, bank->bus, n * mixer->channels);
  add_bus (mixer, period, out + done * mixer->channels, bank->bus, t, n);
}

/* The slots whose isolator is live, block by block, before the voices
 * that mix straight into @out; their voices are marked bused. */
static void
render_buses (FzMixer *mixer, const Period *period, float *out, size_t frames)
{
  for (uint32_t l = 0; l < mixer->eq->n_live; l++)
    for (size_t done = 0; done < frames; done += FZ_EQ_BLOCK)
      render_bus_block (mixer, period, mixer->eq->live[l], out, done,
                        MIN_SIZE (frames - done, FZ_EQ_BLOCK));
  fz_eq_retire (mixer);
}

/* Not inlined: its Period (arrays on the stack) takes a stack protector's
 * canary under Debian's flags, which a period without voices need not
 * pay. */
static __attribute__ ((noinline)) void
render_voices (FzMixer *mixer, float *out, size_t frames)
{
  Period period;
  FzPeriodCuts cuts;
  uint32_t kept = 0;
  bool buses = mixer->eq != NULL && mixer->eq->n_live > 0, fast, ramped;

  period_init (&period, mixer, frames);
  if (buses)
    render_buses (mixer, &period, out, frames);
  /* The batched paths (settled voices, ramping ones): the period's
   * conditions, once. */
  fast = !buses && !mixer->speed_any && !mixer->unbatched && period.master_settled;
  ramped = !buses && mixer->meter == NULL && !mixer->speed_any && !mixer->unbatched;
  cuts.n_cuts = period.n_cuts;
  memcpy (cuts.cut, period.cut, sizeof cuts.cut);
  memcpy (cuts.master, period.master, sizeof cuts.master);
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    {
      FzVoice *voice = &mixer->voices[i];
      uint32_t next;
      bool alive;

      if (fast && voice->settled == mixer->epoch)
        {
          i = fz_mixer_render_settled (mixer, out, frames, period.master[0], period.origin, i,
                                       &kept) - 1;
          continue;
        }
      if (ramped && (next = fz_mixer_render_ramped (mixer, out, frames, &cuts, fast, i, &kept)) > i)
        {
          i = next - 1;
          continue;
        }
      if (__builtin_expect (voice->bused, 0))
        {
          voice->bused = false;
          alive = !voice->bus_ended;
        }
      else
        alive = render_voice (mixer, &period, voice, out, frames);
      /* Voices stay packed; one that has not moved is not copied. */
      if (alive && kept++ != i)
        mixer->voices[kept - 1] = mixer->voices[i];
    }
  mixer->n_voices = kept;
}

void
fz_mixer_render (FzMixer *mixer, float *out, size_t frames)
{
  memset (out, 0, frames * mixer->channels * sizeof (float));
  /* A live isolator rings on after its slot's last voice. */
  if (mixer->n_voices > 0 || (mixer->eq != NULL && mixer->eq->n_live > 0))
    render_voices (mixer, out, frames);
  /* The ramps need no advancing: they are read against this clock. */
  mixer->now += frames;
}
