/* fz-mixer.c: block mixer, see fz-mixer.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A sample is stored in the stream's own layout, so mixing a voice into a
 * period is one contiguous multiply-add over frames * channels floats: no
 * per-frame voice loop, no channel logic on the audio thread.
 *
 * Gains are computed once per voice and period: the gain at the first and
 * at the last frame the voice plays in the period, from the slot's and the
 * master's ramps and the voice's stop fade, with a straight line between.
 * A settled gain takes the plain multiply-add, and an exact 1.0 leaves the
 * sample's bits unchanged (x * 1.0f == x in IEEE arithmetic).
 */

#include <string.h>

#include "fz-counter.h"
#include "fz-meter.h"
#include "fz-mixer.h"

#define MIN_SIZE(a, b) ((a) < (b) ? (a) : (b))
#define MAX_OF(a, b) ((a) > (b) ? (a) : (b))

/* ---- ramps ---- */

static void
ramp_settle (FzRamp *ramp, float value, uint32_t length)
{
  ramp->from = value;
  ramp->target = value;
  ramp->position = length;
  ramp->length = length;
}

/* The value @offset frames after the ramp's current position.  Settled, it
 * is exactly the target. */
static float
ramp_value_at (const FzRamp *ramp, size_t offset)
{
  size_t position = ramp->position + offset;

  if (position >= ramp->length)
    return ramp->target;
  return ramp->from + (ramp->target - ramp->from) * ((float) position / (float) ramp->length);
}

static void
ramp_to (FzRamp *ramp, float target)
{
  ramp->from = ramp_value_at (ramp, 0);
  ramp->target = target;
  ramp->position = 0;
}

static void
ramp_advance (FzRamp *ramp, size_t frames)
{
  size_t left = ramp->length - ramp->position;

  ramp->position += (uint32_t) MIN_SIZE (frames, left);
}

/* ---- set-up and commands ---- */

void
fz_mixer_init (FzMixer *mixer, uint32_t channels, uint32_t sample_rate)
{
  uint32_t ramp_frames = (uint32_t) ((uint64_t) sample_rate * FZ_RAMP_MS / 1000u);

  memset (mixer, 0, sizeof (*mixer));
  mixer->channels = channels;
  mixer->ramp_frames = ramp_frames > 0 ? ramp_frames : 1;
  ramp_settle (&mixer->master, 1.0f, mixer->ramp_frames);
  fz_mixer_set_path (mixer, FZ_MIX_PATH_AUTO);
  for (uint32_t i = 0; i < FZ_MAX_SLOTS; i++)
    ramp_settle (&mixer->slots[i].gain, 1.0f, mixer->ramp_frames);
  atomic_init (&mixer->voices_dropped, 0);
}

FzTriggerResult
fz_mixer_trigger (FzMixer *mixer, uint32_t slot, float velocity, uint32_t delay)
{
  const FzSample *sample = slot < FZ_MAX_SLOTS ? mixer->slots[slot].sample : NULL;

  if (sample == NULL)
    return FZ_TRIGGER_EMPTY_SLOT;
  if (mixer->n_voices == FZ_MAX_VOICES)
    {
      fz_counter_increment (&mixer->voices_dropped);
      return FZ_TRIGGER_DROPPED;
    }
  mixer->voices[mixer->n_voices++] = (FzVoice) {
    .sample = sample, .slot = slot, .delay = delay, .velocity = velocity,
  };
  return FZ_TRIGGER_STARTED;
}

void
fz_mixer_stop (FzMixer *mixer, uint32_t slot)
{
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    {
      FzVoice *voice = &mixer->voices[i];

      if ((slot == FZ_ALL_SLOTS || voice->slot == slot) && !voice->stopping)
        {
          voice->stopping = true;
          voice->fade_left = mixer->ramp_frames;
        }
    }
}

void
fz_mixer_set_gain (FzMixer *mixer, uint32_t slot, float gain)
{
  if (slot == FZ_MASTER)
    ramp_to (&mixer->master, gain);
  else if (slot < FZ_MAX_SLOTS)
    ramp_to (&mixer->slots[slot].gain, gain);
}

void
fz_mixer_preset_gain (FzMixer *mixer, uint32_t slot, float gain)
{
  if (slot == FZ_MASTER)
    ramp_settle (&mixer->master, gain, mixer->ramp_frames);
  else if (slot < FZ_MAX_SLOTS)
    ramp_settle (&mixer->slots[slot].gain, gain, mixer->ramp_frames);
}

