/* fz-keylock.c: the mixer's stretched voices, see fz-stretch.h and fz-keylock.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Audio thread only (but fz_stretch_pool_release_all()).  No allocation:
 * the stretchers and their buffers come with the pool.
 */

#include <string.h>

#include "fz-keylock.h"
#include "fz-meter.h"
#include "fz-mixer-path.h"
#include "fz-mixer-ramps.h"

#define MIN_OF(a, b) ((a) < (b) ? (a) : (b))
/* A pull that got no frame after this many turns of its loop gives up
 * for the period (a stretcher that neither asks nor answers). */
#define MAX_TURNS 64u

void
fz_stretch_pool_release_all (FzStretchPool *pool)
{
  for (uint32_t i = 0; pool != NULL && i < pool->n; i++)
    pool->voices[i].busy = pool->voices[i].prepared = false;
}

static bool
slot_locked (const FzMixer *mixer, const FzSlot *slot)
{
  return slot->key_lock == FZ_KEY_LOCK_ON ||
         (slot->key_lock == FZ_KEY_LOCK_DEFAULT && mixer->key_lock);
}

static double
slot_pitch (const FzSlot *slot)
{
  return slot->pitch > 0.0 ? slot->pitch : 1.0;
}

/* The ratio a voice of @slot plays at now, as a resampled one would: a
 * stretched voice takes it as its stretcher's time ratio, once a period,
 * instead of being resampled. */
static double
slot_speed (const FzMixer *mixer, uint32_t slot)
{
  return fz_mixer_slot_ratio (mixer, slot, mixer->tempo_step);
}

/* The source frames a frame that a voice of @slot at @speed reads: its
 * pitch factor, times its speed unless it is key-locked. */
static double
slot_rate (const FzMixer *mixer, uint32_t slot, double speed)
{
  const FzSlot *s = &mixer->slots[slot];

  return slot_pitch (s) * (slot_locked (mixer, s) ? 1.0 : speed);
}

bool
fz_keylock_wanted (const FzMixer *mixer, uint32_t slot)
{
  const FzSlot *s = &mixer->slots[slot];

  return slot_locked (mixer, s) || slot_pitch (s) != 1.0;
}

bool
fz_keylock_can_start (const FzMixer *mixer, uint32_t slot)
{
  const FzStretchPool *pool = mixer->stretch;

  if (!fz_keylock_wanted (mixer, slot))
    return true;
  /* A stretcher primed for a trigger still to come may be taken. */
  for (uint32_t i = 0; pool != NULL && i < pool->n; i++)
    if (!pool->voices[i].busy || pool->voices[i].prepared)
      return true;
  return false;
}

/* The stretcher primed ahead for a trigger of @slot, or NULL. */
static FzVoiceStretch *
prepared_for (FzStretchPool *pool, uint32_t slot)
{
  for (uint32_t i = 0; i < pool->n; i++)
    if (pool->voices[i].prepared && pool->voices[i].prepared_slot == slot)
      return &pool->voices[i];
  return NULL;
}

static FzVoiceStretch *
first_free (FzStretchPool *pool)
{
  for (uint32_t i = 0; i < pool->n; i++)
    if (!pool->voices[i].busy)
      return &pool->voices[i];
  return NULL;
}

static FzVoiceStretch *
first_prepared (FzStretchPool *pool)
{
  for (uint32_t i = 0; i < pool->n; i++)
    if (pool->voices[i].prepared)
      return &pool->voices[i];
  return NULL;
}

FzVoiceStretch *
fz_keylock_claim (FzMixer *mixer, uint32_t slot, size_t position)
{
  FzStretchPool *pool = mixer->stretch;
  FzVoiceStretch *vs;

  if (pool == NULL || !fz_keylock_wanted (mixer, slot))
    return NULL;
  vs = prepared_for (pool, slot);
  if (vs != NULL)
    {
      /* Primed for this start (a new sample or loop forgot it), unless
       * its rate changed since: then it is primed again, as a free one is. */
      vs->prepared = false;
      vs->primed = vs->primed && vs->expected == position &&
                   vs->prepared_rate == slot_rate (mixer, slot, slot_speed (mixer, slot));
      return vs;
    }
  /* A free one, else one primed for another trigger still to come (which
   * then primes at its own frame). */
  vs = first_free (pool);
  if (vs == NULL)
    vs = first_prepared (pool);
  if (vs == NULL)
    return NULL;
  vs->busy = true;
  vs->prepared = false;
  vs->primed = false;
  return vs;
}

