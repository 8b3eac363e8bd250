/* fz-stream.h: the PortAudio output stream that drives an engine core
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Opened, started and closed on a control thread; its callback runs on
 * PortAudio's audio thread and does nothing but fz_core_process().
 */
#pragma once

#include <glib.h>

#include "core/fz-core.h"

typedef struct FzStream FzStream;

/* Initialises PortAudio and opens (without starting) a float32 stream on
 * @device_name, or on the default output when it is NULL: the JACK host
 * API's default output when a JACK server runs, else PortAudio's. */
FzStream   *fz_stream_open (const char *device_name, GError **error);
guint       fz_stream_get_sample_rate (FzStream *stream);
guint       fz_stream_get_channels (FzStream *stream);
const char *fz_stream_get_device_name (FzStream *stream);
/* Starts calling fz_core_process (@core) once a period.  The core must
 * outlive the stream. */
gboolean    fz_stream_start (FzStream *stream, FzCore *core, GError **error);
/* Stops (waiting for a running callback to return), closes, and frees.
 * Returns FALSE, and frees nothing, if PortAudio could not stop it: then
 * the callback may still run, and the core must not be freed either. */
gboolean    fz_stream_close (FzStream *stream);
