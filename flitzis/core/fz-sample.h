/* fz-sample.h: an immutable decoded sample
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Float32 interleaved frames at the stream's rate and channel count, in one
 * allocation with its header.  Written once by the loader, then only read.
 * The reference count is touched by control threads only: the audio thread
 * borrows a reference that travels to it inside an FZ_CMD_LOAD message and
 * hands it back inside FZ_REPLY_RETIRE, so it never frees anything.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fz-msg.h"
#include "fz-peaks.h"

/* The shape of some audio: a file's, or a decoded sample's. */
typedef struct {
  uint64_t frames;
  uint32_t channels;
  uint32_t rate;
} FzSampleFormat;

struct FzSample {
  atomic_uint ref_count;
  uint32_t channels;
  uint32_t rate;
  size_t frames;        /* frames of audio in data */
  float *data;          /* frames * channels floats, 64-byte aligned */
  /* The peak pyramid of data (waveforms, meters), owned, or NULL: built by
   * fz_sample_build_peaks() on the loading thread before the sample is
   * published, freed with it. */
  FzPeaks *peaks;
  /* Its block is locked in RAM (mlock(), by the control side's
   * fz-memlock.c), and its peaks too: unlocked before it is freed. */
  bool locked;
  bool peaks_locked;
};

/* Allocates header and @frames * @channels floats at once (uninitialised).
 * NULL when the size overflows or memory is short. */
FzSample *fz_sample_new (size_t frames, uint32_t channels, uint32_t rate);
/* Bytes the sample takes: header, frames and peak pyramid. */
size_t    fz_sample_memory_size (const FzSample *sample);
/* Control thread, before the sample is shared: builds its peak pyramid
 * from its frames as they are now.  False when memory is short (the
 * sample then has none, and meters read its frames instead). */
bool      fz_sample_build_peaks (FzSample *sample);
/* The one allocation holding the header and the frames: where it starts
 * (the sample itself) and how many bytes it has. */
size_t    fz_sample_block_size (const FzSample *sample);
/* Called with a locked sample just before its memory is freed, on the
 * (control) thread that frees it; set once by the library, which may call
 * into the system there (munlock()): the audio thread never frees. */
typedef void (*FzSampleUnlockFunc) (FzSample *sample);
void      fz_sample_set_unlock_func (FzSampleUnlockFunc func);
FzSample *fz_sample_ref (FzSample *sample);
void      fz_sample_unref (FzSample *sample);
/* Samples allocated and not yet freed, process-wide: tests use it to prove
 * that every buffer is freed exactly once. */
size_t    fz_sample_live_count (void);

/* Tests only; the library never sets it.  When set, it is called with each
 * sample just before its memory is freed, on the thread that frees it:
 * tests use it to count the frees of each buffer and to prove that none
 * happens on the audio thread. */
typedef void (*FzSampleFreeHook) (const FzSample *sample);
void      fz_sample_set_free_hook (FzSampleFreeHook hook);
