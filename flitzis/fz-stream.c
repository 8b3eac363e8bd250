/* fz-stream.c: the PortAudio output stream, see fz-stream.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * PortAudio is initialised per stream, so that a JACK server started after
 * the process is found (PortAudio only lists the JACK host API when the
 * server is up at Pa_Initialize() time).  Its set-up calls are not
 * thread-safe, so they are serialised by pa_lock.
 *
 * On a machine without a sound card, initialising ALSA and probing for JACK
 * prints dozens of lines to stderr.  Silent handlers are installed around
 * PortAudio's set-up and tear-down calls and the previous ones put back
 * afterwards; FLITZIS_BACKEND_MESSAGES=1 keeps the messages for debugging.
 */
#include "config.h"

#include <alsa/asoundlib.h>
#include <jack/jack.h>
#include <portaudio.h>

#include "flitzis-engine-error.h"
#include "flitzis-device-private.h"
#include "flitzis-i18n-private.h"
#include "fz-jack.h"
#include "fz-pipewire.h"
#include "fz-stream.h"
#include "fz-tsan.h"

/* Stereo is what loopers and DJ tools play; a mono device gets mono. */
#define FZ_STREAM_MAX_CHANNELS 2

struct FzStream {
  PaStream *pa;          /* a PortAudio stream, */
  FzJack *jack;          /* or, for a JACK device, a client of our own, */
  FzPipewire *pipewire;  /* or a native PipeWire stream */
  FlitzisBackend backend;
  FzCore *core;          /* read by the audio thread once started */
  guint sample_rate;
  guint channels;
  double latency;
  char *device_name;
};

static GMutex pa_lock;

/* ---- quiet back-ends ---- */

typedef struct {
  snd_lib_error_handler_t alsa_error;
  void (*jack_error) (const char *);
  void (*jack_info) (const char *);
  gboolean active;
} FzQuiet;

static void
silent_alsa (const char *file, int line, const char *function, int err, const char *fmt, ...)
{
  (void) file; (void) line; (void) function; (void) err; (void) fmt;
}

static void
silent_jack (const char *message)
{
  (void) message;
}

static void
quiet_begin (FzQuiet *quiet)
{
  quiet->active = g_strcmp0 (g_getenv ("FLITZIS_BACKEND_MESSAGES"), "1") != 0;
  if (!quiet->active)
    return;
  quiet->alsa_error = snd_lib_error;
  quiet->jack_error = jack_error_callback;
  quiet->jack_info = jack_info_callback;
  snd_lib_error_set_handler (silent_alsa);
  jack_set_error_function (silent_jack);
  jack_set_info_function (silent_jack);
}

static void
quiet_end (FzQuiet *quiet)
{
  if (!quiet->active)
    return;
  snd_lib_error_set_handler (quiet->alsa_error);
  jack_set_error_function (quiet->jack_error);
  jack_set_info_function (quiet->jack_info);
}

/* ---- device choice ---- */

static PaDeviceIndex
find_output_device (const char *name)
{
  PaDeviceIndex count = Pa_GetDeviceCount ();

  for (PaDeviceIndex i = 0; i < count; i++)
    {
      const PaDeviceInfo *info = Pa_GetDeviceInfo (i);

      if (info != NULL && info->maxOutputChannels > 0 && g_strcmp0 (info->name, name) == 0)
        return i;
    }
  return paNoDevice;
}

static char *
list_output_devices (void)
{
  GString *names = g_string_new (NULL);
  PaDeviceIndex count = Pa_GetDeviceCount ();

  for (PaDeviceIndex i = 0; i < count; i++)
    {
      const PaDeviceInfo *info = Pa_GetDeviceInfo (i);

      if (info == NULL || info->maxOutputChannels <= 0)
        continue;
      g_string_append_printf (names, "%s“%s”", names->len > 0 ? ", " : "", info->name);
    }
  if (names->len == 0)
    g_string_append (names, _("none"));
  return g_string_free (names, FALSE);
}

static PaDeviceIndex
default_output_device (void)
{
  PaHostApiIndex jack = Pa_HostApiTypeIdToHostApiIndex (paJACK);

  if (jack >= 0)
    {
      const PaHostApiInfo *api = Pa_GetHostApiInfo (jack);

      if (api != NULL && api->defaultOutputDevice != paNoDevice)
        return api->defaultOutputDevice;
    }
  return Pa_GetDefaultOutputDevice ();
}

