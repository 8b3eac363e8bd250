/* fz-mixer-ramped.c: the ramping voices' batched path, see fz-mixer.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Audio thread.  A voice whose gain moves only by a straight line (its
 * slot's gain ramp, the master's, or both) and that neither fades, stops,
 * pauses, waits for a delay, changes speed, is key-locked, wraps at its
 * loop end nor ends within the period is mixed here, in batches of up to
 * 8, by the voices_ramp kernel: each output block loaded once, all the
 * batch's voices added in registers in their order, stored once.
 *
 * Its pieces are fz-mixer.c's: cut where the master's ramp or its slot's
 * starts or ends, each with the gain at its two ends worked out as
 * voice_gain() does (velocity, slot, master, fade: the same product in the
 * same order) and the same step.  A batch's period is cut where any of its
 * voices' pieces is; in each stretch a voice whose piece began before goes
 * on counting its frames from its piece's start, so every frame gets the
 * gain the full path's ramp kernel gives it, to the bit
 * (tests/core/test-ramped.c).  What this path does not take (a fade, a
 * wrap, an end, ...) takes the full path, after the batch before it.
 */

#include "fz-mixer.h"
#include "fz-mixer-path.h"
#include "fz-mixer-ramps.h"

/* FZ_MIXER_BATCH voices a batch, as fz-mixer-settled.c's; with 32 the
 * ramping voices took 1.8x the read floor's time, 0.93x with 8. */
#define BATCH FZ_MIXER_BATCH
/* A voice's cuts: the period's (at most four) and its slot ramp's two ends. */
#define MAX_CUTS 6

typedef struct {
  const float *in;          /* the voice's first frame of the period */
  uint64_t cut[MAX_CUTS];   /* its pieces' ends: cut[0] the period's start, the last its end */
  float gain[MAX_CUTS - 1]; /* each piece's first gain, as play_span() starts it */
  float step[MAX_CUTS - 1];
  uint32_t n_cuts, piece;
} Pieces;

/* Whether @voice may take this path at all this period (its span is
 * checked after). */
static inline bool
takes_ramped (const FzVoice *voice, uint64_t t)
{
  return voice->delay == 0 && !voice->held && !voice->stopping && !voice->pausing &&
         !voice->fade_pending && !voice->bused && !voice->speed.active &&
         voice->stretch == NULL && voice->fade.end <= t;
}

/* find_pieces() for the usual ramping slot under a settled master: a
 * ramp under way since the period's @start or before, ending inside the
 * period or after it.  At most two pieces, the second at the ramp's
 * target, with the gains and steps that find_pieces()'s general loop
 * gives them (velocity, the slot's value, the master's @m and @fade
 * multiplied in that order), without its search. */
static inline void
ramp_under_way (Pieces *p, const FzRamp *slot, uint64_t start, uint64_t end, float velocity,
                float m, float fade)
{
  const uint64_t mid = slot->end < end ? slot->end : end;
  const float first = velocity * ramp_value_at (slot, start) * m * fade;
  const float last = velocity * ramp_value_at (slot, mid) * m * fade;
  const float step = (last - first) / (float) (mid - start);

  p->cut[1] = mid;
  p->gain[0] = first + step * 0.0f;
  p->step[0] = step;
  p->n_cuts = 2;
  if (mid == end)
    return;
  /* Past the ramp's end: the same product again, so its step is
   * (last - last) / frames, +0 for a finite gain. */
  p->cut[2] = end;
  p->gain[1] = last + 0.0f * 0.0f;
  p->step[1] = 0.0f;
  p->n_cuts = 3;
}

/* @voice's pieces over the period: the period's cuts and its slot
 * ramp's ends within it, merged, with each piece's gain and step as
 * render_settled() (a settled slot) or render_voice() (a ramping one)
 * works them out: the same products in the same order.  Written out
 * plainly (no shifting of arrays, no search for the master's cuts): a
 * general form cost some 300 instructions a voice. */