void
fz_mixer_set_loop (FzMixer *mixer, uint32_t slot, bool loop, size_t start, size_t end)
{
  if (slot >= FZ_MAX_SLOTS)
    return;
  mixer->slots[slot].loop = loop;
  mixer->slots[slot].loop_start = start;
  mixer->slots[slot].loop_end = end;
}

/* ---- kernels ---- */

/* The reference kernels: plain C, one sample at a time, as readable as a
 * mixer gets.  They are the definition of the mix; the vector kernels below
 * must give the same bits. */
static void
mix_constant_scalar (float *restrict out, const float *restrict in, size_t n, float gain)
{
  for (size_t i = 0; i < n; i++)
    out[i] += in[i] * gain;
}

/* Frame f gets gain + step * (f + 1): the last frame reaches the end value. */
static void
mix_ramp_scalar (float *restrict out, const float *restrict in, size_t frames,
                 uint32_t channels, float gain, float step)
{
  for (size_t f = 0; f < frames; f++)
    {
      float g = gain + step * (float) (f + 1);

      for (uint32_t c = 0; c < channels; c++)
        out[f * channels + c] += in[f * channels + c] * g;
    }
}

/* The vector kernels: 128-bit (SSE2 is the x86-64 baseline, so these need
 * no check), and, on x86, 256-bit AVX2 chosen at run time.  Not FMA: a
 * fused multiply-add rounds once instead of twice, and the output would
 * then depend on the CPU. */
#define KERNEL(name) name##_vec128
#define KERNEL_BYTES 16
#define KERNEL_TARGET
#include "fz-mixer-kernels.h"
#undef KERNEL
#undef KERNEL_BYTES
#undef KERNEL_TARGET

#if defined(__x86_64__) || defined(__i386__)
#define HAVE_AVX2_KERNELS 1
#define KERNEL(name) name##_avx2
#define KERNEL_BYTES 32
#define KERNEL_TARGET __attribute__ ((target ("avx2")))
#include "fz-mixer-kernels.h"
#undef KERNEL
#undef KERNEL_BYTES
#undef KERNEL_TARGET
#endif

struct FzMixKernels {
  const char *name;
  void (*constant) (float *restrict out, const float *restrict in, size_t n, float gain);
  void (*ramp) (float *restrict out, const float *restrict in, size_t frames,
                uint32_t channels, float gain, float step);
};

static const FzMixKernels kernels[] = {
  [FZ_MIX_PATH_SCALAR] = { "scalar", mix_constant_scalar, mix_ramp_scalar },
  [FZ_MIX_PATH_VEC128] = { "vec128", mix_constant_vec128, mix_ramp_vec128 },
#ifdef HAVE_AVX2_KERNELS
  [FZ_MIX_PATH_AVX2] = { "avx2", mix_constant_avx2, mix_ramp_avx2 },
#endif
};

bool
fz_mixer_set_path (FzMixer *mixer, FzMixPath path)
{
  switch (path)
    {
    case FZ_MIX_PATH_AUTO:
#ifdef HAVE_AVX2_KERNELS
      __builtin_cpu_init ();
      if (__builtin_cpu_supports ("avx2"))
        return fz_mixer_set_path (mixer, FZ_MIX_PATH_AVX2);
#endif
      return fz_mixer_set_path (mixer, FZ_MIX_PATH_VEC128);
    case FZ_MIX_PATH_AVX2:
#ifdef HAVE_AVX2_KERNELS
      __builtin_cpu_init ();
      if (!__builtin_cpu_supports ("avx2"))
        return false;
      break;
#else
      return false;
#endif
    case FZ_MIX_PATH_SCALAR:
    case FZ_MIX_PATH_VEC128:
      break;
    default:
      return false;
    }
  mixer->kernels = &kernels[path];
  return true;
}

