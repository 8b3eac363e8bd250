/* fz-mixer.h: sample slots and voices, mixed in blocks
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs on the audio thread (or on whichever single thread
 * drives an engine core), except fz_mixer_init().  No allocation, no locks,
 * no system calls.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fz-sample.h"

#define FZ_MAX_SLOTS 32u
#define FZ_MAX_VOICES 32u

typedef struct {
  const FzSample *sample;   /* borrowed from a slot's (or a retiring) reference */
  size_t position;          /* next frame to play */
  float gain;
} FzVoice;

typedef enum {
  FZ_TRIGGER_STARTED,
  FZ_TRIGGER_EMPTY_SLOT,    /* nothing loaded: ignored */
  FZ_TRIGGER_DROPPED,       /* all voices busy: the new trigger is dropped */
} FzTriggerResult;

typedef struct {
  uint32_t channels;
  FzSample *slots[FZ_MAX_SLOTS];    /* the audio thread's references */
  /* Active voices are kept packed in voices[0 .. n_voices-1], oldest first,
   * so that the mix order (and so every rounding) is deterministic. */
  FzVoice voices[FZ_MAX_VOICES];
  uint32_t n_voices;
  /* Written by the audio thread only, read by anyone. */
  atomic_uint_fast64_t voices_dropped;
} FzMixer;

void            fz_mixer_init (FzMixer *mixer, uint32_t channels);
FzTriggerResult fz_mixer_trigger (FzMixer *mixer, uint32_t slot, float gain);
/* Overwrites @out with @frames interleaved frames of the mix. */
void            fz_mixer_render (FzMixer *mixer, float *out, size_t frames);
bool            fz_mixer_is_playing (const FzMixer *mixer, const FzSample *sample);
uint64_t        fz_mixer_get_voices_dropped (FzMixer *mixer);