void
fz_keylock_release (FzVoice *voice)
{
  if (voice->stretch != NULL)
    voice->stretch->busy = false;
  voice->stretch = NULL;
}

void
fz_keylock_apply (FzMixer *mixer, const FzMsg *command)
{
  uint32_t slot = command->slot;
  double pitch;

  fz_mixer_touch (mixer);
  if (command->type == FZ_CMD_SET_KEY_LOCK && slot < mixer->n_slots &&
      command->flag <= FZ_KEY_LOCK_ON)
    mixer->slots[slot].key_lock = (uint8_t) command->flag;
  else if (command->type == FZ_CMD_SET_PITCH && slot < mixer->n_slots)
    {
      memcpy (&pitch, &command->start, sizeof pitch);
      if (pitch > 0.0)
        mixer->slots[slot].pitch = pitch;
    }
  else if (command->type == FZ_CMD_SET_KEY_LOCK_DEFAULT)
    mixer->key_lock = command->flag != 0;
  /* Set once a core, before any voice has a stretcher. */
  else if (command->type == FZ_CMD_SET_STRETCH_POOL && mixer->stretch == NULL)
    mixer->stretch = (FzStretchPool *) (uintptr_t) command->start;
}

/* A new start at source frame @position: the stretcher is reset, padded
 * with silence, and told how much of its output to throw away, so that
 * its next output frame is @position's. */
static void
prime (FzMixer *mixer, FzVoiceStretch *vs, size_t position, double ratio)
{
  const FzStretchOps *ops = mixer->stretch->ops;
  uint32_t pad;

  ops->reset (vs->stretcher);
  ops->set_time_ratio (vs->stretcher, ratio);
  vs->ratio = ratio;
  for (uint32_t c = 0; c < mixer->channels; c++)
    memset (vs->in[c], 0, FZ_STRETCH_CHUNK * sizeof (float));
  for (pad = ops->start_pad (vs->stretcher); pad > 0; )
    {
      uint32_t n = MIN_OF (pad, FZ_STRETCH_CHUNK);

      ops->process (vs->stretcher, (const float *const *) vs->in, n, false);
      pad -= n;
    }
  vs->discard = ops->start_delay (vs->stretcher);
  /* Its last frames come out only once as much silence as its pad went in
   * after them, twice over (a final input alone leaves them inside). */
  vs->tail = 2 * ops->start_pad (vs->stretcher);
  vs->read = vs->heard = (double) position;
  vs->n_ahead = 0;
  vs->final = false;
  vs->drained = false;
  vs->primed = true;
}

/* Frame @j of the source as the voice reads it: wrapped into the loop,
 * or NULL (silence) outside the sample. */
static const float *
source_frame (const FzSample *sample, int64_t j, bool loops, size_t loop_start, size_t end,
              uint32_t channels)
{
  if (j < 0)
    return NULL;
  if ((size_t) j >= end)
    {
      if (!loops)
        return NULL;
      j = (int64_t) loop_start + (j - (int64_t) end) % (int64_t) (end - loop_start);
    }
  return sample->data + (size_t) j * channels;
}

/* Writes the source at @x into frame @k of the stretcher's input: a copy
 * on a whole frame, else a Catmull-Rom cubic through its four neighbours. */
static void
read_frame (FzVoiceStretch *vs, const FzSample *sample, double x, bool loops, size_t loop_start,
            size_t end, uint32_t channels, uint32_t k)
{
  int64_t i = (int64_t) x;
  float t = (float) (x - (double) i);
  const float *p[4];

  if (t == 0.0f)
    {
      const float *f = source_frame (sample, i, loops, loop_start, end, channels);

      for (uint32_t c = 0; c < channels; c++)
        vs->in[c][k] = f != NULL ? f[c] : 0.0f;
      return;
    }
  for (int n = 0; n < 4; n++)
    p[n] = source_frame (sample, i - 1 + n, loops, loop_start, end, channels);
  for (uint32_t c = 0; c < channels; c++)
    {
      float y0 = p[0] ? p[0][c] : 0.0f, y1 = p[1] ? p[1][c] : 0.0f;
      float y2 = p[2] ? p[2][c] : 0.0f, y3 = p[3] ? p[3][c] : 0.0f;

      vs->in[c][k] = y1 + 0.5f * t * (y2 - y0 + t * (2.0f * y0 - 5.0f * y1 + 4.0f * y2 - y3
                                                    + t * (3.0f * (y1 - y2) + y3 - y0)));
    }
}