const char *
fz_mixer_get_path_name (const FzMixer *mixer)
{
  return mixer->kernels->name;
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

/* Where @voice's loop ends, or 0 when it does not loop: a slot's loop
 * applies to the sample it holds, while the voice is before the loop end. */
static size_t
loop_end_of (const FzSlot *slot, const FzVoice *voice)
{
  size_t end;

  if (!slot->loop || slot->sample != voice->sample)
    return 0;
  end = slot->loop_end == 0 ? voice->sample->frames
                            : MIN_SIZE (slot->loop_end, voice->sample->frames);
  if (slot->loop_start >= end || voice->position >= end)
    return 0;
  return end;
}

/* Mixes up to @frames frames of @voice, jumping back at its loop end, with
 * frame f at gain + step * (f + 1).  Returns the frames played: fewer than
 * @frames when the sample ended. */
static size_t
play_span (FzMixer *mixer, FzVoice *voice, float *out, size_t frames, float gain, float step)
{
  const FzSlot *slot = &mixer->slots[voice->slot];
  uint32_t channels = mixer->channels;
  size_t done = 0;

  while (done < frames)
    {
      size_t loop_end = loop_end_of (slot, voice);
      size_t end = loop_end > 0 ? loop_end : voice->sample->frames;
      size_t n = MIN_SIZE (frames - done, end - voice->position);

      mix (mixer->kernels, out + done * channels, voice->sample->data + voice->position * channels,
           n, channels, gain + step * (float) done, step);
      if (mixer->meter != NULL)
        fz_meter_span (mixer->meter, voice, voice->position, n);
      done += n;
      voice->position += n;
      if (voice->position < end)
        continue;
      if (loop_end == 0)
        break;
      voice->position = slot->loop_start;
    }
  return done;
}

/* The gain of @voice @offset frames into the period, @faded frames into
 * this period's part of its fade. */
static float
voice_gain (const FzMixer *mixer, const FzVoice *voice, size_t offset, size_t faded)
{
  float gain = voice->velocity * ramp_value_at (&mixer->slots[voice->slot].gain, offset)
               * ramp_value_at (&mixer->master, offset);

  if (voice->stopping)
    gain *= (float) (voice->fade_left - faded) / (float) mixer->ramp_frames;
  return gain;
}

/* What the meters multiply the peak of @voice's frames by over this
 * period's span of @span frames after @delay: the larger end of its gain
 * without the master's (velocity, slot gain, stop fade; never negative). */
static float
meter_gain (const FzMixer *mixer, const FzVoice *voice, size_t delay, size_t span)
{
  const FzRamp *slot_gain = &mixer->slots[voice->slot].gain;
  float first = voice->velocity * ramp_value_at (slot_gain, delay);
  float last = voice->velocity * ramp_value_at (slot_gain, delay + span);

  if (voice->stopping)
    {
      first *= (float) voice->fade_left / (float) mixer->ramp_frames;
      last *= (float) (voice->fade_left - span) / (float) mixer->ramp_frames;
    }
  return MAX_OF (first, last);
}

/* Mixes @voice into the period; returns false once it has ended. */
static bool
render_voice (FzMixer *mixer, FzVoice *voice, float *out, size_t frames)
{
  size_t delay = MIN_SIZE (voice->delay, frames);
  size_t span = frames - delay;
  size_t played;
  float first, last;

  voice->delay -= (uint32_t) delay;
  if (voice->stopping)
    span = MIN_SIZE (span, voice->fade_left);
  /* A period shorter than the delay left (periods may vary in size). */
  if (span == 0)
    return true;
  first = voice_gain (mixer, voice, delay, 0);
  last = voice_gain (mixer, voice, delay + span, span);
  if (mixer->meter != NULL)
    voice->meter.next_gain = meter_gain (mixer, voice, delay, span);
  played = play_span (mixer, voice, out + delay * mixer->channels, span,
                      first, (last - first) / (float) span);
  if (voice->stopping)
    voice->fade_left -= (uint32_t) played;
  /* A voice that does not loop ends with its sample's last frame. */
  if (played == span && voice->position < voice->sample->frames &&
      !(voice->stopping && voice->fade_left == 0))
    return true;
  if (mixer->meter != NULL)
    fz_meter_flush_voice (mixer->meter, voice);
  if (mixer->voice_ended != NULL)
    mixer->voice_ended (mixer->voice_ended_data, voice->slot, (uint32_t) (delay + played));
  return false;
}

void
fz_mixer_render (FzMixer *mixer, float *out, size_t frames)
{
  uint32_t kept = 0;

  memset (out, 0, frames * mixer->channels * sizeof (float));
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    {
      /* Voices stay packed; one that has not moved is not copied. */
      if (render_voice (mixer, &mixer->voices[i], out, frames) && kept++ != i)
        mixer->voices[kept - 1] = mixer->voices[i];
    }
  mixer->n_voices = kept;
  ramp_advance (&mixer->master, frames);
  for (uint32_t i = 0; i < FZ_MAX_SLOTS; i++)
    ramp_advance (&mixer->slots[i].gain, frames);
}

bool
fz_mixer_is_playing (const FzMixer *mixer, const FzSample *sample)
{
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    if (mixer->voices[i].sample == sample)
      return true;
  return false;
}

uint64_t
fz_mixer_get_voices_dropped (FzMixer *mixer)
{
  return fz_counter_get (&mixer->voices_dropped);
}
