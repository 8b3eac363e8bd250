/* fz-pipewire-monitor.c: the sinks of a PipeWire server, see
 * fz-pipewire-monitor.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs on the thread that made the monitor (pw_loop_enter()
 * makes the loop that thread's): the registry's events are read when that
 * thread iterates the loop, in fz_pw_monitor_wait() or in the main
 * context's source.  A sink is put into the store only after the server
 * has answered a sync sent when it (or its last port) appeared, and once
 * it has ports, so that its channel count is known by then.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>
#include <spa/utils/json.h>

#include "flitzis-device-private.h"
#include "flitzis-engine-error.h"
#include "flitzis-i18n-private.h"
#include "fz-pipewire-monitor.h"
#include "fz-tsan.h"

/* How often a live monitor tries again when its server has gone. */
#define FZ_PW_RECONNECT_MS 100

struct FzPwMonitor {
  struct pw_loop *loop;
  struct pw_context *context;
  struct pw_core *core;
  struct pw_registry *registry;
  struct pw_metadata *metadata;       /* the "default" metadata, bound */
  struct spa_hook core_listener;
  struct spa_hook registry_listener;
  struct spa_hook metadata_listener;
  guint32 metadata_id;
  GPtrArray *sinks;                   /* FzPwSink *: published ones first, in store order */
  GHashTable *port_nodes;             /* port id -> node id, of the ports counted */
  GListStore *store;                  /* strong until attached, then weak */
  char *default_sink;                 /* node.name, from the metadata */
  guint rate;
  guint quantum;
  int sync_seq;                       /* the last sync sent */
  gboolean synced;                    /* the server answered it */
  gboolean lost;                      /* the connection broke */
  GSource *source;                    /* live: the loop in the main context */
  GSource *retry;                     /* live: reconnecting */
};

void
fz_pw_init (void)
{
  static gsize initialised;

  if (g_once_init_enter (&initialised))
    {
      pw_init (NULL, NULL);
      g_once_init_leave (&initialised, 1);
    }
}

/* Any control thread: pw_context_new() names the client's user with
 * getpwuid(), whose answer is libc's one static buffer: two contexts made
 * at once (the main thread listing sinks while a reconnect opens the
 * stream) write it together.  The library makes its contexts one at a
 * time; ThreadSanitizer saw the race (make check-tsan). */
struct pw_context *
fz_pw_context_new (struct pw_loop *loop, struct pw_properties *properties)
{
  static GMutex making;
  struct pw_context *context;

  fz_mutex_lock (&making);
  context = pw_context_new (loop, properties, 0);
  fz_mutex_unlock (&making);
  return context;
}

/* ---- the sinks ---- */

static void
sink_free (gpointer data)
{
  FzPwSink *sink = data;

  g_free (sink->name);
  g_free (sink->description);
  g_clear_object (&sink->device);
  g_free (sink);
}

static FzPwSink *
find_sink_by_id (FzPwMonitor *monitor, guint32 id, guint *index)
{
  for (guint i = 0; i < monitor->sinks->len; i++)
    {
      FzPwSink *sink = g_ptr_array_index (monitor->sinks, i);

      if (sink->id == id)
        {
          if (index != NULL)
            *index = i;
          return sink;
        }
    }
  return NULL;
}

static FlitzisDevice *
describe (FzPwMonitor *monitor, FzPwSink *sink)
{
  double rate = monitor->rate;
  double latency = rate > 0 ? monitor->quantum / rate : 0.0;

  return _flitzis_device_new (sink->description, "PipeWire", sink->channels, rate, latency,
                              g_strcmp0 (sink->name, monitor->default_sink) == 0);
}

/* The sinks that appeared before the last sync the server answered, and
 * have ports, go into the store.  The published sinks are the first ones
 * of the array, in the store's order: a sink published now moves up to
 * the end of them. */
static void
publish_sinks (FzPwMonitor *monitor)
{
  guint published = 0, first_new;
  g_autoptr (GPtrArray) added = g_ptr_array_new ();

  while (published < monitor->sinks->len &&
         ((FzPwSink *) g_ptr_array_index (monitor->sinks, published))->device != NULL)
    published++;
  first_new = published;
  for (guint i = published; i < monitor->sinks->len; i++)
    {
      FzPwSink *sink = g_ptr_array_index (monitor->sinks, i);

      /* Not before its ports: the session manager configures a new
       * sink's ports a moment after the sink appears. */
      if (sink->channels == 0)
        continue;
      sink->device = describe (monitor, sink);
      g_ptr_array_add (added, sink->device);
      g_ptr_array_steal_index (monitor->sinks, i);
      g_ptr_array_insert (monitor->sinks, (gint) published++, sink);
    }
  if (added->len > 0 && monitor->store != NULL)
    g_list_store_splice (monitor->store, first_new, 0, added->pdata, added->len);
}

