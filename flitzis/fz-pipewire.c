/* fz-pipewire.c: playing into a PipeWire server, see fz-pipewire.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Three threads: the control thread that opens, starts and closes; the
 * thread loop's (pw_thread_loop), where the stream's and the connection's
 * events arrive; and the context's data thread, real-time (module-rt,
 * client-rt.conf), which calls on_process().  The control thread takes
 * the thread loop's lock around every call into the stream, as
 * libpipewire asks.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>

#include "flitzis-engine-error.h"
#include "flitzis-i18n-private.h"
#include "fz-pipewire.h"
#include "fz-pipewire-monitor.h"

#define FZ_PW_MAX_CHANNELS 2
/* How long the sink's description takes to find, and the session manager
 * to link the stream to it. */
#define FZ_PW_LOOKUP_MS 2000
#define FZ_PW_START_MS 5000

struct FzPipewire {
  struct pw_thread_loop *loop;
  struct pw_context *context;
  struct pw_core *core;
  struct pw_stream *stream;
  struct spa_hook core_listener;
  struct spa_hook stream_listener;
  char *target;                  /* node.name of the sink asked for, or NULL */
  char *device_name;             /* node.description */
  guint sample_rate;
  guint channels;
  guint block;                   /* frames per period asked for, or the quantum */
  FzCore *core_process;          /* read by the data thread once started */
  enum pw_stream_state state;    /* the thread loop's, under its lock */
  char *stream_error;            /* likewise */
  atomic_bool alive;
  atomic_bool starved;           /* the data thread found no buffer last time */
};

/* ---- the data thread ---- */

/* PipeWire's real-time data thread: no allocation, no lock, no system
 * call.  Dequeueing and queueing a buffer are lock-free in libpipewire
 * (RTSan checks it here too, make check-realtime). */
static void on_process (void *data) FZ_NONBLOCKING;
static void
on_process (void *data)
{
  FzPipewire *pipewire = data;
  struct pw_buffer *buffer = pw_stream_dequeue_buffer (pipewire->stream);
  struct spa_data *out;
  guint stride = pipewire->channels * sizeof (float);
  guint frames;
  unsigned flags;

  if (buffer == NULL)
    {
      atomic_store_explicit (&pipewire->starved, true, memory_order_relaxed);
      return;
    }
  out = &buffer->buffer->datas[0];
  if (out->data != NULL)
    {
      frames = out->maxsize / stride;
      if (buffer->requested > 0 && buffer->requested < frames)
        frames = (guint) buffer->requested;
      flags = atomic_exchange_explicit (&pipewire->starved, false, memory_order_relaxed)
              ? FZ_PROCESS_UNDERRUN : 0;
      fz_core_process (pipewire->core_process, out->data, frames, flags);
      out->chunk->offset = 0;
      out->chunk->stride = (int32_t) stride;
      out->chunk->size = frames * stride;
    }
  pw_stream_queue_buffer (pipewire->stream, buffer);
}

/* ---- the thread loop's events ---- */

static void
on_state_changed (void *data, enum pw_stream_state old, enum pw_stream_state state,
                  const char *error)
{
  FzPipewire *pipewire = data;

  (void) old;
  pipewire->state = state;
  if (state == PW_STREAM_STATE_ERROR)
    {
      g_free (pipewire->stream_error);
      pipewire->stream_error = g_strdup (error);
    }
  /* Unconnected after having connected: the session manager took the
   * stream down, as it does when its sink goes away. */
  if (state == PW_STREAM_STATE_ERROR || state == PW_STREAM_STATE_UNCONNECTED)
    atomic_store (&pipewire->alive, false);
  pw_thread_loop_signal (pipewire->loop, false);
}

static const struct pw_stream_events stream_events = {
  PW_VERSION_STREAM_EVENTS,
  .state_changed = on_state_changed,
  .process = on_process,
};

static void
on_core_error (void *data, uint32_t id, int seq, int res, const char *message)
{
  FzPipewire *pipewire = data;

  (void) seq; (void) message;
  if (id == PW_ID_CORE && res == -EPIPE)
    {
      atomic_store (&pipewire->alive, false);
      pw_thread_loop_signal (pipewire->loop, false);
    }
}

static const struct pw_core_events core_events = {
  PW_VERSION_CORE_EVENTS,
  .error = on_core_error,
};

/* ---- control thread ---- */

gboolean
fz_pipewire_available (const char *device_name)
{
  FzPwMonitor *monitor = fz_pw_monitor_new (NULL);
  gboolean available;

  if (monitor == NULL)
    return FALSE;
  available = fz_pw_monitor_wait (monitor, FZ_PW_LOOKUP_MS, NULL) &&
              fz_pw_monitor_find (monitor, device_name) != NULL;
  fz_pw_monitor_free (monitor);
  return available;
}

