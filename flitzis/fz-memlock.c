/* fz-memlock.c: keeping samples in RAM, see fz-memlock.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A page fault on the audio thread (a sample's page swapped out, or never
 * touched since it was decoded) is a wait inside the callback: mlock()
 * keeps the pages resident.  The kernel counts locked pages, not locks:
 * a page shared by two samples' allocations (small ones, from the heap)
 * is unlocked when the first of them goes, so at most the two end pages
 * of a sample may become pageable again; samples of more than a few pages
 * are allocated whole by mmap() and share no page.
 */
#include "config.h"

#include <sys/mman.h>

#include "fz-memlock.h"

static gsize locked_bytes;      /* atomic */

static gsize
peaks_bytes (const FzSample *sample)
{
  return sample->peaks != NULL ? sample->peaks->bytes : 0;
}

/* Called on the thread that frees @sample (core/fz-sample.c). */
static void
unlock_sample (FzSample *sample)
{
  munlock (sample, fz_sample_block_size (sample));
  g_atomic_pointer_add (&locked_bytes, -(gssize) fz_sample_block_size (sample));
  if (sample->peaks_locked)
    {
      munlock (sample->peaks, peaks_bytes (sample));
      g_atomic_pointer_add (&locked_bytes, -(gssize) peaks_bytes (sample));
    }
}

gboolean
fz_memlock_block (FzSample *sample)
{
  static gsize installed;

  if (g_once_init_enter (&installed))
    {
      fz_sample_set_unlock_func (unlock_sample);
      g_once_init_leave (&installed, 1);
    }
  if (sample->locked)
    return TRUE;
  if (mlock (sample, fz_sample_block_size (sample)) != 0)
    return FALSE;
  sample->locked = true;
  g_atomic_pointer_add (&locked_bytes, (gssize) fz_sample_block_size (sample));
  return TRUE;
}

gboolean
fz_memlock_sample (FzSample *sample)
{
  if (!fz_memlock_block (sample))
    return FALSE;
  if (sample->peaks == NULL || sample->peaks_locked)
    return TRUE;
  if (mlock (sample->peaks, peaks_bytes (sample)) != 0)
    {
      /* All or nothing, as SampleInfo's memory-locked says. */
      munlock (sample, fz_sample_block_size (sample));
      g_atomic_pointer_add (&locked_bytes, -(gssize) fz_sample_block_size (sample));
      sample->locked = false;
      return FALSE;
    }
  sample->peaks_locked = true;
  g_atomic_pointer_add (&locked_bytes, (gssize) peaks_bytes (sample));
  return TRUE;
}

gsize
fz_memlock_locked_bytes (void)
{
  return (gsize) g_atomic_pointer_get (&locked_bytes);
}
