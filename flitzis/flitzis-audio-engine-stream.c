/* flitzis-audio-engine-stream.c: what drives the core
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A device engine's core is driven by its stream's callback (fz-stream.c:
 * PortAudio, or the engine's own JACK client), an offline engine's by the
 * caller of render().  run() makes the core and starts what drives it;
 * shut_down() stops that, waits for the last period, and frees the core
 * with every sample it held.  Both run on any control thread, under the
 * lifecycle lock, and never hold the lock across a device call.
 */
#include "config.h"

#include <string.h>

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"




/* Called with the lock held. */
static char *
dup_requested_device (FlitzisAudioEngine *self)
{
  const char *from_env = g_getenv ("FLITZIS_DEVICE");

  if (self->device != NULL)
    return g_strdup (self->device);
  return from_env != NULL && *from_env != '\0' ? g_strdup (from_env) : NULL;
}

static void
notify_stream_properties (FlitzisAudioEngine *self)
{
  _flitzis_audio_engine_notify (self, PROP_RUNNING);
  _flitzis_audio_engine_notify (self, PROP_SAMPLE_RATE);
  _flitzis_audio_engine_notify (self, PROP_CHANNELS);
  _flitzis_audio_engine_notify (self, PROP_LATENCY);
  _flitzis_audio_engine_notify (self, PROP_ACTIVE_BACKEND);
  _flitzis_audio_engine_notify (self, PROP_REALTIME_SCHEDULING);
}

/* Called with the lifecycle lock held: the core starts at the requested
 * volume, without a ramp. */
static FzCore *
new_core (FlitzisAudioEngine *self, guint sample_rate, guint channels)
{
  /* The slot and voice tables are allocated here, on the control thread. */
  FzCore *core = fz_core_new_sized (sample_rate, channels, self->n_slots, self->n_voices);

  if (core == NULL)
    g_error ("%s: out of memory", G_STRLOC);
  fz_mutex_lock (&self->lock);
  fz_mixer_preset_gain (&core->mixer, FZ_MASTER, (float) self->volume);
  fz_meter_set_rate (&core->meter, &core->mixer, self->meter_rate, 0);
  _flitzis_audio_engine_start_speed (self, core, FALSE);
  fz_mutex_unlock (&self->lock);
  _flitzis_audio_engine_start_clock (self, core, sample_rate, channels);
  _flitzis_audio_engine_start_midi (self, core);
  _flitzis_audio_engine_start_keylock (self, core, sample_rate, channels);
  return core;
}

/* Called with the lifecycle lock held. */
static void
publish_core (FlitzisAudioEngine *self, FzStream *stream, FzCore *core,
              guint sample_rate, guint channels, GMainContext *context)
{
  fz_mutex_lock (&self->lock);
  self->stream = stream;
  self->core = core;
  _flitzis_audio_engine_set_gate (self, core);
  self->sample_rate = sample_rate;
  self->channels = channels;
  self->latency = stream != NULL ? fz_stream_get_latency (stream) : 0.0;
  self->active_backend = stream != NULL ? fz_stream_get_backend (stream) : FLITZIS_BACKEND_AUTO;
  self->run_id++;
  /* A volume set since new_core() preset it: the first period takes it. */
  fz_params_set_gain (&core->params, FZ_MASTER, (float) self->volume);
  _flitzis_audio_engine_start_speed (self, core, TRUE);
  self->watch_since = 0;
  self->realtime_scheduling = FALSE;
  self->scheduling_known = FALSE;
  self->pings_sent = 0;
  self->pongs_received = 0;
  g_clear_pointer (&self->levels, flitzis_levels_unref);
  _flitzis_audio_engine_attach_source (self, context);
  fz_mutex_unlock (&self->lock);
}

/* Called with the lifecycle lock held and the lock not held: opening a
 * device takes tens of milliseconds, which must not stall the main
 * context or other callers. */
