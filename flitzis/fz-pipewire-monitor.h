/* fz-pipewire-monitor.h: the sinks of a PipeWire server, as a list
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A monitor is a PipeWire client of its own (its own pw_loop, context and
 * connection) that watches the server's registry: every node of media
 * class "Audio/Sink", its input ports (its channels), and the "default"
 * metadata (which sink the session manager made the default).  It keeps
 * them as a GListStore of FlitzisDevice, named by node.description, the
 * name the desktop's sound settings show.
 *
 * Two uses, both on one control thread (the one that made the monitor):
 * - a snapshot: fz_pw_monitor_new(), fz_pw_monitor_wait() until the
 *   server has told everything it had, read, fz_pw_monitor_free();
 * - live: fz_pw_monitor_attach() puts the loop into a GMainContext, whose
 *   thread then changes the store (items-changed) as sinks come and go,
 *   and reconnects when the server restarts.
 */
#pragma once

#include <gio/gio.h>

#include "flitzis-device.h"

G_BEGIN_DECLS

typedef struct FzPwMonitor FzPwMonitor;

typedef struct {
  guint32 id;                   /* the node's global id */
  char *name;                   /* node.name */
  char *description;            /* node.description (node.name if none) */
  guint channels;               /* input ports */
  FlitzisDevice *device;        /* NULL until the store holds it */
} FzPwSink;

/* Connects to the PipeWire server this process's environment names
 * (PIPEWIRE_RUNTIME_DIR, XDG_RUNTIME_DIR); NULL with @error set to
 * FLITZIS_ENGINE_ERROR_NO_DEVICE when none answers. */
FzPwMonitor   *fz_pw_monitor_new (GError **error);
/* Iterates the monitor's loop until everything the server had when the
 * monitor connected is known, for @timeout_ms at most.  FALSE with @error
 * set when the server went away or did not answer in time. */
gboolean       fz_pw_monitor_wait (FzPwMonitor *monitor, guint timeout_ms, GError **error);
/* The graph's default rate and quantum (default.clock.*), 0 if unknown. */
guint          fz_pw_monitor_get_rate (FzPwMonitor *monitor);
guint          fz_pw_monitor_get_quantum (FzPwMonitor *monitor);
/* The sinks the store holds, in its order; borrowed. */
GPtrArray     *fz_pw_monitor_get_sinks (FzPwMonitor *monitor);
/* The sink whose node.description or node.name is @name; NULL (any
 * name): the default sink, else the first one; NULL if none matches. */
const FzPwSink *fz_pw_monitor_find (FzPwMonitor *monitor, const char *name);
/* The sinks' descriptions, quoted and comma-separated, for messages. */
char          *fz_pw_monitor_list_names (FzPwMonitor *monitor);
/* The store of FlitzisDevice (borrowed; it lives as long as the monitor,
 * or longer with a reference). */
GListStore    *fz_pw_monitor_get_store (FzPwMonitor *monitor);
/* Live: from now on the monitor runs in @context, and follows the server
 * (reconnecting after a restart).  Returns the store (transfer full); the
 * monitor then belongs to it and is freed with it, which must happen in
 * @context's thread. */
GListModel    *fz_pw_monitor_attach (FzPwMonitor *monitor, GMainContext *context);
/* Live and the caller's: a monitor that runs in @context from the start,
 * made in (and freed with fz_pw_monitor_free() in) @context's thread.
 * With no server running it waits for one, as after a restart.  NULL
 * only when libpipewire cannot make a context. */
FzPwMonitor   *fz_pw_monitor_new_live (GMainContext *context);
void           fz_pw_monitor_free (FzPwMonitor *monitor);

/* Once per process, before any other libpipewire call (any thread). */
void           fz_pw_init (void);
/* pw_context_new(), one at a time in the process (any control thread). */
struct pw_context;
struct pw_loop;
struct pw_properties;
struct pw_context *fz_pw_context_new (struct pw_loop *loop, struct pw_properties *properties);

G_END_DECLS
