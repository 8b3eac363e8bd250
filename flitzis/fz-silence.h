/* fz-silence.h: quietening a back-end thread the engine gave up on
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Control threads only.  See fz-silence.c for how, and what it costs.
 */
#pragma once

#include <pthread.h>
#include <glib.h>

/* Makes @thread, a thread of this process that a stalled stream's
 * back-end runs and that will never be called on again (PortAudio 19.6's
 * ALSA thread spinning on a dead PipeWire daemon, writing a line to stderr
 * per turn), write its stderr to /dev/null from now on, with a file
 * descriptor table of its own, and run at SCHED_IDLE.  The rest of the
 * process keeps its stderr.  Waits at most @wait_ms for the thread to do
 * it; TRUE if it did.  FALSE, changing nothing, when it did not answer in
 * time (it blocks the signal), or FLITZIS_SILENCE_SIGNAL is 0. */
gboolean fz_silence_thread (pthread_t thread, guint wait_ms);