gboolean
fz_pipewire_list_sinks (GListStore *store)
{
  FzPwMonitor *monitor = fz_pw_monitor_new (NULL);
  GListModel *sinks;
  guint n = 0;

  if (monitor == NULL)
    return FALSE;
  if (fz_pw_monitor_wait (monitor, FZ_PW_LOOKUP_MS, NULL))
    {
      sinks = G_LIST_MODEL (fz_pw_monitor_get_store (monitor));
      n = g_list_model_get_n_items (sinks);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (GObject) device = g_list_model_get_item (sinks, i);

          g_list_store_append (store, device);
        }
    }
  fz_pw_monitor_free (monitor);
  return n > 0;
}

/* Finds the sink, the graph's rate and quantum, with a connection of
 * their own (fz-pipewire-monitor.c). */
static gboolean
look_up_sink (FzPipewire *pipewire, const char *device_name, guint max_channels,
              GError **error)
{
  FzPwMonitor *monitor = fz_pw_monitor_new (error);
  const FzPwSink *sink;
  g_autofree char *names = NULL;

  if (monitor == NULL)
    return FALSE;
  if (!fz_pw_monitor_wait (monitor, FZ_PW_LOOKUP_MS, error))
    {
      fz_pw_monitor_free (monitor);
      return FALSE;
    }
  sink = fz_pw_monitor_find (monitor, device_name);
  if (sink == NULL)
    {
      names = fz_pw_monitor_list_names (monitor);
      if (device_name == NULL)
        g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                             _("The PipeWire server has no sink to play into"));
      else
        g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                     _("PipeWire has no sink named “%s”; available are: %s"),
                     device_name, names);
      fz_pw_monitor_free (monitor);
      return FALSE;
    }
  pipewire->target = device_name != NULL ? g_strdup (sink->name) : NULL;
  pipewire->device_name = g_strdup (sink->description);
  pipewire->channels = MIN (sink->channels > 0 ? sink->channels : FZ_PW_MAX_CHANNELS,
                            MIN (max_channels, FZ_PW_MAX_CHANNELS));
  if (pipewire->sample_rate == 0)
    pipewire->sample_rate = fz_pw_monitor_get_rate (monitor);
  if (pipewire->block == 0)
    pipewire->block = fz_pw_monitor_get_quantum (monitor);
  fz_pw_monitor_free (monitor);
  if (pipewire->sample_rate == 0)
    pipewire->sample_rate = 48000;
  return TRUE;
}

static struct pw_properties *
stream_properties (FzPipewire *pipewire, guint period_frames)
{
  struct pw_properties *props =
    pw_properties_new (PW_KEY_MEDIA_TYPE, "Audio",
                       PW_KEY_MEDIA_CATEGORY, "Playback",
                       PW_KEY_MEDIA_ROLE, "Music",
                       PW_KEY_NODE_NAME, "flitzis",
                       PW_KEY_APP_NAME, g_get_application_name () != NULL
                                        ? g_get_application_name () : "flitzis",
                       NULL);

  if (period_frames > 0)
    pw_properties_setf (props, PW_KEY_NODE_LATENCY, "%u/%u", period_frames, pipewire->sample_rate);
  if (pipewire->target != NULL)
    pw_properties_set (props, PW_KEY_TARGET_OBJECT, pipewire->target);
  return props;
}

FzPipewire *
fz_pipewire_open (const char *device_name, guint max_channels, guint sample_rate,
                  guint period_frames, GError **error)
{
  FzPipewire *pipewire = g_new0 (FzPipewire, 1);

  fz_pw_init ();
  pipewire->sample_rate = sample_rate;
  pipewire->block = period_frames;
  atomic_init (&pipewire->alive, true);
  atomic_init (&pipewire->starved, false);
  if (!look_up_sink (pipewire, device_name, max_channels, error))
    {
      fz_pipewire_close (pipewire);
      return NULL;
    }
  pipewire->loop = pw_thread_loop_new ("flitzis-pipewire", NULL);
  /* client-rt.conf: module-rt makes the data thread real-time. */
  pipewire->context = pw_context_new (pw_thread_loop_get_loop (pipewire->loop),
                                      pw_properties_new (PW_KEY_CONFIG_NAME, "client-rt.conf", NULL),
                                      0);
  if (pipewire->context == NULL || pw_thread_loop_start (pipewire->loop) < 0)
    {
      g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                           _("Cannot set up a PipeWire client"));
      fz_pipewire_close (pipewire);
      return NULL;
    }
  pw_thread_loop_lock (pipewire->loop);
  pipewire->core = pw_context_connect (pipewire->context, NULL, 0);
  if (pipewire->core != NULL)
    {
      pw_core_add_listener (pipewire->core, &pipewire->core_listener, &core_events, pipewire);
      pipewire->stream = pw_stream_new (pipewire->core, "flitzis",
                                        stream_properties (pipewire, period_frames));
    }
  if (pipewire->stream != NULL)
    pw_stream_add_listener (pipewire->stream, &pipewire->stream_listener, &stream_events, pipewire);
  pw_thread_loop_unlock (pipewire->loop);
  if (pipewire->stream == NULL)
    {
      g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                           _("No PipeWire server is running for this session"));
      fz_pipewire_close (pipewire);
      return NULL;
    }
  return pipewire;
}

guint
fz_pipewire_get_sample_rate (FzPipewire *pipewire)
{
  return pipewire->sample_rate;
}