static gboolean
start_stream (FlitzisAudioEngine *self, GError **error)
{
  g_autofree char *device = NULL;
  FzStreamRequest request;
  FzStream *stream;
  FzCore *core;
  guint rate, channels;
  gboolean backend_ok;

  if (self->offline)
    {
      publish_core (self, NULL, new_core (self, self->offline_rate, self->offline_channels),
                    self->offline_rate, self->offline_channels, NULL);
      return TRUE;
    }

  fz_mutex_lock (&self->lock);
  device = dup_requested_device (self);
  request = (FzStreamRequest) {
    .device_name = device,
    .sample_rate = self->requested_rate,
    .period_frames = self->requested_period,
  };
  backend_ok = _flitzis_audio_engine_requested_backend (self, &request.backend, error);
  fz_mutex_unlock (&self->lock);

  stream = backend_ok ? fz_stream_open (&request, error) : NULL;
  if (stream == NULL)
    return FALSE;
  if (!_flitzis_audio_engine_open_midi (self, stream, error))
    {
      fz_stream_close (stream);
      return FALSE;
    }

  rate = fz_stream_get_sample_rate (stream);
  channels = fz_stream_get_channels (stream);
  core = new_core (self, rate, channels);
  if (!fz_stream_start (stream, core, error))
    {
      if (fz_stream_close (stream) == FZ_STREAM_CLOSED)
        fz_core_free (core);
      return FALSE;
    }
  publish_core (self, stream, core, rate, channels, NULL);
  return TRUE;
}

/* Called with the lifecycle lock held: whether the engine still holds a
 * core for @reconnector. */
static gboolean
still_held_for (FlitzisAudioEngine *self, FzReconnector *reconnector)
{
  gboolean held;

  fz_mutex_lock (&self->lock);
  held = self->reconnector == reconnector && self->held_core != NULL && self->core == NULL;
  fz_mutex_unlock (&self->lock);
  return held;
}

/* Called with the lifecycle lock held: the stream came back in a format
 * the held samples are not in.  They are not converted behind the
 * caller's back: the engine stops waiting, frees them, and says why. */
static void
refuse_format (FlitzisAudioEngine *self, FzStream *stream, const FzReconnectTarget *target)
{
  GError *error = NULL;
  guint64 frame;

  g_set_error (&error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
               _("The output device “%s” came back at %u Hz with %u channels, but the "
                 "engine's samples are at %u Hz with %u channels; it stays shut down and "
                 "its slots are emptied: call run() and load them again"),
               fz_stream_get_device_name (stream), fz_stream_get_sample_rate (stream),
               fz_stream_get_channels (stream), target->sample_rate, target->channels);
  fz_mutex_lock (&self->lock);
  frame = fz_core_get_frame_time (self->held_core);
  _flitzis_audio_engine_drop_held (self);
  _flitzis_audio_engine_deliver_event (self, _flitzis_message_new_error (frame, error));
  fz_mutex_unlock (&self->lock);
}

/* Called with the lifecycle lock held: @core, with the held slots, plays
 * from now on, in the engine's context. */
static void
resume_held (FlitzisAudioEngine *self, FzStream *stream, FzCore *core, guint dropped,
             const FzReconnectTarget *target)
{
  FzCore *held;

  publish_core (self, stream, core, target->sample_rate, target->channels, target->context);
  fz_mutex_lock (&self->lock);
  held = g_steal_pointer (&self->held_core);
  g_clear_pointer (&self->reconnector, _flitzis_audio_engine_reconnector_cancel);
  /* Triggers queued to the lost stream never played: counted as dropped. */
  self->dropped_voices += dropped;
  _flitzis_audio_engine_deliver_event (self, _flitzis_message_new (FLITZIS_MESSAGE_KIND_RECONNECTED,
                                                                   fz_core_get_frame_time (core),
                                                                   0, 0));
  fz_mutex_unlock (&self->lock);
  /* Emptied by fz_core_adopt(): only what it retired is left to free. */
  fz_core_free (held);
}

