/* fz-memlock.h: keeping samples in RAM while the audio thread reads them
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs on control threads only (loading threads, and whichever thread
 * frees a sample), never on the audio thread.
 */
#pragma once

#include <glib.h>

#include "core/fz-sample.h"

/* Locks @sample's frames and peak pyramid in RAM (mlock()), so that
 * reading them on the audio thread never waits for a page to come back
 * from swap.  Call once the sample is complete, before it is published.
 * FALSE when the system refuses (RLIMIT_MEMLOCK, no CAP_IPC_LOCK): the
 * sample still plays, unlocked.  It is unlocked again when it is freed. */
gboolean fz_memlock_sample (FzSample *sample);
/* Locks @sample's block alone (header and frames), before the loader
 * decodes into it (fz-loader.c): the same call faults its pages in.
 * fz_memlock_sample() then adds the peak pyramid.  FALSE as above. */
gboolean fz_memlock_block (FzSample *sample);
/* Bytes of sample memory locked now, process-wide. */
gsize    fz_memlock_locked_bytes (void);
