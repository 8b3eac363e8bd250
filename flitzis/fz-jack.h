/* fz-jack.h: playing into a JACK server through libjack itself
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * PortAudio 19.6's JACK back-end cannot outlive its server: once the server
 * is gone, closing the stream makes it fail an assertion (pa_jack.c,
 * CleanUpStream: jack_port_unregister) and abort the whole process.  So the
 * devices PortAudio lists under the JACK host API are played here instead,
 * with a JACK client of the engine's own, which survives its server: the
 * stream is reported lost, closed without aborting, and run() works again
 * once a server is back.
 *
 * Opened, started and closed on a control thread; the process callback
 * runs on JACK's real-time thread and does nothing but fz_core_process()
 * and copying its output into the port buffers.
 */
#pragma once

#include <gio/gio.h>

#include "core/fz-core.h"

typedef struct FzJack FzJack;

/* Why fz_jack_open() failed: the caller may then try another back-end. */
typedef enum {
  FZ_JACK_FAILED,               /* a server runs and refused: @error says why */
  FZ_JACK_NO_SERVER,            /* no JACK server runs */
  FZ_JACK_NO_PORTS,             /* one runs, without the playback ports asked for */
} FzJackFailure;

/* The name PortAudio gives the JACK host API; JACK devices carry it. */
#define FZ_JACK_HOST_API_NAME "JACK Audio Connection Kit"

/* Connects to the default JACK server and prepares ports that will feed the
 * input ports of the JACK client @device_name (NULL: the physical playback
 * ports), at most @max_channels of them.  @period_frames: frames per
 * fz_core_process() call, 0 for the server's period.  On failure, @failure
 * (may be NULL) says which kind. */
FzJack     *fz_jack_open (const char *device_name, guint max_channels, guint sample_rate,
                          guint period_frames, FzJackFailure *failure, GError **error);
/* Appends a FlitzisDevice to @store for every client of the running JACK
 * server with audio input ports (the physical ones' client is the
 * default); appends nothing when no server runs. */
void        fz_jack_list_devices (GListStore *store);
guint       fz_jack_get_sample_rate (FzJack *jack);
/* The client the outputs feed ("system" for a server's physical ports). */
const char *fz_jack_get_device_name (FzJack *jack);
guint       fz_jack_get_channels (FzJack *jack);
double      fz_jack_get_latency (FzJack *jack);
/* Before fz_jack_start(): registers the MIDI input port "midi_in", whose
 * events each cycle passes to the core at their offsets before it renders. */
gboolean    fz_jack_enable_midi (FzJack *jack, GError **error);
/* Connects the JACK MIDI output port @port_name to the MIDI input port. */
gboolean    fz_jack_connect_midi (FzJack *jack, const char *port_name, GError **error);
/* Starts calling fz_core_process (@core); the core must outlive the client. */
gboolean    fz_jack_start (FzJack *jack, FzCore *core, GError **error);
/* FALSE once the server has gone. */
gboolean    fz_jack_is_alive (FzJack *jack);
/* Stops (waiting for a running callback to return), closes, frees. */
void        fz_jack_close (FzJack *jack);