guint
fz_pipewire_get_channels (FzPipewire *pipewire)
{
  return pipewire->channels;
}

/* The buffer being played, one period, and what the graph says lies
 * between the stream and the sink's output. */
double
fz_pipewire_get_latency (FzPipewire *pipewire)
{
  struct pw_time time = { 0 };
  double delay = 0.0;

  pw_thread_loop_lock (pipewire->loop);
  if (pw_stream_get_time_n (pipewire->stream, &time, sizeof time) == 0 &&
      time.rate.denom > 0 && time.delay > 0)
    delay = (double) time.delay * time.rate.num / time.rate.denom;
  pw_thread_loop_unlock (pipewire->loop);
  return (double) pipewire->block / pipewire->sample_rate + delay;
}

const char *
fz_pipewire_get_device_name (FzPipewire *pipewire)
{
  return pipewire->device_name;
}

static const struct spa_pod *
build_format (FzPipewire *pipewire, struct spa_pod_builder *builder)
{
  struct spa_audio_info_raw info = {
    .format = SPA_AUDIO_FORMAT_F32,
    .rate = pipewire->sample_rate,
    .channels = pipewire->channels,
  };

  if (pipewire->channels == 1)
    info.position[0] = SPA_AUDIO_CHANNEL_MONO;
  else
    {
      info.position[0] = SPA_AUDIO_CHANNEL_FL;
      info.position[1] = SPA_AUDIO_CHANNEL_FR;
    }
  return spa_format_audio_raw_build (builder, SPA_PARAM_EnumFormat, &info);
}

/* Called with the thread loop locked: waits for the stream to stream, to
 * fail, or for the time allowed to pass. */
static gboolean
wait_streaming (FzPipewire *pipewire, GError **error)
{
  struct timespec deadline;

  pw_thread_loop_get_time (pipewire->loop, &deadline, (int64_t) FZ_PW_START_MS * SPA_NSEC_PER_MSEC);
  while (pipewire->state != PW_STREAM_STATE_STREAMING && atomic_load (&pipewire->alive))
    if (pw_thread_loop_timed_wait_full (pipewire->loop, &deadline) != 0)
      break;
  if (pipewire->state == PW_STREAM_STATE_STREAMING && atomic_load (&pipewire->alive))
    return TRUE;
  if (pipewire->stream_error != NULL)
    g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                 _("PipeWire could not play into “%s”: %s"), pipewire->device_name,
                 pipewire->stream_error);
  else if (!atomic_load (&pipewire->alive))
    g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                 _("PipeWire took the stream to “%s” down as it started"), pipewire->device_name);
  else
    g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                 _("PipeWire did not link the stream to “%s” within %u s; is a session "
                   "manager (WirePlumber) running?"), pipewire->device_name, FZ_PW_START_MS / 1000);
  return FALSE;
}

gboolean
fz_pipewire_start (FzPipewire *pipewire, FzCore *core, GError **error)
{
  guint8 pod[1024];
  struct spa_pod_builder builder = SPA_POD_BUILDER_INIT (pod, sizeof pod);
  const struct spa_pod *params[1];
  enum pw_stream_flags flags = PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
                               PW_STREAM_FLAG_RT_PROCESS;
  gboolean ok;
  int res;

  /* A sink asked for by name: when it goes, the stream fails rather than
   * move to another one. */
  if (pipewire->target != NULL)
    flags |= PW_STREAM_FLAG_DONT_RECONNECT;
  pipewire->core_process = core;
  params[0] = build_format (pipewire, &builder);
  pw_thread_loop_lock (pipewire->loop);
  res = pw_stream_connect (pipewire->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY, flags, params, 1);
  if (res < 0)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                   _("Cannot connect a PipeWire stream to “%s”: %s"), pipewire->device_name,
                   g_strerror (-res));
      ok = FALSE;
    }
  else
    ok = wait_streaming (pipewire, error);
  pw_thread_loop_unlock (pipewire->loop);
  return ok;
}

gboolean
fz_pipewire_is_alive (FzPipewire *pipewire)
{
  return atomic_load (&pipewire->alive);
}

void
fz_pipewire_close (FzPipewire *pipewire)
{
  if (pipewire == NULL)
    return;
  if (pipewire->loop != NULL)
    {
      pw_thread_loop_lock (pipewire->loop);
      /* Destroying the stream takes its node out of the data thread's
       * loop, waiting for that thread: no on_process() runs afterwards. */
      if (pipewire->stream != NULL)
        {
          spa_hook_remove (&pipewire->stream_listener);
          pw_stream_destroy (pipewire->stream);
        }
      if (pipewire->core != NULL)
        {
          spa_hook_remove (&pipewire->core_listener);
          pw_core_disconnect (pipewire->core);
        }
      pw_thread_loop_unlock (pipewire->loop);
      pw_thread_loop_stop (pipewire->loop);
    }
  if (pipewire->context != NULL)
    pw_context_destroy (pipewire->context);
  if (pipewire->loop != NULL)
    pw_thread_loop_destroy (pipewire->loop);
  g_free (pipewire->target);
  g_free (pipewire->device_name);
  g_free (pipewire->stream_error);
  g_free (pipewire);
}