/* Any control thread (a worker of flitzis-audio-engine-reconnect.c). */
gboolean
_flitzis_audio_engine_reopen (FlitzisAudioEngine *self, FzReconnector *reconnector,
                              gboolean *refused, GError **error)
{
  const FzReconnectTarget *target = _flitzis_audio_engine_reconnector_get_target (reconnector);
  FzStreamRequest request = {
    .device_name = target->device,
    .sample_rate = target->sample_rate,
    .period_frames = target->period_frames,
    .backend = FLITZIS_BACKEND_PIPEWIRE,
  };
  FzStream *stream = NULL;
  FzCore *core = NULL;
  guint dropped = 0;
  gboolean ok = FALSE;

  *refused = FALSE;
  fz_mutex_lock (&self->lifecycle_lock);
  if (!still_held_for (self, reconnector))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         _("The engine no longer waits for its device"));
  else
    stream = fz_stream_open (&request, error);
  /* The node comes back with its MIDI port; what was linked to it went
   * with the old server (connect_midi_input() again on reconnected). */
  if (stream != NULL && !_flitzis_audio_engine_open_midi (self, stream, error))
    {
      fz_stream_close (stream);
      stream = NULL;
    }
  if (stream != NULL && (fz_stream_get_sample_rate (stream) != target->sample_rate ||
                         fz_stream_get_channels (stream) != target->channels))
    {
      refuse_format (self, stream, target);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The device came back in another format"));
      *refused = TRUE;
      fz_stream_close (stream);
      stream = NULL;
    }
  if (stream != NULL)
    {
      core = new_core (self, target->sample_rate, target->channels);
      dropped = fz_core_adopt (core, self->held_core);
      ok = fz_stream_start (stream, core, error);
    }
  if (ok)
    resume_held (self, stream, core, dropped, target);
  else if (stream != NULL && fz_stream_close (stream) == FZ_STREAM_CLOSED)
    {
      /* Not started: the slots go back to the held core, for the next try. */
      fz_core_adopt (self->held_core, core);
      fz_core_free (core);
    }
  fz_mutex_unlock (&self->lifecycle_lock);
  if (ok)
    notify_stream_properties (self);
  return ok;
}

/**
 * flitzis_audio_engine_run:
 * @self: a [class@Flitzis.AudioEngine]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Opens the output device and starts the audio thread.  An offline
 * engine ([ctor@Flitzis.AudioEngine.new_offline]) opens no device: from now on
 * it renders when [method@Flitzis.AudioEngine.render] is called.
 *
 * The back-end is [property@Flitzis.AudioEngine:backend]: by default a
 * running PipeWire server that has a sink, else a running JACK server,
 * else PortAudio ([property@Flitzis.AudioEngine:active-backend] says
 * which one was taken).  The device is [property@Flitzis.AudioEngine:device]
 * if set, else the one named by the `FLITZIS_DEVICE` environment variable,
 * else the back-end's default: PipeWire's default sink, the JACK
 * server's physical playback ports, PortAudio's default output.  With the
 * default back-end, a device name that no PipeWire sink has is looked for
 * among the JACK server's clients, then among PortAudio's devices.  The calling thread's thread-default [struct@GLib.MainContext] becomes the
 * one in which the engine emits its signals.
 *
 * Returns: %TRUE on success; %FALSE with @error set to
 *   [error@Flitzis.EngineError.ALREADY_RUNNING], [error@Flitzis.EngineError.NO_DEVICE]
 *   or [error@Flitzis.EngineError.DEVICE_FAILED]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_run (FlitzisAudioEngine *self, GError **error)
{
  gboolean running, started = FALSE;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fz_mutex_lock (&self->lifecycle_lock);
  fz_mutex_lock (&self->lock);
  running = self->core != NULL;
  fz_mutex_unlock (&self->lock);
  if (running)
    g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_ALREADY_RUNNING,
                 _("The audio engine is already running; call shut_down() before running it again"));
  else
    {
      /* A run() of its own ends the wait for a lost stream's device. */
      fz_mutex_lock (&self->lock);
      _flitzis_audio_engine_drop_held (self);
      fz_mutex_unlock (&self->lock);
      started = start_stream (self, error);
    }
  fz_mutex_unlock (&self->lifecycle_lock);

  if (started)
    notify_stream_properties (self);
  return started;
}

/* Called with the lock held: the state a stopped engine reports. */
static void
forget_stream (FlitzisAudioEngine *self)
{
  self->sample_rate = 0;
  self->channels = 0;
  self->latency = 0.0;
  self->active_backend = FLITZIS_BACKEND_AUTO;
  self->paused = FALSE;
  self->stream_lost = FALSE;
  self->stream_stalled = FALSE;
}

/* Called with the lock held, once the audio thread has stopped: takes the
 * last replies, then every reference the core still holds. */
static void
release_core (FlitzisAudioEngine *self)
{
  _flitzis_audio_engine_drain_replies (self);
  _flitzis_audio_engine_keep_counts (self);
  self->pings_sent = 0;
  self->pongs_received = 0;
  self->retires_in_flight = 0;
  _flitzis_audio_engine_set_gate (self, NULL);
  g_clear_pointer (&self->core, fz_core_free);
  _flitzis_audio_engine_forget_slots (self, TRUE);
  forget_stream (self);
}

