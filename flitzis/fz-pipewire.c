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

#include <pipewire/filter.h>
#include <pipewire/pipewire.h>
#include <spa/control/control.h>
#include <spa/param/audio/format-utils.h>
#include <spa/pod/iter.h>

#include "flitzis-engine-error.h"
#include "flitzis-i18n-private.h"
#include "fz-pipewire.h"
#include "fz-pipewire-graph.h"
#include "fz-pipewire-monitor.h"

#define FZ_PW_MAX_CHANNELS 2
/* How long the sink's description takes to find, and the session manager
 * to link the stream to it. */
#define FZ_PW_LOOKUP_MS 2000
#define FZ_PW_START_MS 5000
/* The most frames a filter's cycle renders (its interleaved scratch):
 * PipeWire's largest quantum. */
#define FZ_PW_FILTER_FRAMES 8192

struct FzPipewire {
  struct pw_thread_loop *loop;
  struct pw_context *context;
  struct pw_core *core;
  struct pw_stream *stream;      /* without MIDI: a stream (an adapter node) */
  struct pw_filter *filter;      /* with MIDI: a filter, one node with both */
  void *audio_ports[FZ_PW_MAX_CHANNELS];
  void *midi_port;
  float *interleaved;            /* the filter's scratch, FZ_PW_FILTER_FRAMES */
  struct spa_hook core_listener;
  struct spa_hook stream_listener;
  struct pw_proxy *midi_link;    /* the link connect_midi made, or NULL */
  int synced;                    /* the last pw_core_sync() answered */
  int link_result;               /* an error the server gave the pending link */
  struct pw_proxy *pending_link; /* the link being made */
  struct pw_proxy *audio_links[FZ_PW_MAX_CHANNELS];
  char *sink_name;               /* node.name of the sink played into */
  char *target;                  /* node.name of the sink asked for, or NULL */
  char *device_name;             /* node.description */
  guint sample_rate;
  guint channels;
  guint block;                   /* frames per period asked for, or the quantum */
  FzCore *core_process;          /* read by the data thread once started */
  int state;                     /* a pw_stream_state (a pw_filter_state has the same
                                  * values): the thread loop's, under its lock */
  char *stream_error;            /* likewise */
  atomic_bool alive;
  atomic_bool starved;           /* the data thread found no buffer last time */
  uint64_t next_position;        /* the data thread's: the graph clock's position its
                                  * next cycle should have, 0 before the first */
  /* The stream's: the graph's clock, as io_changed (the thread loop) hands
   * it over, read by the data thread; a filter is given it each cycle. */
  _Atomic (const struct spa_io_position *) position;
};

/* ---- the data thread ---- */

/* Real-time: whether the graph ran cycles without this node since its
 * last one, so that its position is not where the last cycle ended.  A
 * node of the graph (this one, or one before it) was late and the driver
 * went on: the server's xrun; the output of the skipped cycles, and the
 * MIDI they carried, is gone.  PipeWire tells a filter of no xrun itself,
 * and a stream only of a cycle without a free buffer; this is how the
 * rest shows. */
static bool
missed_cycles (FzPipewire *pipewire, const struct spa_io_position *position)
{
  uint64_t expected = pipewire->next_position;

  pipewire->next_position = position->clock.position + position->clock.duration;
  return expected != 0 && position->clock.position != expected;
}

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
  const struct spa_io_position *position =
    atomic_load_explicit (&pipewire->position, memory_order_acquire);
  /* Cycles the graph ran without this node are lost output, as a cycle
   * without a buffer is. */
  bool missed = position != NULL && missed_cycles (pipewire, position);
  guint frames;
  unsigned flags;

  if (missed || buffer == NULL)
    atomic_store_explicit (&pipewire->starved, true, memory_order_relaxed);
  if (buffer == NULL)
    return;
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

/* Real-time: the cycle's MIDI, each event at its stream frame, @first
 * (this cycle's first frame) plus its offset.  The port's buffer is a
 * spa_pod_sequence of controls; only SPA_CONTROL_Midi ones are MIDI. */
static void
read_midi (FzPipewire *pipewire, uint64_t first, uint32_t frames)
{
  struct pw_buffer *buffer = pw_filter_dequeue_buffer (pipewire->midi_port);
  struct spa_data *data;
  struct spa_pod *pod;
  struct spa_pod_control *control;

  if (buffer == NULL)
    return;
  data = &buffer->buffer->datas[0];
  pod = data->data != NULL ? spa_pod_from_data (data->data, data->maxsize, data->chunk->offset,
                                                data->chunk->size)
                           : NULL;
  if (pod != NULL && spa_pod_is_sequence (pod))
    SPA_POD_SEQUENCE_FOREACH ((struct spa_pod_sequence *) pod, control)
      {
        if (control->type != SPA_CONTROL_Midi)
          continue;
        fz_core_midi_input (pipewire->core_process, SPA_POD_BODY (&control->value),
                            SPA_POD_BODY_SIZE (&control->value),
                            first + MIN (control->offset, frames - 1));
      }
  pw_filter_queue_buffer (pipewire->midi_port, buffer);
}