static gboolean is_jack_device (PaDeviceIndex device);

/* The default output of @backend (AUTO: JACK's when a server runs). */
static PaDeviceIndex
backend_default_device (FlitzisBackend backend, GError **error)
{
  PaDeviceIndex device = backend == FLITZIS_BACKEND_PORTAUDIO ? Pa_GetDefaultOutputDevice ()
                                                              : default_output_device ();

  if (backend == FLITZIS_BACKEND_JACK && (device == paNoDevice || !is_jack_device (device)))
    {
      g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                           _("The JACK back-end was asked for, but no JACK server is running"));
      return paNoDevice;
    }
  if (device == paNoDevice)
    g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                 _("No audio output device was found; connect one or start a JACK server"));
  return device;
}

static PaDeviceIndex
choose_device (const char *device_name, FlitzisBackend backend, GError **error)
{
  PaDeviceIndex device;
  g_autofree char *available = NULL;

  if (device_name == NULL)
    return backend_default_device (backend, error);
  device = find_output_device (device_name);
  if (device != paNoDevice && backend == FLITZIS_BACKEND_JACK && !is_jack_device (device))
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                   _("The JACK back-end was asked for, but “%s” is not a JACK device"),
                   device_name);
      return paNoDevice;
    }
  if (device == paNoDevice)
    {
      available = list_output_devices ();
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                   _("No output device is named “%s”; available are: %s"),
                   device_name, available);
    }
  return device;
}

/* ---- the audio thread ---- */

/* Runs on PortAudio's audio thread: the whole real-time work is in
 * fz_core_process(), which allocates nothing, locks nothing and makes no
 * system call. */
static int on_period (const void *input, void *output, unsigned long frames,
                      const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags flags,
                      void *user_data) FZ_NONBLOCKING;
static int
on_period (const void *input, void *output, unsigned long frames,
           const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags flags,
           void *user_data)
{
  FzStream *stream = user_data;

  (void) input; (void) time_info;
  fz_core_process (stream->core, output, frames,
                   (flags & paOutputUnderflow) ? FZ_PROCESS_UNDERRUN : 0);
  return paContinue;
}

/* ---- control thread ---- */

static void
set_pa_error (GError **error, const char *what, PaError pa_error)
{
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
               /* TRANSLATORS: the first %s is what failed, the second PortAudio's reason */
               _("%s: %s"), what, Pa_GetErrorText (pa_error));
}

/* Takes pa_lock and initialises PortAudio, quietly; on failure releases
 * both and sets @error.  PortAudio's set-up calls are not thread-safe. */
static gboolean
begin_pa (FzQuiet *quiet, GError **error)
{
  PaError pa_error;

  fz_mutex_lock (&pa_lock);
  quiet_begin (quiet);
  pa_error = Pa_Initialize ();
  if (pa_error == paNoError)
    return TRUE;
  set_pa_error (error, _("Cannot initialise PortAudio"), pa_error);
  quiet_end (quiet);
  fz_mutex_unlock (&pa_lock);
  return FALSE;
}

static void
end_pa (FzQuiet *quiet)
{
  quiet_end (quiet);
  fz_mutex_unlock (&pa_lock);
}

static gboolean
open_pa_stream (FzStream *stream, PaDeviceIndex device, const FzStreamRequest *request,
                GError **error)
{
  const PaDeviceInfo *info = Pa_GetDeviceInfo (device);
  double rate = request->sample_rate > 0 ? request->sample_rate : info->defaultSampleRate;
  unsigned long period = request->period_frames > 0 ? request->period_frames
                                                    : paFramesPerBufferUnspecified;
  PaStreamParameters params = {
    .device = device,
    .channelCount = MIN (info->maxOutputChannels, FZ_STREAM_MAX_CHANNELS),
    .sampleFormat = paFloat32,
    .suggestedLatency = info->defaultLowOutputLatency,
  };
  const PaStreamInfo *stream_info;
  PaError pa_error;

  pa_error = Pa_OpenStream (&stream->pa, NULL, &params, rate, period,
                            paDitherOff, on_period, stream);
  if (pa_error != paNoError)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot open output device “%s”"), info->name);
      set_pa_error (error, what, pa_error);
      stream->pa = NULL;
      return FALSE;
    }
  stream_info = Pa_GetStreamInfo (stream->pa);
  stream->sample_rate = (guint) (stream_info != NULL ? stream_info->sampleRate : rate);
  stream->latency = stream_info != NULL ? stream_info->outputLatency : 0.0;
  stream->channels = (guint) params.channelCount;
  stream->device_name = g_strdup (info->name);
  stream->backend = FLITZIS_BACKEND_PORTAUDIO;
  return TRUE;
}