/* Cores left to a stream that could not be closed, with the samples their
 * slots hold: kept for the rest of the process, reachable from here (a
 * leak on purpose, which memory checkers then report as still reachable,
 * not as lost).  Under abandoned_lock. */
static GMutex abandoned_lock;
static GPtrArray *abandoned_cores;

static void
keep_abandoned (FzCore *core)
{
  fz_mutex_lock (&abandoned_lock);
  if (abandoned_cores == NULL)
    abandoned_cores = g_ptr_array_new ();
  g_ptr_array_add (abandoned_cores, core);
  fz_mutex_unlock (&abandoned_lock);
}

/* Called with the lock held, when the stream could not be stopped, or its
 * back-end did not return in time (@abandoned): the callback may still
 * run, so its core and samples are kept (leaked) on purpose rather than
 * freed under it.  What the core counted and replied so far is kept. */
static void
abandon_core (FlitzisAudioEngine *self, gboolean abandoned)
{
  keep_abandoned (self->core);
  _flitzis_audio_engine_drain_replies (self);
  _flitzis_audio_engine_keep_counts (self);
  if (abandoned)
    self->streams_abandoned++;
  self->pings_sent = 0;
  self->pongs_received = 0;
  self->retires_in_flight = 0;
  _flitzis_audio_engine_set_gate (self, NULL);
  self->core = NULL;
  _flitzis_audio_engine_forget_slots (self, FALSE);
  forget_stream (self);
}

/* Called with both locks held, once the audio thread has stopped: the
 * lost stream's core is kept with its slots, and its device watched
 * (flitzis-audio-engine-reconnect.c), at the format its samples are in. */
static void
hold_core (FlitzisAudioEngine *self, const char *device)
{
  FzReconnectTarget target = {
    .device = (char *) device,
    .sample_rate = self->sample_rate,
    .channels = self->channels,
    .period_frames = self->requested_period,
    .context = self->context,
  };

  _flitzis_audio_engine_drain_replies (self);
  _flitzis_audio_engine_keep_counts (self);
  self->pings_sent = 0;
  self->pongs_received = 0;
  /* What the core retired but never handed back is freed with it; the
   * loads still queued move with the slots, and retire in the next core. */
  self->retires_in_flight -= MIN (self->retires_in_flight, self->core->n_retiring);
  _flitzis_audio_engine_set_gate (self, NULL);
  self->held_core = g_steal_pointer (&self->core);
  forget_stream (self);
  self->reconnector = _flitzis_audio_engine_reconnector_new (self, &target);
}

/* Called with the lifecycle lock held; @may_hold: a lost PipeWire stream
 * of an engine with reconnect on keeps its core.  Returns whether it was
 * running. */
static gboolean
stop_stream (FlitzisAudioEngine *self, gboolean may_hold)
{
  FzStream *stream;
  FzStreamClosed closed = FZ_STREAM_CLOSED;
  gboolean running, hold, stalled, silenced = FALSE;
  g_autofree char *device = NULL;

  fz_mutex_lock (&self->lock);
  stream = g_steal_pointer (&self->stream);
  running = self->core != NULL;
  stalled = self->stream_lost && self->stream_stalled;
  hold = may_hold && running && stream != NULL && self->stream_lost && self->reconnect &&
         self->context != NULL && fz_stream_get_backend (stream) == FLITZIS_BACKEND_PIPEWIRE;
  if (hold)
    device = dup_requested_device (self);
  self->realtime_scheduling = FALSE;
  fz_mutex_unlock (&self->lock);
  if (!running)
    return FALSE;

  /* Without the lock: this waits for the last callback to return, for at
   * most 2 s (fz-stream.h).  Commands queued meanwhile are released with
   * the core.  A stalled PortAudio stream's thread may be spinning,
   * flooding stderr: it is silenced first (fz-stream.h). */
  if (stream != NULL && stalled)
    silenced = fz_stream_silence (stream);
  if (stream != NULL)
    closed = fz_stream_close (stream);

  /* Offline, the renderer is the audio thread: wait for its render(). */
  fz_mutex_lock (&self->render_lock);
  fz_mutex_lock (&self->lock);
  if (silenced)
    self->threads_silenced++;
  if (closed == FZ_STREAM_CLOSED && hold)
    hold_core (self, device);
  else if (closed == FZ_STREAM_CLOSED)
    release_core (self);
  else
    abandon_core (self, closed == FZ_STREAM_ABANDONED);
  /* The source stays attached until it has emitted what is left. */
  if (self->context != NULL)
    g_main_context_wakeup (self->context);
  fz_mutex_unlock (&self->lock);
  fz_mutex_unlock (&self->render_lock);
  return TRUE;
}

