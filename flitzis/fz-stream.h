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

/* How fz_stream_close() went. */
typedef enum {
  FZ_STREAM_CLOSED,             /* stopped, closed and freed */
  FZ_STREAM_NOT_STOPPED,        /* PortAudio could not stop it: kept, its callback may run */
  FZ_STREAM_ABANDONED,          /* the back-end did not return in time: its thread is left behind */
} FzStreamClosed;

/* PortAudio, once per process: it is initialised when first needed and
 * terminated when its last user goes.  Every engine is a user while it
 * exists (hold at init, release at finalize), so that its runs and
 * device listings share one initialisation.  Any control thread; neither
 * blocks for longer than 2 s. */
void        fz_stream_backend_hold (void);
void        fz_stream_backend_release (void);

/* Opens (without starting) a float32 stream on the requested device, or on
 * the default output, through the requested back-end.  AUTO: a PipeWire
 * server with a sink (of the requested name, if one is named) plays
 * natively (fz-pipewire.h); else a JACK server's physical playback ports
 * (or its client of that name) through libjack, when a server runs and
 * has them; else PortAudio's default output (or its device of that
 * name).  A PortAudio stream is a user of PortAudio until it is closed. */
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
 * then every output device PortAudio finds (JACK's host API left out),
 * then a running JACK server's clients with playback ports. */
GListModel *fz_stream_list_output_devices (GError **error);
/* Before the stream starts: a MIDI input port, read in the audio thread
 * (core/fz-midi-in.h); FALSE with @error on a back-end without one (only
 * JACK has it). */
gboolean    fz_stream_enable_midi (FzStream *stream, GError **error);
/* A started stream with a MIDI port: connects @port_name to it. */
gboolean    fz_stream_connect_midi (FzStream *stream, const char *port_name, GError **error);
/* Starts calling fz_core_process (@core) once a period.  The core must
 * outlive the stream. */
gboolean    fz_stream_start (FzStream *stream, FzCore *core, GError **error);
/* A started PortAudio stream the watchdog found stalled: its callback
 * thread writes its stderr to /dev/null from now on, and runs at
 * SCHED_IDLE (fz-silence.h), before the stream is closed.  FALSE, doing
 * nothing, for other back-ends (their threads are the server's client
 * library's, blocked, not spinning), before the first callback, and when
 * the thread does not answer within 100 ms. */
gboolean    fz_stream_silence (FzStream *stream);
/* Aborts (waiting for a running callback to return), closes, and frees,
 * on a thread of its own, waiting at most 2 s for it.  Unless it returns
 * FZ_STREAM_CLOSED the callback may still run, or run again, and the core
 * must not be freed. */
FzStreamClosed fz_stream_close (FzStream *stream);