static gboolean
is_jack_device (PaDeviceIndex device)
{
  const PaDeviceInfo *info = Pa_GetDeviceInfo (device);

  return info != NULL && info->hostApi == Pa_HostApiTypeIdToHostApiIndex (paJACK);
}

/* Called with pa_lock held, PortAudio terminated: see fz-jack.h for why
 * JACK devices do not go through PortAudio. */
static gboolean
open_jack (FzStream *stream, const char *device_name, guint max_channels,
           const FzStreamRequest *request, GError **error)
{
  stream->jack = fz_jack_open (device_name, MIN (max_channels, FZ_STREAM_MAX_CHANNELS),
                               request->sample_rate, request->period_frames, error);
  if (stream->jack == NULL)
    return FALSE;
  stream->sample_rate = fz_jack_get_sample_rate (stream->jack);
  stream->channels = fz_jack_get_channels (stream->jack);
  stream->latency = fz_jack_get_latency (stream->jack);
  stream->device_name = g_strdup (device_name);
  stream->backend = FLITZIS_BACKEND_JACK;
  return TRUE;
}

/* See fz-pipewire.h: PortAudio is not involved. */
static FzStream *
open_pipewire (const FzStreamRequest *request, GError **error)
{
  FzPipewire *pipewire = fz_pipewire_open (request->device_name, FZ_STREAM_MAX_CHANNELS,
                                           request->sample_rate, request->period_frames, error);
  FzStream *stream;

  if (pipewire == NULL)
    return NULL;
  stream = g_new0 (FzStream, 1);
  stream->pipewire = pipewire;
  stream->backend = FLITZIS_BACKEND_PIPEWIRE;
  stream->sample_rate = fz_pipewire_get_sample_rate (pipewire);
  stream->channels = fz_pipewire_get_channels (pipewire);
  stream->latency = fz_pipewire_get_latency (pipewire);
  stream->device_name = g_strdup (fz_pipewire_get_device_name (pipewire));
  return stream;
}

FzStream *
fz_stream_open (const FzStreamRequest *request, GError **error)
{
  FzStream *stream;
  PaDeviceIndex device;
  FzQuiet quiet;
  gboolean ok = FALSE;

  if (request->backend == FLITZIS_BACKEND_PIPEWIRE ||
      (request->backend == FLITZIS_BACKEND_AUTO && fz_pipewire_available (request->device_name)))
    return open_pipewire (request, error);
  stream = g_new0 (FzStream, 1);
  if (!begin_pa (&quiet, error))
    {
      g_free (stream);
      return NULL;
    }
  device = choose_device (request->device_name, request->backend, error);
  if (device != paNoDevice && is_jack_device (device))
    {
      const PaDeviceInfo *info = Pa_GetDeviceInfo (device);
      g_autofree char *name = g_strdup (info->name);
      guint max_channels = (guint) info->maxOutputChannels;

      Pa_Terminate ();
      ok = open_jack (stream, name, max_channels, request, error);
    }
  else if (device != paNoDevice)
    {
      ok = open_pa_stream (stream, device, request, error);
      if (!ok)
        Pa_Terminate ();
    }
  else
    Pa_Terminate ();
  end_pa (&quiet);

  if (!ok)
    g_clear_pointer (&stream, g_free);
  return stream;
}

guint
fz_stream_get_sample_rate (FzStream *stream)
{
  return stream->sample_rate;
}

guint
fz_stream_get_channels (FzStream *stream)
{
  return stream->channels;
}

const char *
fz_stream_get_device_name (FzStream *stream)
{
  return stream->device_name;
}

FlitzisBackend
fz_stream_get_backend (FzStream *stream)
{
  return stream->backend;
}

double
fz_stream_get_latency (FzStream *stream)
{
  return stream->latency;
}

