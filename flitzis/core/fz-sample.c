/* fz-sample.c: immutable decoded sample, see fz-sample.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs on control threads only.
 */

#include <stdlib.h>

#include "fz-sample.h"

#define FZ_SAMPLE_ALIGN 64
/* The header padded so that data starts on its own aligned line. */
#define FZ_SAMPLE_HEADER ((sizeof (FzSample) + FZ_SAMPLE_ALIGN - 1) / FZ_SAMPLE_ALIGN * FZ_SAMPLE_ALIGN)
/* Bytes after the frames: libsoxr (0.1.3, Debian 12) reads 8 bytes past
 * the end of its output buffer in soxr_output() (valgrind sees it; ASan
 * does not, libsoxr is not instrumented), and the loader resamples
 * straight into the sample. */
#define FZ_SAMPLE_TAIL FZ_SAMPLE_ALIGN

static atomic_size_t live_samples;
static _Atomic (FzSampleFreeHook) free_hook;
static _Atomic (FzSampleUnlockFunc) unlock_func;

void
fz_sample_set_unlock_func (FzSampleUnlockFunc func)
{
  atomic_store (&unlock_func, func);
}

size_t
fz_sample_block_size (const FzSample *sample)
{
  return FZ_SAMPLE_HEADER + sample->frames * sample->channels * sizeof (float) + FZ_SAMPLE_TAIL;
}

void
fz_sample_set_free_hook (FzSampleFreeHook hook)
{
  atomic_store (&free_hook, hook);
}

FzSample *
fz_sample_new (size_t frames, uint32_t channels, uint32_t rate)
{
  FzSample *sample;
  void *block;
  size_t floats;

  if (channels == 0 ||
      frames > (SIZE_MAX - FZ_SAMPLE_HEADER - FZ_SAMPLE_TAIL) / sizeof (float) / channels)
    return NULL;
  floats = frames * channels;
  if (posix_memalign (&block, FZ_SAMPLE_ALIGN,
                      FZ_SAMPLE_HEADER + floats * sizeof (float) + FZ_SAMPLE_TAIL) != 0)
    return NULL;

  sample = block;
  atomic_init (&sample->ref_count, 1);
  sample->channels = channels;
  sample->rate = rate;
  sample->frames = frames;
  sample->data = (float *) ((char *) block + FZ_SAMPLE_HEADER);
  sample->peaks = NULL;
  sample->locked = false;
  sample->peaks_locked = false;
  atomic_fetch_add_explicit (&live_samples, 1, memory_order_relaxed);
  return sample;
}

FzSample *
fz_sample_ref (FzSample *sample)
{
  atomic_fetch_add_explicit (&sample->ref_count, 1, memory_order_relaxed);
  return sample;
}

void
fz_sample_unref (FzSample *sample)
{
  FzSampleFreeHook hook;

  if (sample == NULL)
    return;
  if (atomic_fetch_sub_explicit (&sample->ref_count, 1, memory_order_acq_rel) != 1)
    return;
  hook = atomic_load_explicit (&free_hook, memory_order_relaxed);
  if (hook != NULL)
    hook (sample);
  if (sample->locked)
    {
      FzSampleUnlockFunc unlock = atomic_load_explicit (&unlock_func, memory_order_relaxed);

      if (unlock != NULL)
        unlock (sample);
    }
  atomic_fetch_sub_explicit (&live_samples, 1, memory_order_relaxed);
  fz_peaks_free (sample->peaks);
  free (sample);
}

size_t
fz_sample_live_count (void)
{
  return atomic_load_explicit (&live_samples, memory_order_relaxed);
}

size_t
fz_sample_memory_size (const FzSample *sample)
{
  return FZ_SAMPLE_HEADER + sample->frames * sample->channels * sizeof (float) +
         (sample->peaks != NULL ? sample->peaks->bytes : 0);
}

bool
fz_sample_build_peaks (FzSample *sample)
{
  fz_peaks_free (sample->peaks);
  sample->peaks = fz_peaks_new (sample->data, sample->frames, sample->channels);
  return sample->peaks != NULL;
}
