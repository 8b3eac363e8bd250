/* fz-pipewire-graph.c: the nodes and ports of a PipeWire server, to link
 * them, see fz-pipewire-graph.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fz-pipewire-graph.h"

struct FzPwGraph {
  struct pw_registry *registry;
  struct spa_hook listener;
  GHashTable *nodes;             /* global id → node.name */
  GPtrArray *ports;              /* of GHashTable copies of the ports' properties */
};

/* The thread loop's thread (or its holder): one global. */
static void
on_global (void *data, uint32_t id, uint32_t permissions, const char *type, uint32_t version,
           const struct spa_dict *props)
{
  FzPwGraph *graph = data;
  const char *name;
  GHashTable *port;
  const struct spa_dict_item *item;

  (void) permissions; (void) version;
  if (props == NULL)
    return;
  if (g_str_equal (type, PW_TYPE_INTERFACE_Node) &&
      (name = spa_dict_lookup (props, PW_KEY_NODE_NAME)) != NULL)
    g_hash_table_insert (graph->nodes, GUINT_TO_POINTER (id), g_strdup (name));
  if (!g_str_equal (type, PW_TYPE_INTERFACE_Port))
    return;
  port = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  spa_dict_for_each (item, props)
    g_hash_table_insert (port, g_strdup (item->key), g_strdup (item->value));
  g_hash_table_insert (port, g_strdup (PW_KEY_OBJECT_ID), g_strdup_printf ("%u", id));
  g_ptr_array_add (graph->ports, port);
}

static const struct pw_registry_events graph_events = {
  PW_VERSION_REGISTRY_EVENTS,
  .global = on_global,
};

FzPwGraph *
fz_pw_graph_new (struct pw_core *core)
{
  FzPwGraph *graph = g_new0 (FzPwGraph, 1);

  graph->nodes = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  graph->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  graph->registry = pw_core_get_registry (core, PW_VERSION_REGISTRY, 0);
  pw_registry_add_listener (graph->registry, &graph->listener, &graph_events, graph);
  return graph;
}

void
fz_pw_graph_free (FzPwGraph *graph)
{
  spa_hook_remove (&graph->listener);
  pw_proxy_destroy ((struct pw_proxy *) graph->registry);
  g_hash_table_unref (graph->nodes);
  g_ptr_array_unref (graph->ports);
  g_free (graph);
}

static const char *
node_name (FzPwGraph *graph, GHashTable *port)
{
  const char *node = g_hash_table_lookup (port, PW_KEY_NODE_ID);

  return node != NULL ? g_hash_table_lookup (graph->nodes,
                                             GUINT_TO_POINTER (strtoul (node, NULL, 10)))
                      : NULL;
}

/* Whether @port is what @query asks for; NULL fields match anything. */
static gboolean
port_matches (FzPwGraph *graph, GHashTable *port, const FzPwPortQuery *query)
{
  const char *format = g_hash_table_lookup (port, PW_KEY_FORMAT_DSP);
  const char *node = g_hash_table_lookup (port, PW_KEY_NODE_ID);
  const char *name = g_hash_table_lookup (port, PW_KEY_PORT_NAME);
  g_autofree char *full_name = NULL;

  if (g_strcmp0 (g_hash_table_lookup (port, PW_KEY_PORT_DIRECTION), query->direction) != 0 ||
      node == NULL || name == NULL)
    return FALSE;
  if (query->format != NULL && (format == NULL || strstr (format, query->format) == NULL))
    return FALSE;
  if (query->node_id != PW_ID_ANY && strtoul (node, NULL, 10) != query->node_id)
    return FALSE;
  if (query->node_name != NULL && g_strcmp0 (node_name (graph, port), query->node_name) != 0)
    return FALSE;
  if (query->channel != NULL &&
      g_strcmp0 (g_hash_table_lookup (port, PW_KEY_AUDIO_CHANNEL), query->channel) != 0)
    return FALSE;
  if (query->full_name == NULL)
    return TRUE;
  full_name = g_strdup_printf ("%s:%s", node_name (graph, port), name);
  return g_str_equal (full_name, query->full_name) ||
         g_strcmp0 (g_hash_table_lookup (port, PW_KEY_PORT_ALIAS), query->full_name) == 0;
}

GHashTable *
fz_pw_graph_find_port (FzPwGraph *graph, const FzPwPortQuery *query)
{
  for (guint i = 0; i < graph->ports->len; i++)
    if (port_matches (graph, g_ptr_array_index (graph->ports, i), query))
      return g_ptr_array_index (graph->ports, i);
  return NULL;
}

struct pw_properties *
fz_pw_graph_link_properties (GHashTable *output, GHashTable *input)
{
  return pw_properties_new (PW_KEY_LINK_OUTPUT_NODE, g_hash_table_lookup (output, PW_KEY_NODE_ID),
                            PW_KEY_LINK_OUTPUT_PORT, g_hash_table_lookup (output, PW_KEY_OBJECT_ID),
                            PW_KEY_LINK_INPUT_NODE, g_hash_table_lookup (input, PW_KEY_NODE_ID),
                            PW_KEY_LINK_INPUT_PORT, g_hash_table_lookup (input, PW_KEY_OBJECT_ID),
                            NULL);
}
