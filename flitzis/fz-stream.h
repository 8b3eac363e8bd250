/* fz-stream.h: the PortAudio output stream that drives an engine core
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Opened, started and closed on a control thread; its callback runs on
 * PortAudio's audio thread and does nothing but fz_core_process().
 */
#pragma once

#include <gio/gio.h>

#include "core/fz-core.h"
#include "flitzis-backend.h"

typedef struct FzStream FzStream;

/* What run() asks of the device; 0 means the device's default. */
typedef struct {
  const char *device_name;     /* NULL: the default output */
  guint sample_rate;
  guint period_frames;
  FlitzisBackend backend;      /* AUTO: see fz_stream_open() */
} FzStreamRequest;

/* Opens (without starting) a float32 stream on the requested device, or on
 * the default output, through the requested back-end.  AUTO: a PipeWire
 * server with a sink (of the requested name, if one is named) plays
 * natively (fz-pipewire.h); else PortAudio is initialised, and the JACK
 * host API's default output is taken when a JACK server runs, else
 * PortAudio's. */
FzStream   *fz_stream_open (const FzStreamRequest *request, GError **error);
guint       fz_stream_get_sample_rate (FzStream *stream);
guint       fz_stream_get_channels (FzStream *stream);
const char *fz_stream_get_device_name (FzStream *stream);
/* What the stream plays through: never AUTO. */
FlitzisBackend fz_stream_get_backend (FzStream *stream);
/* The stream's output latency in seconds, as PortAudio reports it. */
double      fz_stream_get_latency (FzStream *stream);
/* FALSE once a started stream has stopped by itself: the device failed. */
gboolean    fz_stream_is_alive (FzStream *stream);
/* A GListModel of FlitzisDevice: the sinks of a running PipeWire server,
 * then every output device PortAudio finds. */
GListModel *fz_stream_list_output_devices (GError **error);
/* Starts calling fz_core_process (@core) once a period.  The core must
 * outlive the stream. */
gboolean    fz_stream_start (FzStream *stream, FzCore *core, GError **error);
/* Stops (waiting for a running callback to return), closes, and frees.
 * Returns FALSE, and frees nothing, if PortAudio could not stop it: then
 * the callback may still run, and the core must not be freed either. */
gboolean    fz_stream_close (FzStream *stream);