/* PipeWire's real-time data thread, with MIDI: one node, so this cycle's
 * MIDI (from the nodes before this one in the graph) is read before the
 * cycle's audio is rendered.  The core renders interleaved frames into
 * the scratch, split here into the ports' planar buffers. */
static void on_filter_process (void *data, struct spa_io_position *position) FZ_NONBLOCKING;
static void
on_filter_process (void *data, struct spa_io_position *position)
{
  FzPipewire *pipewire = data;
  uint32_t frames = (uint32_t) MIN (position->clock.duration, FZ_PW_FILTER_FRAMES);
  float *out[FZ_PW_MAX_CHANNELS];
  unsigned flags = atomic_exchange_explicit (&pipewire->starved, false, memory_order_relaxed)
                   ? FZ_PROCESS_UNDERRUN : 0;

  if (missed_cycles (pipewire, position))
    flags |= FZ_PROCESS_UNDERRUN;
  if (frames == 0)
    return;
  read_midi (pipewire, fz_core_get_frame_time (pipewire->core_process), frames);
  fz_core_process (pipewire->core_process, pipewire->interleaved, frames, flags);
  for (guint c = 0; c < pipewire->channels; c++)
    out[c] = pw_filter_get_dsp_buffer (pipewire->audio_ports[c], frames);
  for (guint c = 0; c < pipewire->channels; c++)
    if (out[c] != NULL)
      for (uint32_t f = 0; f < frames; f++)
        out[c][f] = pipewire->interleaved[f * pipewire->channels + c];
}

/* ---- the thread loop's events ---- */

