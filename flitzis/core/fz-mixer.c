/* fz-mixer.c: block mixer, see fz-mixer.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A sample is stored in the stream's own layout, so mixing a voice into a
 * period is one contiguous multiply-add over frames * channels floats: no
 * per-frame voice loop, no channel logic on the audio thread.
 */
#include "config.h"

#include <string.h>

#include "fz-counter.h"
#include "fz-mixer.h"

void
fz_mixer_init (FzMixer *mixer, uint32_t channels)
{
  memset (mixer, 0, sizeof (*mixer));
  mixer->channels = channels;
  atomic_init (&mixer->voices_dropped, 0);
}

FzTriggerResult
fz_mixer_trigger (FzMixer *mixer, uint32_t slot, float gain)
{
  const FzSample *sample = slot < FZ_MAX_SLOTS ? mixer->slots[slot] : NULL;
  FzVoice *voice;

  if (sample == NULL)
    return FZ_TRIGGER_EMPTY_SLOT;
  if (mixer->n_voices == FZ_MAX_VOICES)
    {
      fz_counter_increment (&mixer->voices_dropped);
      return FZ_TRIGGER_DROPPED;
    }
  voice = &mixer->voices[mixer->n_voices++];
  voice->sample = sample;
  voice->position = 0;
  voice->gain = gain;
  return FZ_TRIGGER_STARTED;
}

static void
mix_add (float *restrict out, const float *restrict in, size_t n, float gain)
{
  for (size_t i = 0; i < n; i++)
    out[i] += in[i] * gain;
}

/* Mixes what is left of @voice into @out; returns false once it has ended. */
static bool
render_voice (FzVoice *voice, float *out, size_t frames, uint32_t channels)
{
  const FzSample *sample = voice->sample;
  size_t left = sample->frames - voice->position;
  size_t n = left < frames ? left : frames;

  mix_add (out, sample->data + voice->position * channels, n * channels, voice->gain);
  voice->position += n;
  return voice->position < sample->frames;
}

void
fz_mixer_render (FzMixer *mixer, float *out, size_t frames)
{
  uint32_t kept = 0;

  memset (out, 0, frames * mixer->channels * sizeof (float));
  for (uint32_t i = 0; i < mixer->n_voices; i++)
    {
      if (render_voice (&mixer->voices[i], out, frames, mixer->channels))
        mixer->voices[kept++] = mixer->voices[i];
    }
  mixer->n_voices = kept;
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
