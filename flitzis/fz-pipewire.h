/* fz-pipewire.h: playing into a PipeWire server through libpipewire
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A native PipeWire output: a pw_stream of 32-bit float frames at the
 * graph's rate, whose process callback runs in PipeWire's real-time data
 * thread (PW_STREAM_FLAG_RT_PROCESS) and does nothing but
 * fz_core_process() into the buffer it dequeues.  The session manager
 * (WirePlumber) links it to the sink asked for, or to the default one.
 * With MIDI (fz_pipewire_enable_midi()) the node is a pw_filter instead:
 * its audio ports and a MIDI input port on one node, read in one cycle;
 * the engine links the filter's audio ports to the sink itself
 * (fz-pipewire-graph.h), and a MIDI source to its port when asked.
 *
 * Opened, started and closed on a control thread.  The stream has a
 * connection of its own; when the server goes away (or the sink it was
 * asked to play into), fz_pipewire_is_alive() turns FALSE, closing still
 * works, and the next open connects afresh.
 */
#pragma once

#include <gio/gio.h>

#include "core/fz-core.h"

G_BEGIN_DECLS

typedef struct FzPipewire FzPipewire;

/* Whether a PipeWire server answers in this process's environment and
 * has at least one sink (named @device_name, when not NULL). */
gboolean    fz_pipewire_available (const char *device_name);
/* Appends the sinks of a running PipeWire server to @store, as
 * FlitzisDevice, its default sink marked; FALSE when there are none. */
gboolean    fz_pipewire_list_sinks (GListStore *store);
/* Connects and prepares a stream to the sink named @device_name (its
 * node.description or node.name; NULL: the default sink) of at most
 * @max_channels channels.  @sample_rate 0: the graph's rate;
 * @period_frames 0: the graph's quantum, else asked for as node.latency. */
FzPipewire *fz_pipewire_open (const char *device_name, guint max_channels, guint sample_rate,
                              guint period_frames, GError **error);
guint       fz_pipewire_get_sample_rate (FzPipewire *pipewire);
guint       fz_pipewire_get_channels (FzPipewire *pipewire);
double      fz_pipewire_get_latency (FzPipewire *pipewire);
/* The sink's node.description. */
const char *fz_pipewire_get_device_name (FzPipewire *pipewire);
/* Connects the stream and waits until it streams; the core must outlive
 * the stream. */
gboolean    fz_pipewire_start (FzPipewire *pipewire, FzCore *core, GError **error);
/* Before fz_pipewire_start(): the node becomes a pw_filter with the audio
 * output ports and a MIDI input port, "midi_in", read in the data thread
 * in the cycle it renders (core/fz-midi-in.h). */
gboolean    fz_pipewire_enable_midi (FzPipewire *pipewire, GError **error);
/* Started, with MIDI: links the MIDI output port @port_name
 * ("node.name:port.name", or its port.alias) to "midi_in". */
gboolean    fz_pipewire_connect_midi (FzPipewire *pipewire, const char *port_name,
                                      GError **error);
/* FALSE once the server, or the sink, has gone. */
gboolean    fz_pipewire_is_alive (FzPipewire *pipewire);
/* Stops (the data thread is done with the callback when this returns),
 * disconnects, frees. */
void        fz_pipewire_close (FzPipewire *pipewire);

G_END_DECLS