/* Called with the lifecycle lock held.  Returns whether it was running. */
gboolean
_flitzis_audio_engine_stop_stream (FlitzisAudioEngine *self)
{
  fz_mutex_lock (&self->lock);
  _flitzis_audio_engine_drop_held (self);
  fz_mutex_unlock (&self->lock);
  return stop_stream (self, FALSE);
}

/* @run_id: 0 for any run, else only that run (if it is still running);
 * @lost: its stream was lost (its core may be held). */
static void
end_run (FlitzisAudioEngine *self, guint run_id, gboolean lost)
{
  gboolean was_running = FALSE, was_paused = FALSE;

  fz_mutex_lock (&self->lifecycle_lock);
  if (run_id == 0 || _flitzis_audio_engine_read_guint (self, &self->run_id) == run_id)
    {
      was_paused = flitzis_audio_engine_get_paused (self);
      was_running = lost ? stop_stream (self, TRUE) : _flitzis_audio_engine_stop_stream (self);
    }
  fz_mutex_unlock (&self->lifecycle_lock);
  if (was_running)
    notify_stream_properties (self);
  if (was_paused)
    _flitzis_audio_engine_notify (self, PROP_PAUSED);
}

void
_flitzis_audio_engine_shut_down_run (FlitzisAudioEngine *self, guint run_id)
{
  end_run (self, run_id, FALSE);
}

void
_flitzis_audio_engine_lose_run (FlitzisAudioEngine *self, guint run_id)
{
  end_run (self, run_id, TRUE);
}

/**
 * flitzis_audio_engine_shut_down:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Stops the audio thread and closes the device.  Voices stop, every slot
 * is emptied and its sample freed.  Loads still decoding stop at their
 * next chunk and fail with [error@Flitzis.EngineError.NOT_RUNNING]
 * instead of decoding to the end for nothing.  Messages already received stay
 * available to [method@Flitzis.AudioEngine.receive_msg], and their signals are
 * still emitted in the main context.  An engine that waits for its lost
 * device to come back ([property@Flitzis.AudioEngine:reconnect]) stops
 * waiting, and the slots it kept are freed.  Shutting down an engine that
 * is not running (nor waiting) does nothing.
 *
 * Voices cut off by shutting down get no
 * [signal@Flitzis.AudioEngine::sample-finished]: that signal tells the
 * frame after a voice's last one, and a voice cut off by the end of the
 * run has none (the stream's frame time ends with it).  A user interface
 * that shows playing voices clears them all when
 * [property@Flitzis.AudioEngine:running] turns %FALSE (its notify is
 * emitted once the engine has shut down, whether by this call or after
 * [signal@Flitzis.AudioEngine::stream-error]).
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_shut_down (FlitzisAudioEngine *self)
{
  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  _flitzis_audio_engine_shut_down_run (self, 0);
}


/**
 * flitzis_audio_engine_list_output_devices:
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Lists the output devices found now: a running PipeWire server's sinks
 * (host API "PipeWire", named by their `node.description`, as the
 * desktop's sound settings show them), then those PortAudio finds.  A
 * snapshot, to show in a drop-down (a `GtkDropDown` takes it directly) and
 * to pick [property@Flitzis.AudioEngine:device] from;
 * [func@Flitzis.AudioEngine.monitor_output_devices] gives a list that
 * follows hot-plug.  The JACK host API's devices appear only while a JACK
 * server runs.  The one [method@Flitzis.AudioEngine.run]
 * would open by default has [property@Flitzis.Device:is-default] set.
 *
 * Returns: (transfer full) (nullable): a [iface@Gio.ListModel] of [class@Flitzis.Device];
 *   %NULL with @error set to [error@Flitzis.EngineError.DEVICE_FAILED] when
 *   PortAudio cannot start
 *
 * Since: 0.1
 */
GListModel *
flitzis_audio_engine_list_output_devices (GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _flitzis_init_i18n ();
  return fz_stream_list_output_devices (error);
}


