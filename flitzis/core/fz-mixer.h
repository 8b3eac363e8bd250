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
/* Gain changes and stop fades take this long, so that they never click. */
#define FZ_RAMP_MS 5u

/* A gain moving linearly from @from to @target over @length frames. */
typedef struct {
  float from;
  float target;
  uint32_t position;        /* frames of the ramp done; == length when settled */
  uint32_t length;
} FzRamp;

typedef struct {
  FzSample *sample;         /* the audio thread's reference, or NULL */
  FzRamp gain;
  bool loop;
  size_t loop_start;
  size_t loop_end;          /* 0: the sample's end */
} FzSlot;

/* What a voice played since the meters last measured it (fz-meter.c):
 * source frames [start, end) at a gain of at most gain (velocity, slot
 * gain and stop fade; not the master's). */
typedef struct {
  size_t start;
  size_t end;
  float gain;
  float next_gain;          /* this period's, set before its spans are played */
} FzMeterRun;

typedef struct {
  const FzSample *sample;   /* borrowed from a slot's (or a retiring) reference */
  uint32_t slot;
  uint32_t delay;           /* silent frames before its first one, next period only */
  size_t position;          /* next frame to play */
  float velocity;
  bool stopping;
  uint32_t fade_left;       /* while stopping: frames until silent */
  FzMeterRun meter;
} FzVoice;

/* The mixing kernels: the same bits from each, at different speeds. */
typedef enum {
  FZ_MIX_PATH_SCALAR,       /* plain C, one sample at a time: the reference */
  FZ_MIX_PATH_VEC128,       /* 128-bit vectors (SSE2 on x86-64, the baseline) */
  FZ_MIX_PATH_AVX2,         /* 256-bit AVX2, where the CPU has it */
  FZ_MIX_PATH_AUTO,         /* the fastest this CPU runs (fz_mixer_init()'s choice) */
} FzMixPath;

typedef struct FzMixKernels FzMixKernels;
typedef struct FzMeter FzMeter;

typedef enum {
  FZ_TRIGGER_STARTED,
  FZ_TRIGGER_EMPTY_SLOT,    /* nothing loaded: ignored */
  FZ_TRIGGER_DROPPED,       /* all voices busy: the new trigger is dropped */
} FzTriggerResult;

/* Called during fz_mixer_render() when a voice has ended; @offset is the
 * frame of the period just after its last one. */
typedef void (*FzVoiceEndedFunc) (void *data, uint32_t slot, uint32_t offset);

typedef struct {
  uint32_t channels;
  uint32_t ramp_frames;
  const FzMixKernels *kernels;
  FzSlot slots[FZ_MAX_SLOTS];
  FzRamp master;
  /* Active voices are kept packed in voices[0 .. n_voices-1], oldest first,
   * so that the mix order (and so every rounding) is deterministic. */
  FzVoice voices[FZ_MAX_VOICES];
  uint32_t n_voices;
  FzMeter *meter;                 /* NULL while the meters are off (fz-meter.h) */
  FzVoiceEndedFunc voice_ended;   /* may be NULL */
  void *voice_ended_data;
  /* Written by the audio thread only, read by anyone. */
  atomic_uint_fast64_t voices_dropped;
} FzMixer;

void            fz_mixer_init (FzMixer *mixer, uint32_t channels, uint32_t sample_rate);
/* Starts slot @slot @delay frames into the next rendered period. */
FzTriggerResult fz_mixer_trigger (FzMixer *mixer, uint32_t slot, float velocity, uint32_t delay);
/* Fades out the voices of @slot (FZ_ALL_SLOTS: every voice). */
void            fz_mixer_stop (FzMixer *mixer, uint32_t slot);
/* Ramps the gain of @slot (FZ_MASTER: the master's) to @gain. */
void            fz_mixer_set_gain (FzMixer *mixer, uint32_t slot, float gain);
/* Before the mixer runs: sets a gain at once, without a ramp. */
void            fz_mixer_preset_gain (FzMixer *mixer, uint32_t slot, float gain);
void            fz_mixer_set_loop (FzMixer *mixer, uint32_t slot, bool loop,
                                   size_t start, size_t end);
/* Overwrites @out with @frames interleaved frames of the mix. */
void            fz_mixer_render (FzMixer *mixer, float *out, size_t frames);
bool            fz_mixer_is_playing (const FzMixer *mixer, const FzSample *sample);
uint64_t        fz_mixer_get_voices_dropped (FzMixer *mixer);
/* Control thread: chooses the kernels (tests and benchmarks compare them);
 * false, changing nothing, when this CPU or build lacks them. */
bool            fz_mixer_set_path (FzMixer *mixer, FzMixPath path);
/* "scalar", "vec128" or "avx2". */
const char     *fz_mixer_get_path_name (const FzMixer *mixer);