gboolean
fz_stream_is_alive (FzStream *stream)
{
  gboolean alive;

  if (stream->pipewire != NULL)
    return fz_pipewire_is_alive (stream->pipewire);
  /* Asked often, from a main loop: when another stream is being set up,
   * the answer waits for the next time instead. */
  if (!fz_mutex_trylock (&pa_lock))
    return TRUE;
  alive = stream->jack != NULL ? fz_jack_is_alive (stream->jack)
                               : Pa_IsStreamActive (stream->pa) == 1;
  fz_mutex_unlock (&pa_lock);
  return alive;
}

static void
append_device (GListStore *store, PaDeviceIndex index, PaDeviceIndex default_device)
{
  const PaDeviceInfo *info = Pa_GetDeviceInfo (index);
  const PaHostApiInfo *api;
  g_autoptr (FlitzisDevice) device = NULL;

  if (info == NULL || info->maxOutputChannels <= 0)
    return;
  api = Pa_GetHostApiInfo (info->hostApi);
  device = _flitzis_device_new (info->name, api != NULL ? api->name : "", (guint) info->maxOutputChannels,
                               info->defaultSampleRate, info->defaultLowOutputLatency,
                               index == default_device);
  g_list_store_append (store, device);
}

GListModel *
fz_stream_list_output_devices (GError **error)
{
  GListStore *store;
  PaDeviceIndex default_device;
  FzQuiet quiet;
  gboolean pipewire;

  store = g_list_store_new (FLITZIS_TYPE_DEVICE);
  pipewire = fz_pipewire_list_sinks (store);
  if (!begin_pa (&quiet, error))
    {
      g_object_unref (store);
      return NULL;
    }
  /* With a PipeWire server, its default sink is the default. */
  default_device = pipewire ? paNoDevice : default_output_device ();
  for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount (); i++)
    append_device (store, i, default_device);
  Pa_Terminate ();
  end_pa (&quiet);
  return G_LIST_MODEL (store);
}

gboolean
fz_stream_start (FzStream *stream, FzCore *core, GError **error)
{
  PaError pa_error;
  FzQuiet quiet;

  stream->core = core;
  if (stream->jack != NULL)
    return fz_jack_start (stream->jack, core, error);
  if (stream->pipewire != NULL)
    return fz_pipewire_start (stream->pipewire, core, error);
  fz_mutex_lock (&pa_lock);
  quiet_begin (&quiet);
  pa_error = Pa_StartStream (stream->pa);
  quiet_end (&quiet);
  fz_mutex_unlock (&pa_lock);
  if (pa_error != paNoError)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot start output device “%s”"),
                                               stream->device_name);
      set_pa_error (error, what, pa_error);
      return FALSE;
    }
  return TRUE;
}

gboolean
fz_stream_close (FzStream *stream)
{
  gboolean stopped;
  FzQuiet quiet;

  if (stream == NULL)
    return TRUE;
  if (stream->pipewire != NULL)
    {
      fz_pipewire_close (stream->pipewire);
      g_free (stream->device_name);
      g_free (stream);
      return TRUE;
    }
  fz_mutex_lock (&pa_lock);
  quiet_begin (&quiet);
  if (stream->jack != NULL)
    {
      fz_jack_close (stream->jack);
      quiet_end (&quiet);
      fz_mutex_unlock (&pa_lock);
      g_free (stream->device_name);
      g_free (stream);
      return TRUE;
    }
  /* Pa_StopStream() waits for the callback to return; should it fail,
   * Pa_AbortStream() stops without draining. */
  if (Pa_IsStreamStopped (stream->pa) == 0 && Pa_StopStream (stream->pa) != paNoError)
    Pa_AbortStream (stream->pa);
  stopped = Pa_IsStreamActive (stream->pa) == 0;
  if (stopped && Pa_CloseStream (stream->pa) == paNoError)
    Pa_Terminate ();
  else
    stopped = FALSE;
  quiet_end (&quiet);
  fz_mutex_unlock (&pa_lock);
  if (!stopped)
    {
      /* The callback may still run: its stream and core must stay. */
      g_warning ("The audio stream on “%s” did not stop; its memory is kept", stream->device_name);
      return FALSE;
    }
  g_free (stream->device_name);
  g_free (stream);
  return TRUE;
}