/**
 * flitzis_audio_engine_get_latency:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:latency].
 *
 * Returns: the output latency of the open stream in seconds, as the
 *   device reports it; 0 when not running, and for offline engines
 *
 * Since: 0.1
 */
double
flitzis_audio_engine_get_latency (FlitzisAudioEngine *self)
{
  double latency;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0.0);

  fz_mutex_lock (&self->lock);
  latency = self->latency;
  fz_mutex_unlock (&self->lock);
  return latency;
}

/**
 * flitzis_audio_engine_get_frame_time:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Reads the audio thread's frame counter, which advances once per audio
 * period; use it to relate messages ([method@Flitzis.Message.get_frame]) to
 * the time of the stream.
 *
 * Returns: the number of frames the audio thread has rendered since
 *   [method@Flitzis.AudioEngine.run], or 0 when not running
 *
 * Since: 0.1
 */
guint64
flitzis_audio_engine_get_frame_time (FlitzisAudioEngine *self)
{
  guint64 frames;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  fz_mutex_lock (&self->lock);
  frames = self->core != NULL ? fz_core_get_frame_time (self->core) : 0;
  fz_mutex_unlock (&self->lock);
  return frames;
}


static gboolean
check_offline (FlitzisAudioEngine *self, GError **error)
{
  if (self->offline)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_OFFLINE,
               _("This engine plays on a device, whose callback renders it; only an "
                 "engine made with new_offline() can be rendered"));
  return FALSE;
}

/**
 * flitzis_audio_engine_render: (skip)
 * @self: an offline [class@Flitzis.AudioEngine]
 * @buffer: (array length=n_frames): where to write @n_frames frames of
 *   interleaved float samples, [method@Flitzis.AudioEngine.get_channels] per
 *   frame
 * @n_frames: how many frames to render: one audio period
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Renders one period of an offline engine, exactly as the audio callback
 * of a device engine would: first the commands queued since the last
 * render are carried out, then the voices are mixed into @buffer.  The
 * calling thread acts as the engine's audio thread; renders of one engine
 * must not overlap.  Bindings use [method@Flitzis.AudioEngine.render_bytes].
 *
 * Returns: %TRUE when @buffer was rendered; %FALSE with @error set to
 *   [error@Flitzis.EngineError.NOT_OFFLINE] or [error@Flitzis.EngineError.NOT_RUNNING]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_render (FlitzisAudioEngine *self, float *buffer,
                             gsize n_frames, GError **error)
{
  FzCore *core;
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (buffer != NULL || n_frames == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_offline (self, error))
    return FALSE;
  fz_mutex_lock (&self->render_lock);
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  core = self->core;
  fz_mutex_unlock (&self->lock);
  /* Without the lock, like the callback: control calls go on meanwhile. */
  if (ok)
    fz_core_process (core, buffer, n_frames, 0);
  fz_mutex_unlock (&self->render_lock);
  return ok;
}

/**
 * flitzis_audio_engine_render_bytes:
 * @self: an offline [class@Flitzis.AudioEngine]
 * @n_frames: how many frames to render: one audio period
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Renders one period like [method@Flitzis.AudioEngine.render], into new memory:
 * the binding-friendly form.
 *
 * Returns: (transfer full) (nullable): @n_frames frames of interleaved
 *   32-bit float samples, little-endian, [method@Flitzis.AudioEngine.get_channels]
 *   per frame; %NULL with @error set on failure
 *
 * Since: 0.1
 */
GBytes *
flitzis_audio_engine_render_bytes (FlitzisAudioEngine *self, gsize n_frames, GError **error)
{
  g_autofree float *buffer = NULL;
  gsize n_samples;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_offline (self, error))
    return NULL;
  n_samples = n_frames * self->offline_channels;
  g_return_val_if_fail (n_samples / self->offline_channels == n_frames, NULL);
  buffer = g_new (float, n_samples);
  if (!flitzis_audio_engine_render (self, buffer, n_frames, error))
    return NULL;
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < n_samples; i++)
    {
      guint32 bits;

      memcpy (&bits, &buffer[i], sizeof bits);
      bits = GUINT32_TO_LE (bits);
      memcpy (&buffer[i], &bits, sizeof bits);
    }
#endif
  return g_bytes_new_take (g_steal_pointer (&buffer), n_samples * sizeof (float));
}