/* Feeds the stretcher what it asks for, read at @rate source frames a
 * frame; the sample's end (without a loop) is its final input. */
static void
feed (FzMixer *mixer, FzVoice *voice, bool loops, size_t loop_start, size_t end, double rate)
{
  FzVoiceStretch *vs = voice->stretch;
  const FzStretchOps *ops = mixer->stretch->ops;
  uint32_t want = ops->samples_required (vs->stretcher), n = 0;
  double length = (double) (end - loop_start);

  want = want == 0 ? FZ_STRETCH_CHUNK / 2 : MIN_OF (want, FZ_STRETCH_CHUNK);
  for (; n < want; n++)
    {
      if (vs->read >= (double) end && (!loops || length <= 0.0))
        {
          if (vs->tail == 0)
            {
              vs->final = true;
              break;
            }
          vs->tail--;
          for (uint32_t c = 0; c < mixer->channels; c++)
            vs->in[c][n] = 0.0f;
          continue;
        }
      read_frame (vs, voice->sample, vs->read, loops, loop_start, end, mixer->channels, n);
      vs->read += rate;
      /* Wrapped at once, not at the next frame: the read point may be
       * where the feed stops, and pull() makes the voice's position of it,
       * which must stay inside the loop (voice_span() plays a voice at or
       * past its loop's end on to the sample's end).  A while: a rate of
       * up to 16 frames may step over a loop shorter than that. */
      while (loops && length > 0.0 && vs->read >= (double) end)
        vs->read -= length;
    }
  ops->process (vs->stretcher, (const float *const *) vs->in, n, vs->final);
}

/* Takes @n frames out of the stretcher, interleaved into @to (the mix
 * buffer, or what it takes ahead), or thrown away (@to NULL). */
static void
take (FzMixer *mixer, FzVoiceStretch *vs, uint32_t n, float *to)
{
  uint32_t channels = mixer->channels;

  mixer->stretch->ops->retrieve (vs->stretcher, vs->out, n);
  if (to == NULL)
    return;
  for (uint32_t f = 0; f < n; f++)
    for (uint32_t c = 0; c < channels; c++)
      to[(size_t) f * channels + c] = vs->out[c][f];
}

/* @n output frames at @speed have been taken: the source frame heard
 * moves on as far, wrapped into the loop, or held at the sample's end
 * while the stretcher's tail comes out (the meters read the sample up to
 * it). */
static void
hear (FzVoiceStretch *vs, uint32_t n, double speed, bool loops, size_t loop_start, size_t end)
{
  double length = (double) (end - loop_start);

  vs->heard += (double) n * speed;
  if (vs->heard < (double) end)
    return;
  if (loops && length > 0.0)
    vs->heard -= length * (double) (1 + (uint64_t) ((vs->heard - (double) end) / length));
  else
    vs->heard = (double) end;
}

/* Throws away as much of the stretcher's delay as is ready, of @ready
 * frames. */
static void
throw_away (FzMixer *mixer, FzVoiceStretch *vs, uint32_t ready)
{
  uint32_t n = MIN_OF (ready, MIN_OF (vs->discard, FZ_STRETCH_CHUNK));

  take (mixer, vs, n, NULL);
  vs->discard -= n;
}

/* Ahead of its voice.  Voices started together would do their hops in
 * the same periods and leave the periods between idle.  So each stretcher
 * takes output ahead of its voice, as many frames as its lead, which its
 * place in the pool spreads over one output hop of Rubber Band's short
 * window (512 frames): their hops fall in different periods.  Its place
 * bit-reversed, so that the first few stretchers, which few voices take,
 * spread as evenly as all 16.  Frames are taken out, and input fed when
 * none is ready, as pull() does, only sooner: the same calls into the
 * stretcher, so the same output. */
