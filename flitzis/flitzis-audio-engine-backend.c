/* flitzis-audio-engine-backend.c: which back-end an engine plays through,
 * and the devices it can see
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The backend, active-backend and reconnect properties (their
 * declarations, installed by the class, and their accessors), the choice
 * AUTO makes, and the live device model.  Any control thread, except
 * where said.
 */
#include "config.h"

#include <string.h>

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"
#include "flitzis-enum-types.h"
#include "fz-pipewire.h"
#include "fz-pipewire-monitor.h"

void
_flitzis_audio_engine_class_init_backend (GParamSpec **properties)
{
  /**
   * FlitzisAudioEngine:backend: (getter get_backend) (setter set_backend)
   *
   * What the next [method@Flitzis.AudioEngine.run] plays through.
   * [enum@Flitzis.Backend.AUTO] (the default) takes a running PipeWire
   * server that has a sink, else a running JACK server, else PortAudio's
   * default output; the `FLITZIS_BACKEND` environment variable
   * (`pipewire`, `jack`, `portaudio`) then chooses instead.  A back-end
   * asked for that is not there makes run() fail with
   * [error@Flitzis.EngineError.NO_DEVICE].  Offline engines play through
   * none.
   *
   * Since: 0.1
   */
  properties[PROP_BACKEND] =
    g_param_spec_enum ("backend", _("Back-end"),
                       _("What the next run() plays through: PipeWire, JACK, PortAudio, or "
                         "the first one there (auto)"),
                       FLITZIS_TYPE_BACKEND, FLITZIS_BACKEND_AUTO,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:active-backend: (getter get_active_backend)
   *
   * What the running stream plays through; [enum@Flitzis.Backend.AUTO]
   * when no stream is open (not running, or offline).
   *
   * Since: 0.1
   */
  properties[PROP_ACTIVE_BACKEND] =
    g_param_spec_enum ("active-backend", _("Active back-end"),
                       _("What the running stream plays through (auto when none is open)"),
                       FLITZIS_TYPE_BACKEND, FLITZIS_BACKEND_AUTO,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:reconnect: (getter get_reconnect) (setter set_reconnect)
   *
   * Whether a lost PipeWire stream opens again by itself.  When the sink
   * the engine plays into goes away, or the PipeWire server quits, the
   * engine stops and emits [signal@Flitzis.AudioEngine::stream-error] in
   * either case.  Without reconnect (the default) it has shut down, its
   * slots emptied.  With reconnect, it keeps its slots (their samples and
   * settings: gain, loop region, retrigger policy, choke group, pause) and
   * its volume, watches the server's sinks in its main context, and once
   * the sink is back (or, when none was asked for, any default sink) it
   * opens a new stream to it at the sample rate and channels its samples
   * are in, and runs again: [property@Flitzis.AudioEngine:running] turns
   * %TRUE and [signal@Flitzis.AudioEngine::reconnected] is emitted.
   * Voices that played, and triggers still queued, when the stream was
   * lost do not resume (the triggers are counted as dropped voices,
   * [method@Flitzis.EngineStats.get_dropped_voices]); the engine-wide
   * pause ([method@Flitzis.AudioEngine.pause]) is not kept either, and
   * the frame time starts again from 0, as after
   * [method@Flitzis.AudioEngine.run].  The new stream is opened on a
   * worker thread, never in the main context; a call that ends the wait
   * meanwhile waits for that attempt (as long as a run() can take).
   *
   * If the stream comes back in another format (PipeWire converts the
   * rate, so only a sink with fewer channels does this), the samples are
   * not converted: the engine stops waiting, frees them and emits
   * [signal@Flitzis.AudioEngine::stream-error] again, with
   * [error@Flitzis.EngineError.DEVICE_FAILED].  Calling
   * [method@Flitzis.AudioEngine.run] or
   * [method@Flitzis.AudioEngine.shut_down], or turning reconnect off,
   * also ends the wait and frees the kept slots.  Only PipeWire streams
   * reconnect: a JACK or PortAudio stream that is lost shuts down as
   * without reconnect.
   *
   * Since: 0.1
   */
  properties[PROP_RECONNECT] =
    g_param_spec_boolean ("reconnect", _("Reconnect"),
                          _("Whether a lost PipeWire stream opens again by itself, with its "
                            "slots, once its device is back"),
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

/**
 * flitzis_audio_engine_get_reconnect:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:reconnect].
 *
 * Returns: whether a lost PipeWire stream opens again by itself
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_reconnect (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  return (gboolean) _flitzis_audio_engine_read_guint (self, (const guint *) &self->reconnect);
}

/**
 * flitzis_audio_engine_set_reconnect:
 * @self: a [class@Flitzis.AudioEngine]
 * @reconnect: whether a lost PipeWire stream opens again by itself
 *
 * Sets [property@Flitzis.AudioEngine:reconnect].  Turning it off while
 * the engine waits for its device ends the wait and frees the slots it
 * kept.
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_reconnect (FlitzisAudioEngine *self, gboolean reconnect)
{
  gboolean changed;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  reconnect = !!reconnect;
  /* The lifecycle lock: a wait that ends frees the held core. */
  fz_mutex_lock (&self->lifecycle_lock);
  fz_mutex_lock (&self->lock);
  changed = self->reconnect != reconnect;
  self->reconnect = reconnect;
  if (!reconnect)
    _flitzis_audio_engine_drop_held (self);
  fz_mutex_unlock (&self->lock);
  fz_mutex_unlock (&self->lifecycle_lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_RECONNECT);
}

/**
 * flitzis_audio_engine_get_backend:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:backend].
 *
 * Returns: the back-end the next run() asks for
 *
 * Since: 0.1
 */
FlitzisBackend
flitzis_audio_engine_get_backend (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FLITZIS_BACKEND_AUTO);

  return (FlitzisBackend) _flitzis_audio_engine_read_guint (self, &self->backend);
}

/**
 * flitzis_audio_engine_set_backend:
 * @self: a [class@Flitzis.AudioEngine]
 * @backend: what the next [method@Flitzis.AudioEngine.run] plays through
 *
 * Sets [property@Flitzis.AudioEngine:backend].  A running stream stays on
 * the back-end it has.
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_backend (FlitzisAudioEngine *self, FlitzisBackend backend)
{
  gboolean changed;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));
  g_return_if_fail (backend <= FLITZIS_BACKEND_PORTAUDIO);

  fz_mutex_lock (&self->lock);
  changed = self->backend != backend;
  self->backend = backend;
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_BACKEND);
}

/**
 * flitzis_audio_engine_get_active_backend:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:active-backend].
 *
 * Returns: what the running stream plays through, or
 *   [enum@Flitzis.Backend.AUTO] when none is open
 *
 * Since: 0.1
 */
FlitzisBackend
flitzis_audio_engine_get_active_backend (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FLITZIS_BACKEND_AUTO);

  return (FlitzisBackend) _flitzis_audio_engine_read_guint (self, &self->active_backend);
}

/* Called with the lock held: the property, or for AUTO the environment's
 * FLITZIS_BACKEND.  A word there that names no back-end fails run(). */
gboolean
_flitzis_audio_engine_requested_backend (FlitzisAudioEngine *self, FlitzisBackend *backend,
                                         GError **error)
{
  static const char *const names[] = { "auto", "pipewire", "jack", "portaudio" };
  const char *from_env = g_getenv ("FLITZIS_BACKEND");

  *backend = (FlitzisBackend) self->backend;
  if (*backend != FLITZIS_BACKEND_AUTO || from_env == NULL || *from_env == '\0')
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (from_env, names[i]) == 0)
      {
        *backend = (FlitzisBackend) i;
        return TRUE;
      }
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
               _("FLITZIS_BACKEND is “%s”, which names no back-end; use pipewire, jack, "
                 "portaudio or auto"), from_env);
  return FALSE;
}

