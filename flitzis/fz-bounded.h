/* fz-bounded.h: a back-end call on a thread of its own, waited for a
 * bounded time
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Closing a stream, or PortAudio's termination, may block for as long as
 * a frozen sound server stays frozen, or for ever (PortAudio 19.6's ALSA
 * thread spinning on a dead PipeWire).  The call runs on a thread of its
 * own; the caller waits at most a given time and, when it has not
 * returned, leaves the thread behind (counted) instead of hanging the
 * application.  Any control thread.
 */
#pragma once

#include <glib.h>

typedef gboolean (*FzBoundedFunc) (gpointer data);

/* Runs @func (@data) on a thread named @name and waits at most @wait_ms
 * for it.  Returns FALSE when it did not return in time: the thread is
 * left behind, blocked in a back-end, and @data must stay valid for it;
 * should the call ever return, the thread ends by itself.  Else *@result
 * is what @func returned. */
gboolean fz_bounded_call (const char *name, guint wait_ms, FzBoundedFunc func, gpointer data,
                          gboolean *result);
/* How many calls this process left behind. */
guint    fz_bounded_get_abandoned (void);