static uint32_t
lead_of (const FzStretchPool *pool, const FzVoiceStretch *vs)
{
  static const uint8_t spread[16] = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 };

  _Static_assert (FZ_STRETCH_VOICES == 16, "spread[] has a place a stretcher");
  return spread[vs - pool->voices] * FZ_STRETCH_AHEAD / FZ_STRETCH_VOICES;
}

/* Takes output into vs->ahead until it holds the stretcher's lead. */
static void
run_ahead (FzMixer *mixer, FzVoice *voice, bool loops, size_t loop_start, size_t end, double rate)
{
  FzVoiceStretch *vs = voice->stretch;
  const FzStretchOps *ops = mixer->stretch->ops;
  uint32_t lead = lead_of (mixer->stretch, vs);

  for (uint32_t turn = 0; vs->n_ahead < lead && vs->discard == 0 && turn < MAX_TURNS; turn++)
    {
      int ready = ops->available (vs->stretcher);

      if (ready > 0)
        {
          uint32_t n = MIN_OF ((uint32_t) ready, lead - vs->n_ahead);

          take (mixer, vs, n, vs->ahead + (size_t) vs->n_ahead * mixer->channels);
          vs->n_ahead += n;
        }
      else if (ready < 0 || vs->final)
        return;
      else
        feed (mixer, voice, loops, loop_start, end, rate);
    }
}

/* Moves up to @frames of what was taken ahead into the mix buffer;
 * returns how many. */
static uint32_t
take_ahead (FzMixer *mixer, FzVoiceStretch *vs, uint32_t frames)
{
  uint32_t n = MIN_OF (vs->n_ahead, frames), channels = mixer->channels;

  memcpy (vs->mix, vs->ahead, (size_t) n * channels * sizeof (float));
  memmove (vs->ahead, vs->ahead + (size_t) n * channels,
           (size_t) (vs->n_ahead - n) * channels * sizeof (float));
  vs->n_ahead -= n;
  return n;
}

static size_t
pull (FzMixer *mixer, FzVoice *voice, bool loops, size_t loop_start, size_t end,
                 size_t frames)
{
  FzVoiceStretch *vs = voice->stretch;
  const FzStretchOps *ops = mixer->stretch->ops;
  double speed = slot_speed (mixer, voice->slot);
  double rate = slot_rate (mixer, voice->slot, speed);
  double ratio = rate / speed;
  bool fresh = !vs->primed || voice->position != vs->expected;
  size_t got = 0, before;
  uint32_t empty = 0;

  /* Not started yet, or moved (a seek, a loop change): start again there. */
  if (fresh)
    prime (mixer, vs, voice->position, ratio);
  before = (size_t) vs->heard;
  if (ratio != vs->ratio)
    {
      ops->set_time_ratio (vs->stretcher, ratio);
      vs->ratio = ratio;
    }
  if (vs->n_ahead > 0)
    {
      got = take_ahead (mixer, vs, (uint32_t) frames);
      hear (vs, (uint32_t) got, speed, loops, loop_start, end);
    }
  for (uint32_t turn = 0; got < frames && !vs->drained && turn < MAX_TURNS; turn++)
    {
      int ready = ops->available (vs->stretcher);

      if (ready < 0)
        vs->drained = true;
      else if (ready > 0 && vs->discard > 0)
        throw_away (mixer, vs, (uint32_t) ready);
      else if (ready > 0)
        {
          uint32_t n = (uint32_t) MIN_OF ((size_t) ready, frames - got);

          take (mixer, vs, n, vs->mix + got * mixer->channels);
          got += n;
          hear (vs, n, speed, loops, loop_start, end);
        }
      else if (vs->final)
        {
          /* Told it is the end, it has nothing more: done. */
          if (++empty > 16)
            vs->drained = true;
          ops->process (vs->stretcher, (const float *const *) vs->in, 0, true);
        }
      else
        feed (mixer, voice, loops, loop_start, end, rate);
    }
  /* Not in the period that primed it, which costs enough. */
  if (!fresh && got == frames)
    run_ahead (mixer, voice, loops, loop_start, end, rate);
  voice->position = vs->read < (double) voice->sample->frames ? (size_t) vs->read
                                                               : voice->sample->frames;
  vs->expected = voice->position;
  /* The meters measure what is heard (a playhead behind what the
   * stretcher has read by its delay); a loop's wrap starts a new run. */
  if (mixer->meter != NULL && (size_t) vs->heard > before)
    fz_meter_span (mixer->meter, voice, before, (size_t) vs->heard - before);
  return got;
}

