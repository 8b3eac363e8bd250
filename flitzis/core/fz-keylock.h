/* fz-keylock.h: the mixer's stretched voices (key lock and pitch), see fz-stretch.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Audio thread, from the mixer (fz-mixer.c) and the core's commands.
 */
#pragma once

#include "fz-mixer.h"
#include "fz-msg.h"
#include "fz-stretch.h"

/* FzSlot.key_lock */
#define FZ_KEY_LOCK_DEFAULT 0u  /* the engine's key-lock property */
#define FZ_KEY_LOCK_OFF 1u
#define FZ_KEY_LOCK_ON 2u

/* Whether a new voice of @slot needs a stretcher. */
bool     fz_keylock_wanted (const FzMixer *mixer, uint32_t slot);
/* A stretcher for a voice of @slot starting at source frame @position, or
 * NULL (none wanted, or none free: fz_keylock_wanted() tells which): the
 * one primed ahead for it (fz_keylock_prepare()), else a free one, else
 * one primed ahead for another trigger. */
FzVoiceStretch *fz_keylock_claim (FzMixer *mixer, uint32_t slot, size_t position);
/* @voice has ended: its stretcher is free again. */
void     fz_keylock_release (FzVoice *voice);
/* A trigger of @slot may start: it needs no stretcher, or one is free
 * (else it is dropped, as when every voice is busy). */
bool     fz_keylock_can_start (const FzMixer *mixer, uint32_t slot);
/* Mixes up to @frames frames of a stretched voice into @out, frame f at
 * @gain + @step * (f + 1), as the mixer's play_span() does; its source
 * wraps from @end to @loop_start when @loops.  Returns the frames played:
 * fewer once its stretcher has drained (the voice has ended). */
size_t   fz_keylock_play (FzMixer *mixer, FzVoice *voice, bool loops, size_t loop_start,
                          size_t end, float *out, size_t frames, float gain, float step);
/* Priming ahead.  A stretched voice's first period costs several
 * periods' work (its stretcher's pad, delay and look-ahead), and a
 * downbeat that launches eight key-locked loops would overrun its period
 * priming eight.  So the core primes, in the periods before, a stretcher
 * for each waiting trigger of a slot that needs one, one a period
 * (fz-core.c), and the trigger's voice starts with it primed: the same
 * calls into the stretcher, made earlier, so the same output.
 *
 * Whether a stretcher could be primed ahead for a trigger of @slot: it
 * needs one, has a sample, has none primed ahead yet, and one is free. */
bool     fz_keylock_can_prepare (const FzMixer *mixer, uint32_t slot);
/* Primes a free stretcher for @slot's trigger at stream frame @frame, if
 * fz_keylock_can_prepare(). */
void     fz_keylock_prepare (FzMixer *mixer, uint32_t slot, uint64_t frame);
/* Frees the stretcher primed ahead for @slot, if any: its sample or its
 * loop changed (a load, set_loop), so what it was fed is not the slot's. */
void     fz_keylock_forget (FzMixer *mixer, uint32_t slot);
/* Frees the stretchers primed ahead for triggers before stream frame
 * @frame that no voice claimed (the trigger was cancelled or dropped). */
void     fz_keylock_expire (FzMixer *mixer, uint64_t frame);
/* The key-lock commands (FZ_CMD_SET_KEY_LOCK, FZ_CMD_SET_PITCH,
 * FZ_CMD_SET_KEY_LOCK_DEFAULT, FZ_CMD_SET_STRETCH_POOL). */
void     fz_keylock_apply (FzMixer *mixer, const FzMsg *command);

/* Whether @voice has played its sample to the end (a stretched voice: and
 * its stretcher has drained). */
static inline bool
fz_keylock_finished (const FzVoice *voice)
{
  if (__builtin_expect (voice->stretch != NULL, 0))
    return voice->stretch->drained;
  return voice->position >= voice->sample->frames;
}