/* The default sink changed: the devices whose is-default flipped are
 * replaced. */
static void
refresh_defaults (FzPwMonitor *monitor)
{
  for (guint i = 0; i < monitor->sinks->len; i++)
    {
      FzPwSink *sink = g_ptr_array_index (monitor->sinks, i);
      gboolean is_default = g_strcmp0 (sink->name, monitor->default_sink) == 0;

      if (sink->device == NULL || flitzis_device_get_is_default (sink->device) == is_default)
        continue;
      g_object_unref (sink->device);
      sink->device = describe (monitor, sink);
      if (monitor->store != NULL)
        g_list_store_splice (monitor->store, i, 1, (gpointer *) &sink->device, 1);
    }
}

static void
remove_sink (FzPwMonitor *monitor, guint index)
{
  FzPwSink *sink = g_ptr_array_index (monitor->sinks, index);

  if (sink->device != NULL && monitor->store != NULL)
    g_list_store_remove (monitor->store, index);
  g_ptr_array_remove_index (monitor->sinks, index);
}

/* ---- PipeWire's events (the monitor's thread) ---- */

static void
request_sync (FzPwMonitor *monitor)
{
  monitor->synced = FALSE;
  monitor->sync_seq = pw_core_sync (monitor->core, PW_ID_CORE, monitor->sync_seq);
}

static void
on_core_info (void *data, const struct pw_core_info *info)
{
  FzPwMonitor *monitor = data;
  const char *rate, *quantum;

  if (info->props == NULL)
    return;
  rate = spa_dict_lookup (info->props, "default.clock.rate");
  quantum = spa_dict_lookup (info->props, "default.clock.quantum");
  if (rate != NULL)
    monitor->rate = (guint) g_ascii_strtoull (rate, NULL, 10);
  if (quantum != NULL)
    monitor->quantum = (guint) g_ascii_strtoull (quantum, NULL, 10);
}

static void
on_core_done (void *data, uint32_t id, int seq)
{
  FzPwMonitor *monitor = data;

  if (id != PW_ID_CORE || seq != monitor->sync_seq)
    return;
  monitor->synced = TRUE;
  publish_sinks (monitor);
}

static void
on_core_error (void *data, uint32_t id, int seq, int res, const char *message)
{
  FzPwMonitor *monitor = data;

  (void) seq; (void) message;
  if (id == PW_ID_CORE && res == -EPIPE)
    monitor->lost = TRUE;
}

static const struct pw_core_events core_events = {
  PW_VERSION_CORE_EVENTS,
  .info = on_core_info,
  .done = on_core_done,
  .error = on_core_error,
};

/* The name in a "default.audio.sink" value, {"name":"..."}. */
static char *
parse_default_name (const char *json)
{
  struct spa_json iter, object;
  char key[64], value[1024];

  if (json == NULL)
    return NULL;
  spa_json_init (&iter, json, strlen (json));
  if (spa_json_enter_object (&iter, &object) <= 0)
    return NULL;
  while (spa_json_get_string (&object, key, sizeof key) > 0)
    {
      if (strcmp (key, "name") == 0)
        return spa_json_get_string (&object, value, sizeof value) > 0 ? g_strdup (value) : NULL;
      if (spa_json_next (&object, &(const char *) { NULL }) <= 0)
        return NULL;
    }
  return NULL;
}

static int
on_metadata_property (void *data, uint32_t subject, const char *key, const char *type,
                      const char *value)
{
  FzPwMonitor *monitor = data;

  (void) type;
  if (subject != PW_ID_CORE || (key != NULL && strcmp (key, "default.audio.sink") != 0))
    return 0;
  g_free (monitor->default_sink);
  monitor->default_sink = key != NULL ? parse_default_name (value) : NULL;
  refresh_defaults (monitor);
  return 0;
}

static const struct pw_metadata_events metadata_events = {
  PW_VERSION_METADATA_EVENTS,
  .property = on_metadata_property,
};