/* ---- primed ahead ---- */

/* Primes @vs for a voice of @slot from its start, and runs it until its
 * delay has been thrown away and its first frame waits: a new voice's
 * first period of work, done before its trigger's period. */
static void
warm_up (FzMixer *mixer, FzVoiceStretch *vs, uint32_t slot)
{
  const FzSlot *s = &mixer->slots[slot];
  const FzStretchOps *ops = mixer->stretch->ops;
  double speed = slot_speed (mixer, slot), rate = slot_rate (mixer, slot, speed);
  FzVoice ghost = {
    .sample = s->sample, .slot = slot, .position = fz_mixer_start_frame (mixer, slot),
    .stretch = vs,
  };
  Span span = voice_span (s, &ghost);

  prime (mixer, vs, ghost.position, rate / speed);
  for (uint32_t turn = 0; turn < MAX_TURNS; turn++)
    {
      int ready = ops->available (vs->stretcher);

      if (ready < 0 || (ready > 0 && vs->discard == 0) || (ready == 0 && vs->final))
        break;
      if (ready > 0)
        throw_away (mixer, vs, (uint32_t) ready);
      else
        feed (mixer, &ghost, span.loops, span.loop_start, span.end, rate);
    }
  run_ahead (mixer, &ghost, span.loops, span.loop_start, span.end, rate);
  /* The voice that claims it starts there: pull() goes on, unprimed. */
  vs->expected = ghost.position;
  vs->prepared_rate = rate;
}

bool
fz_keylock_can_prepare (const FzMixer *mixer, uint32_t slot)
{
  FzStretchPool *pool = mixer->stretch;

  return pool != NULL && slot < mixer->n_slots && mixer->slots[slot].sample != NULL &&
         fz_keylock_wanted (mixer, slot) && prepared_for (pool, slot) == NULL &&
         first_free (pool) != NULL;
}

void
fz_keylock_prepare (FzMixer *mixer, uint32_t slot, uint64_t frame)
{
  FzVoiceStretch *vs;

  if (!fz_keylock_can_prepare (mixer, slot) || (vs = first_free (mixer->stretch)) == NULL)
    return;
  vs->busy = true;
  warm_up (mixer, vs, slot);
  vs->prepared = true;
  vs->prepared_slot = slot;
  vs->prepared_frame = frame;
}

void
fz_keylock_forget (FzMixer *mixer, uint32_t slot)
{
  FzVoiceStretch *vs = mixer->stretch != NULL ? prepared_for (mixer->stretch, slot) : NULL;

  if (vs != NULL)
    vs->busy = vs->prepared = false;
}

void
fz_keylock_expire (FzMixer *mixer, uint64_t frame)
{
  FzStretchPool *pool = mixer->stretch;

  for (uint32_t i = 0; pool != NULL && i < pool->n; i++)
    if (pool->voices[i].prepared && pool->voices[i].prepared_frame < frame)
      pool->voices[i].busy = pool->voices[i].prepared = false;
}

size_t
fz_keylock_play (FzMixer *mixer, FzVoice *voice, bool loops, size_t loop_start, size_t end,
                 float *out, size_t frames, float gain, float step)
{
  uint32_t channels = mixer->channels;
  size_t done = 0;

  while (done < frames)
    {
      size_t want = MIN_OF (frames - done, FZ_STRETCH_CHUNK);
      size_t n = pull (mixer, voice, loops, loop_start, end, want);
      float first = gain + step * (float) (int64_t) done;

      if (step == 0.0f)
        mixer->kernels->constant (out + done * channels, voice->stretch->mix, n * channels, first);
      else
        mixer->kernels->ramp (out + done * channels, voice->stretch->mix, n, channels, first, step);
      done += n;
      if (n < want)
        break;
    }
  return done;
}
