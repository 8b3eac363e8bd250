/* fz-pipewire-graph.h: the nodes and ports of a PipeWire server, to link
 * them
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Nobody else links the engine's filter (fz-pipewire.c): WirePlumber
 * links streams (adapters), not a filter's ports, and a private server
 * may have no session manager at all.  A graph is a registry of the
 * filter's own connection, filled as the server tells its globals (after
 * a core sync, everything it had); each port is kept as a table of its
 * properties, plus "object.id".  Made, read and freed with the thread
 * loop's lock held.
 */
#pragma once

#include <glib.h>
#include <pipewire/pipewire.h>

G_BEGIN_DECLS

typedef struct FzPwGraph FzPwGraph;

/* What a port must have; NULL (or PW_ID_ANY) matches anything. */
typedef struct {
  const char *direction;         /* "in" or "out", required */
  const char *format;            /* a part of format.dsp: "midi", "audio" */
  guint32 node_id;
  const char *node_name;
  const char *channel;           /* audio.channel */
  const char *full_name;         /* "node.name:port.name", or port.alias */
} FzPwPortQuery;

FzPwGraph  *fz_pw_graph_new (struct pw_core *core);
void        fz_pw_graph_free (FzPwGraph *graph);
/* The first port matching @query (borrowed), or NULL. */
GHashTable *fz_pw_graph_find_port (FzPwGraph *graph, const FzPwPortQuery *query);
/* The link factory's properties for a link from @output to @input. */
struct pw_properties *fz_pw_graph_link_properties (GHashTable *output, GHashTable *input);

G_END_DECLS