static void
add_node (FzPwMonitor *monitor, guint32 id, const struct spa_dict *props)
{
  const char *media_class = spa_dict_lookup (props, PW_KEY_MEDIA_CLASS);
  const char *name = spa_dict_lookup (props, PW_KEY_NODE_NAME);
  const char *description = spa_dict_lookup (props, PW_KEY_NODE_DESCRIPTION);
  FzPwSink *sink;

  if (g_strcmp0 (media_class, "Audio/Sink") != 0 || name == NULL)
    return;
  sink = g_new0 (FzPwSink, 1);
  sink->id = id;
  sink->name = g_strdup (name);
  sink->description = g_strdup (description != NULL ? description : name);
  g_ptr_array_add (monitor->sinks, sink);
  request_sync (monitor);
}

static void
add_port (FzPwMonitor *monitor, guint32 id, const struct spa_dict *props)
{
  const char *direction = spa_dict_lookup (props, PW_KEY_PORT_DIRECTION);
  const char *node = spa_dict_lookup (props, PW_KEY_NODE_ID);
  FzPwSink *sink;

  if (g_strcmp0 (direction, "in") != 0 || node == NULL)
    return;
  sink = find_sink_by_id (monitor, (guint32) g_ascii_strtoull (node, NULL, 10), NULL);
  /* A published device is immutable: ports added later do not count. */
  if (sink == NULL || sink->device != NULL)
    return;
  sink->channels++;
  g_hash_table_insert (monitor->port_nodes, GUINT_TO_POINTER (id), GUINT_TO_POINTER (sink->id));
  request_sync (monitor);
}

static void
add_metadata (FzPwMonitor *monitor, guint32 id, const struct spa_dict *props)
{
  if (monitor->metadata != NULL || g_strcmp0 (spa_dict_lookup (props, "metadata.name"), "default") != 0)
    return;
  monitor->metadata = pw_registry_bind (monitor->registry, id, PW_TYPE_INTERFACE_Metadata,
                                        PW_VERSION_METADATA, 0);
  if (monitor->metadata == NULL)
    return;
  monitor->metadata_id = id;
  pw_metadata_add_listener (monitor->metadata, &monitor->metadata_listener, &metadata_events,
                            monitor);
  request_sync (monitor);
}

static void
on_global (void *data, uint32_t id, uint32_t permissions, const char *type, uint32_t version,
           const struct spa_dict *props)
{
  FzPwMonitor *monitor = data;

  (void) permissions; (void) version;
  if (props == NULL)
    return;
  if (strcmp (type, PW_TYPE_INTERFACE_Node) == 0)
    add_node (monitor, id, props);
  else if (strcmp (type, PW_TYPE_INTERFACE_Port) == 0)
    add_port (monitor, id, props);
  else if (strcmp (type, PW_TYPE_INTERFACE_Metadata) == 0)
    add_metadata (monitor, id, props);
}

static void
forget_metadata (FzPwMonitor *monitor)
{
  if (monitor->metadata == NULL)
    return;
  spa_hook_remove (&monitor->metadata_listener);
  pw_proxy_destroy ((struct pw_proxy *) monitor->metadata);
  monitor->metadata = NULL;
}

static void
on_global_remove (void *data, uint32_t id)
{
  FzPwMonitor *monitor = data;
  guint index;

  if (find_sink_by_id (monitor, id, &index) != NULL)
    remove_sink (monitor, index);
  else if (monitor->metadata != NULL && id == monitor->metadata_id)
    {
      forget_metadata (monitor);
      g_clear_pointer (&monitor->default_sink, g_free);
      refresh_defaults (monitor);
    }
  g_hash_table_remove (monitor->port_nodes, GUINT_TO_POINTER (id));
}

static const struct pw_registry_events registry_events = {
  PW_VERSION_REGISTRY_EVENTS,
  .global = on_global,
  .global_remove = on_global_remove,
};

/* ---- connecting ---- */

static gboolean
connect_server (FzPwMonitor *monitor)
{
  monitor->core = pw_context_connect (monitor->context, NULL, 0);
  if (monitor->core == NULL)
    return FALSE;
  monitor->lost = FALSE;
  pw_core_add_listener (monitor->core, &monitor->core_listener, &core_events, monitor);
  monitor->registry = pw_core_get_registry (monitor->core, PW_VERSION_REGISTRY, 0);
  pw_registry_add_listener (monitor->registry, &monitor->registry_listener, &registry_events,
                            monitor);
  request_sync (monitor);
  return TRUE;
}