static void
on_state_changed (void *data, enum pw_stream_state old, enum pw_stream_state state,
                  const char *error)
{
  FzPipewire *pipewire = data;

  (void) old;
  pipewire->state = (int) state;
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

/* The thread loop's: where the graph's clock is, for on_process(). */
static void
on_io_changed (void *data, uint32_t id, void *area, uint32_t size)
{
  FzPipewire *pipewire = data;

  if (id == SPA_IO_Position)
    atomic_store_explicit (&pipewire->position,
                           area != NULL && size >= sizeof (struct spa_io_position) ? area : NULL,
                           memory_order_release);
}

static const struct pw_stream_events stream_events = {
  PW_VERSION_STREAM_EVENTS,
  .state_changed = on_state_changed,
  .io_changed = on_io_changed,
  .process = on_process,
};

/* The filter's states have the stream's values (filter.h, stream.h). */
static void
on_filter_state_changed (void *data, enum pw_filter_state old, enum pw_filter_state state,
                         const char *error)
{
  on_state_changed (data, (enum pw_stream_state) old, (enum pw_stream_state) state, error);
}

static const struct pw_filter_events filter_events = {
  PW_VERSION_FILTER_EVENTS,
  .state_changed = on_filter_state_changed,
  .process = on_filter_process,
};

static void
on_core_error (void *data, uint32_t id, int seq, int res, const char *message)
{
  FzPipewire *pipewire = data;

  (void) seq; (void) message;
  if (pipewire->pending_link != NULL && id == pw_proxy_get_id (pipewire->pending_link))
    {
      pipewire->link_result = res;
      pw_thread_loop_signal (pipewire->loop, false);
    }
  if (id == PW_ID_CORE && res == -EPIPE)
    {
      atomic_store (&pipewire->alive, false);
      pw_thread_loop_signal (pipewire->loop, false);
    }
}

static void
on_core_done (void *data, uint32_t id, int seq)
{
  FzPipewire *pipewire = data;

  if (id == PW_ID_CORE)
    {
      pipewire->synced = seq;
      pw_thread_loop_signal (pipewire->loop, false);
    }
}

static const struct pw_core_events core_events = {
  PW_VERSION_CORE_EVENTS,
  .done = on_core_done,
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
  pipewire->sink_name = g_strdup (sink->name);
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
  atomic_init (&pipewire->position, NULL);
  if (!look_up_sink (pipewire, device_name, max_channels, error))
    {
      fz_pipewire_close (pipewire);
      return NULL;
    }
  pipewire->loop = pw_thread_loop_new ("flitzis-pipewire", NULL);
  /* client-rt.conf: module-rt makes the data thread real-time. */
  pipewire->context = fz_pw_context_new (pw_thread_loop_get_loop (pipewire->loop),
                                         pw_properties_new (PW_KEY_CONFIG_NAME, "client-rt.conf",
                                                            NULL));
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

/* The filter's audio channels, as audio.channel names them. */
static const char *const *
channel_names (FzPipewire *pipewire)
{
  static const char *const channels[][2] = { { "FL", "FR" }, { "MONO", NULL } };

  return channels[pipewire->channels == 1 ? 1 : 0];
}

/* Called with the thread loop locked: a port of the filter's. */
static void *
add_port (FzPipewire *pipewire, enum pw_direction direction, const char *name,
          const char *format, const char *channel)
{
  struct pw_properties *props = pw_properties_new (PW_KEY_FORMAT_DSP, format,
                                                   PW_KEY_PORT_NAME, name, NULL);

  if (channel != NULL)
    pw_properties_set (props, PW_KEY_AUDIO_CHANNEL, channel);
  return pw_filter_add_port (pipewire->filter, direction, PW_FILTER_PORT_FLAG_MAP_BUFFERS,
                             sizeof (guint64), props, NULL, 0);
}

/* The stream is not connected yet: it makes way for a filter, one node
 * with the audio output ports ("output_FL", "output_FR", or "output_MONO")
 * and the MIDI input port "midi_in".  A stream is an adapter whose only
 * port is its audio; a filter's ports are its own, read in one cycle. */
gboolean
fz_pipewire_enable_midi (FzPipewire *pipewire, GError **error)
{
  const char *const *names = channel_names (pipewire);
  struct pw_properties *props;
  gboolean ok;

  pw_thread_loop_lock (pipewire->loop);
  spa_hook_remove (&pipewire->stream_listener);
  pw_stream_destroy (pipewire->stream);
  pipewire->stream = NULL;
  props = stream_properties (pipewire, pipewire->block);
  pw_properties_set (props, PW_KEY_MEDIA_CLASS, "Stream/Output/Audio");
  /* The engine links the filter itself (link_audio()): a session manager
   * that links filters too would link it a second time. */
  pw_properties_set (props, PW_KEY_NODE_AUTOCONNECT, "false");
  if (pipewire->target != NULL)
    pw_properties_set (props, PW_KEY_NODE_DONT_RECONNECT, "true");
  pipewire->filter = pw_filter_new (pipewire->core, "flitzis", props);
  ok = pipewire->filter != NULL;
  if (ok)
    {
      pw_filter_add_listener (pipewire->filter, &pipewire->stream_listener, &filter_events,
                              pipewire);
      for (guint c = 0; c < pipewire->channels; c++)
        {
          g_autofree char *name = g_strconcat ("output_", names[c], NULL);

          pipewire->audio_ports[c] = add_port (pipewire, PW_DIRECTION_OUTPUT, name,
                                               "32 bit float mono audio", names[c]);
          ok &= pipewire->audio_ports[c] != NULL;
        }
      pipewire->midi_port = add_port (pipewire, PW_DIRECTION_INPUT, "midi_in", "8 bit raw midi",
                                      NULL);
      ok &= pipewire->midi_port != NULL;
      pipewire->interleaved = g_new0 (float, FZ_PW_FILTER_FRAMES * FZ_PW_MAX_CHANNELS);
    }
  pw_thread_loop_unlock (pipewire->loop);
  if (!ok)
    g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                         _("Cannot add a MIDI input port to the PipeWire node"));
  return ok;
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
  if (pipewire->stream != NULL &&
      pw_stream_get_time_n (pipewire->stream, &time, sizeof time) == 0 &&
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

static gboolean link_audio (FzPipewire *pipewire);

/* Called with the thread loop locked, the filter connecting: once its node
 * is on the server (paused), links its audio ports to the sink's. */
static gboolean
link_filter (FzPipewire *pipewire, GError **error)
{
  struct timespec deadline;

  pw_thread_loop_get_time (pipewire->loop, &deadline, (int64_t) FZ_PW_START_MS * SPA_NSEC_PER_MSEC);
  while (pipewire->state < PW_STREAM_STATE_PAUSED && pipewire->state != PW_STREAM_STATE_ERROR &&
         atomic_load (&pipewire->alive))
    if (pw_thread_loop_timed_wait_full (pipewire->loop, &deadline) != 0)
      break;
  if (pipewire->state >= PW_STREAM_STATE_PAUSED && link_audio (pipewire))
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
               _("Cannot link the engine’s PipeWire node to “%s”"), pipewire->device_name);
  return FALSE;
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
  if (pipewire->filter != NULL)
    res = pw_filter_connect (pipewire->filter, PW_FILTER_FLAG_RT_PROCESS, NULL, 0);
  else
    res = pw_stream_connect (pipewire->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY, flags, params, 1);
  if (res < 0)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                   _("Cannot connect a PipeWire stream to “%s”: %s"), pipewire->device_name,
                   g_strerror (-res));
      ok = FALSE;
    }
  else
    ok = (pipewire->filter == NULL || link_filter (pipewire, error)) &&
         wait_streaming (pipewire, error);
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
      if (pipewire->midi_link != NULL)
        pw_proxy_destroy (pipewire->midi_link);
      for (guint c = 0; c < FZ_PW_MAX_CHANNELS; c++)
        if (pipewire->audio_links[c] != NULL)
          pw_proxy_destroy (pipewire->audio_links[c]);
      if (pipewire->stream != NULL)
        {
          spa_hook_remove (&pipewire->stream_listener);
          pw_stream_destroy (pipewire->stream);
        }
      if (pipewire->filter != NULL)
        {
          spa_hook_remove (&pipewire->stream_listener);
          pw_filter_destroy (pipewire->filter);
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
  g_free (pipewire->interleaved);
  g_free (pipewire->sink_name);
  g_free (pipewire);
}

/* ---- linking (control thread, the thread loop locked) ---- */

/* Waits until the server has answered everything asked before. */
static gboolean
sync_core (FzPipewire *pipewire)
{
  struct timespec deadline;
  int seq = pw_core_sync (pipewire->core, PW_ID_CORE, 0);

  pw_thread_loop_get_time (pipewire->loop, &deadline, (int64_t) FZ_PW_LOOKUP_MS * SPA_NSEC_PER_MSEC);
  while (pipewire->synced != seq && atomic_load (&pipewire->alive))
    if (pw_thread_loop_timed_wait_full (pipewire->loop, &deadline) != 0)
      return FALSE;
  return pipewire->synced == seq;
}

/* A link from @output to @input, owned by this connection (it goes when
 * the engine's node goes), once the server made it; NULL if it did not. */
static struct pw_proxy *
make_link (FzPipewire *pipewire, GHashTable *output, GHashTable *input)
{
  struct pw_properties *props = fz_pw_graph_link_properties (output, input);
  struct pw_proxy *link;

  pipewire->link_result = 0;
  link = pw_core_create_object (pipewire->core, "link-factory", PW_TYPE_INTERFACE_Link,
                                PW_VERSION_LINK, &props->dict, 0);
  pw_properties_free (props);
  pipewire->pending_link = link;
  if (link != NULL && (!sync_core (pipewire) || pipewire->link_result < 0))
    g_clear_pointer (&link, pw_proxy_destroy);
  pipewire->pending_link = NULL;
  return link;
}

/* The filter's audio ports to the sink's inputs, channel by channel. */
static gboolean
link_audio (FzPipewire *pipewire)
{
  FzPwGraph *graph = fz_pw_graph_new (pipewire->core);
  gboolean ok = sync_core (pipewire);

  for (guint c = 0; ok && c < pipewire->channels; c++)
    {
      FzPwPortQuery ours = { "out", "audio", pw_filter_get_node_id (pipewire->filter), NULL,
                             channel_names (pipewire)[c], NULL };
      FzPwPortQuery sinks = { "in", NULL, PW_ID_ANY, pipewire->sink_name,
                              channel_names (pipewire)[c], NULL };
      GHashTable *output = fz_pw_graph_find_port (graph, &ours);
      GHashTable *input = fz_pw_graph_find_port (graph, &sinks);

      ok = output != NULL && input != NULL &&
           (pipewire->audio_links[c] = make_link (pipewire, output, input)) != NULL;
    }
  fz_pw_graph_free (graph);
  return ok;
}

gboolean
fz_pipewire_connect_midi (FzPipewire *pipewire, const char *port_name, GError **error)
{
  FzPwGraph *graph;
  FzPwPortQuery source = { "out", "midi", PW_ID_ANY, NULL, NULL, port_name };
  FzPwPortQuery ours = { "in", "midi", PW_ID_ANY, NULL, NULL, NULL };
  GHashTable *output, *input;
  struct pw_proxy *link = NULL;

  if (pipewire->filter == NULL)
    {
      g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                           _("The engine has no MIDI input port: set midi-input before run()"));
      return FALSE;
    }
  pw_thread_loop_lock (pipewire->loop);
  ours.node_id = pw_filter_get_node_id (pipewire->filter);
  graph = fz_pw_graph_new (pipewire->core);
  if (sync_core (pipewire))
    {
      output = fz_pw_graph_find_port (graph, &source);
      input = fz_pw_graph_find_port (graph, &ours);
      if (output != NULL && input != NULL)
        link = make_link (pipewire, output, input);
    }
  fz_pw_graph_free (graph);
  if (link != NULL)
    {
      if (pipewire->midi_link != NULL)
        pw_proxy_destroy (pipewire->midi_link);
      pipewire->midi_link = link;
    }
  pw_thread_loop_unlock (pipewire->loop);
  if (link == NULL)
    g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                 _("Cannot connect “%s” to the engine’s MIDI input: the PipeWire server has no "
                   "MIDI output port of that name (give a full name, “node:port”)"),
                 port_name);
  return link != NULL;
}