/**
 * flitzis_audio_engine_detect_backend:
 *
 * Looks for what [enum@Flitzis.Backend.AUTO] would play through now,
 * without opening a stream: [enum@Flitzis.Backend.PIPEWIRE] when a
 * PipeWire server with a sink answers, else [enum@Flitzis.Backend.JACK]
 * when a JACK server does, else [enum@Flitzis.Backend.PORTAUDIO].  The
 * `FLITZIS_BACKEND` environment variable is not read.
 *
 * Returns: the back-end an engine left at [enum@Flitzis.Backend.AUTO]
 *   would take
 *
 * Since: 0.1
 */
FlitzisBackend
flitzis_audio_engine_detect_backend (void)
{
  g_autoptr (GListModel) devices = NULL;
  guint n;

  if (fz_pipewire_available (NULL))
    return FLITZIS_BACKEND_PIPEWIRE;
  /* PortAudio lists its JACK host API only while a JACK server runs; its
   * default device is then a JACK one. */
  devices = fz_stream_list_output_devices (NULL);
  n = devices != NULL ? g_list_model_get_n_items (devices) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlitzisDevice) device = g_list_model_get_item (devices, i);

      if (flitzis_device_get_is_default (device) &&
          strstr (flitzis_device_get_host_api (device), "JACK") != NULL)
        return FLITZIS_BACKEND_JACK;
    }
  return FLITZIS_BACKEND_PORTAUDIO;
}

/**
 * flitzis_audio_engine_monitor_output_devices:
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Lists the output devices, as a list that follows the machine: while a
 * PipeWire server runs, its sinks (named as the desktop's sound settings
 * name them), and a sink that appears or goes away changes the list
 * ([signal@Gio.ListModel::items-changed], emitted in the thread-default
 * [struct@GLib.MainContext] of the caller, which must run).  When the
 * server stops the list empties, and it fills again when a server comes
 * back.  A `GtkDropDown` takes it directly.
 *
 * Without a PipeWire server, the list is the snapshot
 * [func@Flitzis.AudioEngine.list_output_devices] gives, and does not
 * change: PortAudio cannot look for devices again without being shut
 * down.  A JACK server's ports are not followed either: the JACK devices
 * are PortAudio's (one per JACK client with playback ports, listed when
 * PortAudio starts), so a model of ports that come and go would list
 * devices that [method@Flitzis.AudioEngine.run] cannot choose until
 * PortAudio starts again, and what comes and goes under a JACK session is
 * mostly other applications' ports, not outputs; a JACK server that stops
 * is reported by [signal@Flitzis.AudioEngine::stream-error].
 *
 * Release the list in the thread of that main context.
 *
 * Returns: (transfer full) (nullable): a [iface@Gio.ListModel] of
 *   [class@Flitzis.Device]; %NULL with @error set as
 *   [func@Flitzis.AudioEngine.list_output_devices] sets it
 *
 * Since: 0.1
 */
GListModel *
flitzis_audio_engine_monitor_output_devices (GError **error)
{
  FzPwMonitor *monitor;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _flitzis_init_i18n ();
  monitor = fz_pw_monitor_new (NULL);
  if (monitor != NULL && fz_pw_monitor_wait (monitor, 2000, NULL))
    return fz_pw_monitor_attach (monitor, g_main_context_get_thread_default ());
  fz_pw_monitor_free (monitor);
  return fz_stream_list_output_devices (error);
}