/* Forgets the server: every sink leaves the store. */
static void
disconnect_server (FzPwMonitor *monitor)
{
  if (monitor->core == NULL)
    return;
  forget_metadata (monitor);
  spa_hook_remove (&monitor->registry_listener);
  pw_proxy_destroy ((struct pw_proxy *) monitor->registry);
  monitor->registry = NULL;
  spa_hook_remove (&monitor->core_listener);
  pw_core_disconnect (monitor->core);
  monitor->core = NULL;
  g_clear_pointer (&monitor->default_sink, g_free);
  g_hash_table_remove_all (monitor->port_nodes);
  while (monitor->sinks->len > 0)
    remove_sink (monitor, monitor->sinks->len - 1);
  monitor->synced = FALSE;
}

/* Whether a socket is where libpipewire would connect to: the
 * PIPEWIRE_REMOTE name (default "pipewire-0") in PIPEWIRE_RUNTIME_DIR,
 * XDG_RUNTIME_DIR, USERPROFILE or /run/pipewire, or that path when it is
 * absolute (any of them: libpipewire takes the first directory set, and
 * then /run/pipewire).  Without one there is no server, and no context is made:
 * libpipewire 0.3.65 can miss the stop of a context's data thread that
 * has not yet entered its loop (pw_data_loop_stop() running its stop
 * inline, then joining a thread that waits for ever), and a context made
 * and destroyed at once, as here when nothing answers, hit that under
 * load. */
static gboolean
server_socket_present (void)
{
  const char *name = g_getenv ("PIPEWIRE_REMOTE");
  const char *dirs[] = { g_getenv ("PIPEWIRE_RUNTIME_DIR"), g_getenv ("XDG_RUNTIME_DIR"),
                         g_getenv ("USERPROFILE"), "/run/pipewire" };

  if (name == NULL || *name == '\0')
    name = "pipewire-0";
  if (g_path_is_absolute (name))
    return g_file_test (name, G_FILE_TEST_EXISTS);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = NULL;

      if (dirs[i] == NULL || *dirs[i] == '\0')
        continue;
      path = g_build_filename (dirs[i], name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    }
  return FALSE;
}

static FzPwMonitor *
monitor_alloc (void)
{
  FzPwMonitor *monitor = g_new0 (FzPwMonitor, 1);

  fz_pw_init ();
  monitor->loop = pw_loop_new (NULL);
  pw_loop_enter (monitor->loop);
  monitor->context = fz_pw_context_new (monitor->loop, NULL);
  monitor->sinks = g_ptr_array_new_with_free_func (sink_free);
  monitor->port_nodes = g_hash_table_new (NULL, NULL);
  monitor->store = g_list_store_new (FLITZIS_TYPE_DEVICE);
  return monitor;
}

FzPwMonitor *
fz_pw_monitor_new (GError **error)
{
  FzPwMonitor *monitor;

  if (!server_socket_present ())
    {
      g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                           _("No PipeWire server is running for this session"));
      return NULL;
    }
  monitor = monitor_alloc ();
  if (monitor->context == NULL || !connect_server (monitor))
    {
      g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                           _("No PipeWire server is running for this session"));
      fz_pw_monitor_free (monitor);
      return NULL;
    }
  return monitor;
}

gboolean
fz_pw_monitor_wait (FzPwMonitor *monitor, guint timeout_ms, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gint64 left;

  while (!monitor->synced && !monitor->lost &&
         (left = deadline - g_get_monotonic_time ()) > 0)
    pw_loop_iterate (monitor->loop, (int) MAX (left / 1000, 1));
  if (monitor->synced && !monitor->lost)
    return TRUE;
  g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                       monitor->lost ? _("The PipeWire server closed the connection")
                                     : _("The PipeWire server did not answer within the time allowed"));
  return FALSE;
}

guint
fz_pw_monitor_get_rate (FzPwMonitor *monitor)
{
  return monitor->rate;
}

guint
fz_pw_monitor_get_quantum (FzPwMonitor *monitor)
{
  return monitor->quantum;
}

GPtrArray *
fz_pw_monitor_get_sinks (FzPwMonitor *monitor)
{
  return monitor->sinks;
}

GListStore *
fz_pw_monitor_get_store (FzPwMonitor *monitor)
{
  return monitor->store;
}