static void
find_pieces (const FzMixer *mixer, const FzPeriodCuts *period, const FzVoice *voice,
             Pieces *p)
{
  const FzRamp *slot = &mixer->slots[voice->slot].gain;
  const uint32_t n_cuts = period->n_cuts;
  const uint64_t start = period->cut[0];
  const float velocity = voice->velocity, fade = voice->fade.target;
  float master[MAX_CUTS];
  uint64_t ends[2];
  uint32_t n = 1, s;
  float first;

  p->cut[0] = start;
  p->piece = 0;
  if (slot->end <= start)
    {
      /* Settled: the period's pieces, at scale times the master's. */
      float scale = velocity * slot->target;

      first = scale * period->master[0] * fade;
      for (uint32_t k = 1; k < n_cuts; k++)
        {
          float last = scale * period->master[k] * fade;
          float step = first == last
                         ? 0.0f : (last - first) / (float) (period->cut[k] - period->cut[k - 1]);

          p->cut[k] = period->cut[k];
          /* play_span()'s first gain: gain + step * 0, its done frames. */
          p->gain[k - 1] = first + step * 0.0f;
          p->step[k - 1] = step;
          first = last;
        }
      p->n_cuts = n_cuts;
      return;
    }
  /* Ramping under a settled master: the period has no cuts of its own,
   * and the master's gain is its target at each of the slot ramp's ends
   * (as ramp_value_at() gives it below). */
  if (mixer->master.end <= start)
    {
      const uint64_t end = period->cut[n_cuts - 1];
      const float m = mixer->master.target;

      if (slot->start <= start)
        {
          ramp_under_way (p, slot, start, end, velocity, m, fade);
          return;
        }
      if (slot->start != slot->end && slot->start > start && slot->start < end)
        p->cut[n++] = slot->start;
      if (slot->end > start && slot->end < end)
        p->cut[n++] = slot->end;
      p->cut[n++] = end;
      p->n_cuts = n;
      first = velocity * ramp_value_at (slot, start) * m * fade;
      for (uint32_t k = 1; k < n; k++)
        {
          float last = velocity * ramp_value_at (slot, p->cut[k]) * m * fade;
          float step = (last - first) / (float) (p->cut[k] - p->cut[k - 1]);

          p->gain[k - 1] = first + step * 0.0f;
          p->step[k - 1] = step;
          first = last;
        }
      return;
    }
  /* Ramping: its ends inside the period merged into the period's cuts
   * (an end at a cut or past the period's end cuts nothing). */
  master[0] = period->master[0];
  ends[0] = slot->start;
  ends[1] = slot->end;
  s = ends[0] == ends[1];
  while (s < 2 && ends[s] <= start)
    s++;
  for (uint32_t m = 1; m < n_cuts;)
    {
      uint64_t c = period->cut[m];

      if (s < 2 && ends[s] < c)
        {
          p->cut[n] = ends[s];
          master[n++] = ramp_value_at (&mixer->master, ends[s++]);
          continue;
        }
      if (s < 2 && ends[s] == c)
        s++;
      p->cut[n] = c;
      master[n++] = period->master[m++];
    }
  p->n_cuts = n;
  first = velocity * ramp_value_at (slot, start) * master[0] * fade;
  for (uint32_t k = 1; k < n; k++)
    {
      float last = velocity * ramp_value_at (slot, p->cut[k]) * master[k] * fade;
      float step = (last - first) / (float) (p->cut[k] - p->cut[k - 1]);

      p->gain[k - 1] = first + step * 0.0f;
      p->step[k - 1] = step;
      first = last;
    }
}

/* Mixes the @count voices of @p over the period, stretch by stretch
 * between any of their cuts. */
static void
mix_batch (const FzMixer *mixer, float *out, Pieces *p, uint32_t count)
{
  const uint32_t channels = mixer->channels;
  uint64_t start = p[0].cut[0], end = p[0].cut[p[0].n_cuts - 1], t = start;
  /* Zeroed: GCC cannot see that the kernel reads only the @count filled. */
  const float *in[BATCH] = { 0 };
  float gain[BATCH] = { 0 }, step[BATCH] = { 0 }, offset[BATCH] = { 0 };

  while (t < end)
    {
      uint64_t e = end;
      bool offsets = false, ramps = false;
      size_t done = (size_t) (t - start);

      for (uint32_t v = 0; v < count; v++)
        {
          Pieces *q = &p[v];
          uint32_t piece = q->piece;

          while (q->cut[piece + 1] <= t)
            piece++;
          q->piece = piece;
          e = q->cut[piece + 1] < e ? q->cut[piece + 1] : e;
          in[v] = q->in + done * channels;
          gain[v] = q->gain[piece];
          step[v] = q->step[piece];
          offsets |= t != q->cut[piece];
          ramps |= step[v] != 0.0f;
        }
      /* Only a voice whose piece began before this stretch has an offset:
       * the frames of the piece it has played. */
      if (offsets)
        for (uint32_t v = 0; v < count; v++)
          offset[v] = (float) (int64_t) (t - p[v].cut[p[v].piece]);
      /* A stretch where no gain moves: the settled voices' kernel, whose
       * plain gain is the full path's constant kernel's. */
      if (!ramps)
        mixer->kernels->voices (out + done * channels, (size_t) (e - t) * channels, in, gain,
                                count);
      else
        mixer->kernels->voices_ramp (out + done * channels, (size_t) (e - t), channels, in,
                                     gain, step, offsets ? offset : NULL, count);
      t = e;
    }
}

uint32_t
fz_mixer_render_ramped (FzMixer *mixer, float *out, size_t frames, const FzPeriodCuts *period,
                        bool skip_settled, uint32_t i, uint32_t *kept)
{
  const uint64_t start = period->cut[0];
  const uint32_t channels = mixer->channels, n_voices = mixer->n_voices;
  FzVoice *const voices = mixer->voices;
  Pieces pieces[BATCH];
  uint32_t k = *kept, b = 0;

  for (; i < n_voices; i++)
    {
      FzVoice *voice = &voices[i];
      Span span;

      if ((skip_settled && voice->settled == mixer->epoch) || !takes_ramped (voice, start))
        break;
      span = voice_span (&mixer->slots[voice->slot], voice);
      /* A wrap or an end within the period: the full path. */
      if (voice->position + frames >= span.end)
        break;
      /* As render_voice() settles a voice whose slot's gain is settled. */
      if (mixer->slots[voice->slot].gain.end <= start)
        settle (mixer, voice, &span);
      find_pieces (mixer, period, voice, &pieces[b]);
      pieces[b].in = span.data + voice->position * channels;
      voice->position += frames;
      if (++b == BATCH)
        {
          mix_batch (mixer, out, pieces, b);
          b = 0;
        }
      /* Packed as render_voices() packs them. */
      if (k++ != i)
        voices[k - 1] = *voice;
    }
  if (b > 0)
    mix_batch (mixer, out, pieces, b);
  *kept = k;
  return i;
}
