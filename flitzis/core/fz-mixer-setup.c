/* fz-mixer-setup.c: a mixer's set-up and what others ask of it, see fz-mixer.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fz_mixer_init*() run on the control thread; the queries on any thread
 * that drives the core (fz_mixer_get_voices_dropped(): any thread).
 */

#include <stddef.h>
#include <string.h>

#include "fz-counter.h"
#include "fz-mixer.h"

void
fz_mixer_init_tables (FzMixer *mixer, uint32_t channels, uint32_t sample_rate,
                      FzSlot *slots, uint32_t n_slots, FzVoice *voices, uint32_t max_voices)
{
  uint32_t ramp_frames = (uint32_t) ((uint64_t) sample_rate * FZ_RAMP_MS / 1000u);

  memset (mixer, 0, offsetof (FzMixer, default_slots));
  mixer->channels = channels;
  mixer->ramp_frames = ramp_frames > 0 ? ramp_frames : 1;
  mixer->slots = slots;
  mixer->n_slots = n_slots;
  mixer->voices = voices;
  mixer->max_voices = max_voices;
  mixer->speed = 1.0;
  mixer->sample_rate = sample_rate;
  fz_varispeed_init ();
  mixer->master = (FzRamp) { .from = 1.0f, .target = 1.0f };
  /* No voice is settled at it yet (fz-mixer-settled.c). */
  mixer->epoch = 1;
  fz_mixer_set_path (mixer, FZ_MIX_PATH_AUTO);
  for (uint32_t i = 0; i < n_slots; i++)
    slots[i] = (FzSlot) { .speed = 1.0, .gain = { .from = 1.0f, .target = 1.0f } };
  atomic_init (&mixer->voices_dropped, 0);
}

void
fz_mixer_init (FzMixer *mixer, uint32_t channels, uint32_t sample_rate)
{
  fz_mixer_init_tables (mixer, channels, sample_rate, mixer->default_slots, FZ_MAX_SLOTS,
                        mixer->default_voices, FZ_MAX_VOICES);
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