const FzPwSink *
fz_pw_monitor_find (FzPwMonitor *monitor, const char *name)
{
  const FzPwSink *first = NULL;

  for (guint i = 0; i < monitor->sinks->len; i++)
    {
      const FzPwSink *sink = g_ptr_array_index (monitor->sinks, i);

      if (sink->device == NULL)
        continue;
      if (name == NULL && g_strcmp0 (sink->name, monitor->default_sink) == 0)
        return sink;
      if (name != NULL && (strcmp (name, sink->description) == 0 || strcmp (name, sink->name) == 0))
        return sink;
      if (first == NULL)
        first = sink;
    }
  return name == NULL ? first : NULL;
}

char *
fz_pw_monitor_list_names (FzPwMonitor *monitor)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < monitor->sinks->len; i++)
    {
      const FzPwSink *sink = g_ptr_array_index (monitor->sinks, i);

      if (sink->device != NULL)
        g_string_append_printf (names, "%s“%s”", names->len > 0 ? ", " : "", sink->description);
    }
  if (names->len == 0)
    g_string_append (names, _("none"));
  return g_string_free (names, FALSE);
}

/* ---- live, in a main context ---- */

typedef struct {
  GSource source;
  FzPwMonitor *monitor;
} FzPwSource;

static gboolean try_reconnect (gpointer data);

/* The main context's thread: the server went away.  The store empties,
 * and the monitor tries again until a server answers. */
static void
handle_lost (FzPwMonitor *monitor)
{
  disconnect_server (monitor);
  if (monitor->retry != NULL)
    return;
  monitor->retry = g_timeout_source_new (FZ_PW_RECONNECT_MS);
  g_source_set_callback (monitor->retry, try_reconnect, monitor, NULL);
  g_source_attach (monitor->retry, g_source_get_context (monitor->source));
}

static gboolean
try_reconnect (gpointer data)
{
  FzPwMonitor *monitor = data;

  if (!connect_server (monitor))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&monitor->retry, g_source_unref);
  return G_SOURCE_REMOVE;
}

static gboolean
source_dispatch (GSource *source, GSourceFunc callback, gpointer data)
{
  FzPwMonitor *monitor = ((FzPwSource *) source)->monitor;

  (void) callback; (void) data;
  pw_loop_iterate (monitor->loop, 0);
  if (monitor->lost)
    handle_lost (monitor);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs source_funcs = {
  .dispatch = source_dispatch,
};

/* The store is being finalised: its monitor goes with it. */
static void
on_store_gone (gpointer data, GObject *store)
{
  FzPwMonitor *monitor = data;

  (void) store;
  monitor->store = NULL;
  fz_pw_monitor_free (monitor);
}

static void
attach_source (FzPwMonitor *monitor, GMainContext *context)
{
  monitor->source = g_source_new (&source_funcs, sizeof (FzPwSource));
  ((FzPwSource *) monitor->source)->monitor = monitor;
  g_source_set_name (monitor->source, "flitzis PipeWire monitor");
  g_source_add_unix_fd (monitor->source, pw_loop_get_fd (monitor->loop), G_IO_IN);
  g_source_attach (monitor->source, context);
}

GListModel *
fz_pw_monitor_attach (FzPwMonitor *monitor, GMainContext *context)
{
  GListStore *store = monitor->store;

  attach_source (monitor, context);
  /* The caller's reference is the store's only one: the monitor's is weak. */
  g_object_weak_ref (G_OBJECT (store), on_store_gone, monitor);
  return G_LIST_MODEL (store);
}

/* @context's thread.  Without a server, it starts as after one quit. */
FzPwMonitor *
fz_pw_monitor_new_live (GMainContext *context)
{
  FzPwMonitor *monitor = monitor_alloc ();

  if (monitor->context == NULL)
    {
      fz_pw_monitor_free (monitor);
      return NULL;
    }
  attach_source (monitor, context);
  if (!connect_server (monitor))
    handle_lost (monitor);
  return monitor;
}

void
fz_pw_monitor_free (FzPwMonitor *monitor)
{
  if (monitor == NULL)
    return;
  if (monitor->retry != NULL)
    {
      g_source_destroy (monitor->retry);
      g_source_unref (monitor->retry);
    }
  if (monitor->source != NULL)
    {
      g_source_destroy (monitor->source);
      g_source_unref (monitor->source);
    }
  disconnect_server (monitor);
  if (monitor->context != NULL)
    pw_context_destroy (monitor->context);
  pw_loop_leave (monitor->loop);
  pw_loop_destroy (monitor->loop);
  g_ptr_array_unref (monitor->sinks);
  g_hash_table_unref (monitor->port_nodes);
  g_clear_object (&monitor->store);
  g_free (monitor->default_sink);
  g_free (monitor);
}
