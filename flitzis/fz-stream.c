/* fz-stream.c: the output stream, see fz-stream.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Three back-ends behind one stream: a native PipeWire stream
 * (fz-pipewire.h), a JACK client through libjack (fz-jack.h), or a
 * PortAudio stream.  Whichever it is, closing runs on a thread of its own
 * waited for a bounded time (fz_stream_close()): a frozen server must not
 * hang the application.
 *
 * PortAudio is initialised when first needed and kept while it has users
 * (reference-counted): every engine from its creation to its finalisation
 * (fz_stream_backend_hold()), every open PortAudio stream and every device
 * listing while it lasts; the last one to go terminates it.  Each Pa_Initialize()/Pa_Terminate() pair
 * keeps some 20 KB inside alsa-lib when PipeWire's ALSA plug-in is
 * configured (Debian's pipewire-alsa), so initialising per run() grew the
 * heap without bound.  JACK devices are found and played through libjack
 * itself (fz-jack.h), never through PortAudio's JACK host API: a JACK server
 * started after PortAudio was initialised is found all the same.
 *
 * PortAudio's calls are not thread-safe, so they are serialised by a gate
 * (pa_enter()) that waits a bounded time: a back-end call that never
 * returns (a PipeWire daemon killed under PortAudio's ALSA thread, a frozen
 * JACK server) holds the gate for ever, and later callers fail with an
 * error instead of hanging.  Closing a stream runs on a thread of its own
 * for the same reason (fz_stream_close()).
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
#include <pa_linux_alsa.h>

#include "flitzis-engine-error.h"
#include "flitzis-device-private.h"
#include "flitzis-i18n-private.h"
#include "fz-bounded.h"
#include "fz-jack.h"
#include "fz-pipewire.h"
#include "fz-silence.h"
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
  gboolean alsa;         /* a stream of PortAudio's ALSA host API */
};

/* How long a caller waits for PortAudio to be free, and for a stream to
 * close, before giving up on it. */
#define FZ_PA_WAIT_MS 2000

/* The gate: pa_busy is TRUE while a thread is inside PortAudio. */
static GMutex pa_mutex;
static GCond pa_cond;
static gboolean pa_busy;
/* Users: engines that exist (fz_stream_backend_hold()), open PortAudio
 * streams, listings in progress.  Atomic; PortAudio is terminated, inside
 * the gate, when it drops to 0. */
static gint pa_users;
static gboolean pa_initialised;   /* atomic reads; written inside the gate */
/* Inside the gate: streams open and listings in progress (users that are
 * not engines merely existing), and whether PortAudio's JACK host API came
 * up at initialisation.  When it did, PortAudio holds a JACK client of its
 * own on the server that ran then; kept after that server has gone, the
 * client made a later jack_client_close() of another client crash inside
 * libjack (seen in the soak).  So PortAudio is then terminated as soon as
 * nothing is active, and initialised again when next needed, as before
 * 0.1: once per process holds where no JACK server runs (a PipeWire
 * desktop through pipewire-alsa). */
static guint pa_active;
static gboolean pa_has_jack_api;

/* ---- quiet back-ends ---- */

/* The handlers are process-wide: the first thread to go quiet saves the
 * previous ones, the last to finish puts them back (JACK is opened outside
 * PortAudio's gate, so quiet sections may overlap). */
typedef struct {
  gboolean active;
} FzQuiet;

static GMutex quiet_mutex;
static guint quiet_depth;
static snd_lib_error_handler_t saved_alsa_error;
static void (*saved_jack_error) (const char *);
static void (*saved_jack_info) (const char *);

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
  fz_mutex_lock (&quiet_mutex);
  if (quiet_depth++ == 0)
    {
      saved_alsa_error = snd_lib_error;
      saved_jack_error = jack_error_callback;
      saved_jack_info = jack_info_callback;
      snd_lib_error_set_handler (silent_alsa);
      jack_set_error_function (silent_jack);
      jack_set_info_function (silent_jack);
    }
  fz_mutex_unlock (&quiet_mutex);
}

static void
quiet_end (FzQuiet *quiet)
{
  if (!quiet->active)
    return;
  fz_mutex_lock (&quiet_mutex);
  if (--quiet_depth == 0)
    {
      snd_lib_error_set_handler (saved_alsa_error);
      jack_set_error_function (saved_jack_error);
      jack_set_info_function (saved_jack_info);
    }
  fz_mutex_unlock (&quiet_mutex);
}

/* libjack, quietly. */
static void
list_jack_devices (GListStore *store)
{
  FzQuiet quiet;

  quiet_begin (&quiet);
  fz_jack_list_devices (store);
  quiet_end (&quiet);
}

/* ---- device choice (inside the gate) ---- */

/* JACK devices are played through libjack (fz-jack.h): PortAudio's own
 * list of them is left out. */
static gboolean
is_portaudio_output (const PaDeviceInfo *info)
{
  return info != NULL && info->maxOutputChannels > 0 &&
         info->hostApi != Pa_HostApiTypeIdToHostApiIndex (paJACK);
}

static PaDeviceIndex
find_output_device (const char *name)
{
  PaDeviceIndex count = Pa_GetDeviceCount ();

  for (PaDeviceIndex i = 0; i < count; i++)
    {
      const PaDeviceInfo *info = Pa_GetDeviceInfo (i);

      if (is_portaudio_output (info) && g_strcmp0 (info->name, name) == 0)
        return i;
    }
  return paNoDevice;
}

static PaDeviceIndex
default_output_device (void)
{
  PaDeviceIndex device = Pa_GetDefaultOutputDevice ();

  return device != paNoDevice && is_portaudio_output (Pa_GetDeviceInfo (device))
         ? device : paNoDevice;
}

static void
append_device (GListStore *store, PaDeviceIndex index, gboolean is_default)
{
  const PaDeviceInfo *info = Pa_GetDeviceInfo (index);
  const PaHostApiInfo *api;
  g_autoptr (FlitzisDevice) device = NULL;

  if (!is_portaudio_output (info))
    return;
  api = Pa_GetHostApiInfo (info->hostApi);
  device = _flitzis_device_new (info->name, api != NULL ? api->name : "",
                                (guint) info->maxOutputChannels, info->defaultSampleRate,
                                info->defaultLowOutputLatency, is_default);
  g_list_store_append (store, device);
}

/* PortAudio's output devices; the default one marked if @mark_default. */
static void
append_portaudio_devices (GListStore *store, gboolean mark_default)
{
  PaDeviceIndex default_device = mark_default ? default_output_device () : paNoDevice;

  for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount (); i++)
    append_device (store, i, i == default_device);
}

/* ---- the audio thread ---- */

/* Runs on PortAudio's audio thread: the whole real-time work is in
 * fz_core_process(), which allocates nothing, locks nothing and makes no
 * system call.  An underflow PortAudio reports is the stream's own: it
 * counts as an xrun and as the engine's own underrun. */
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
                   (flags & paOutputUnderflow) ? FZ_PROCESS_UNDERRUN | FZ_PROCESS_OWN_UNDERRUN : 0);
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

static gboolean
pa_wait (gint64 deadline)
{
  return fz_cond_wait_until (&pa_cond, &pa_mutex, deadline);
}

/* Any control thread: enters PortAudio, waiting at most @wait_ms for the
 * thread inside to leave (-1: not at all). */
static gboolean
pa_enter (gint64 wait_ms)
{
  gint64 deadline = g_get_monotonic_time () + wait_ms * G_TIME_SPAN_MILLISECOND;
  gboolean entered;

  fz_mutex_lock (&pa_mutex);
  while (pa_busy && wait_ms >= 0 && pa_wait (deadline))
    ;
  entered = !pa_busy;
  if (entered)
    pa_busy = TRUE;
  fz_mutex_unlock (&pa_mutex);
  if (entered)
    fz_tsan_acquire (&pa_busy);
  return entered;
}

static void
pa_leave (void)
{
  fz_tsan_release (&pa_busy);
  fz_mutex_lock (&pa_mutex);
  pa_busy = FALSE;
  g_cond_signal (&pa_cond);
  fz_mutex_unlock (&pa_mutex);
}

static gboolean
set_busy_error (GError **error)
{
  g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                       _("PortAudio is still busy with a stream that did not stop (its "
                         "device or sound server does not answer); try again later"));
  return FALSE;
}

/* Called inside the gate by a user: initialises PortAudio if it is not. */
static gboolean
pa_init_entered (GError **error)
{
  FzQuiet quiet;
  PaError pa_error;

  if (g_atomic_int_get (&pa_initialised))
    return TRUE;
  quiet_begin (&quiet);
  pa_error = Pa_Initialize ();
  quiet_end (&quiet);
  if (pa_error != paNoError)
    {
      set_pa_error (error, _("Cannot initialise PortAudio"), pa_error);
      return FALSE;
    }
  g_atomic_int_set (&pa_initialised, TRUE);
  pa_has_jack_api = Pa_HostApiTypeIdToHostApiIndex (paJACK) >= 0;
  return TRUE;
}

/* Called inside the gate: terminates PortAudio if nobody uses it, or
 * nothing is active and it holds a JACK client (see pa_active). */
static void
pa_terminate_entered (void)
{
  FzQuiet quiet;

  if (!g_atomic_int_get (&pa_initialised) || pa_active > 0 ||
      (g_atomic_int_get (&pa_users) > 0 && !pa_has_jack_api))
    return;
  quiet_begin (&quiet);
  Pa_Terminate ();
  quiet_end (&quiet);
  g_atomic_int_set (&pa_initialised, FALSE);
}

/* Called inside the gate: one active user fewer. */
static void
pa_unref_entered (void)
{
  g_assert (pa_active > 0);
  pa_active--;
  g_atomic_int_dec_and_test (&pa_users);
  pa_terminate_entered ();
}

void
fz_stream_backend_hold (void)
{
  g_atomic_int_inc (&pa_users);
}

static gboolean
terminate_now (gpointer data)
{
  (void) data;
  pa_enter (G_MAXINT32);
  pa_terminate_entered ();
  pa_leave ();
  return TRUE;
}

/* Terminating PortAudio closes the JACK client its JACK host API opened
 * when a server ran at initialisation, which blocks while that server is
 * frozen: bounded, like closing a stream. */
void
fz_stream_backend_release (void)
{
  gboolean ignored;

  if (g_atomic_int_dec_and_test (&pa_users) && g_atomic_int_get (&pa_initialised))
    fz_bounded_call ("flitzis-pa-end", FZ_PA_WAIT_MS, terminate_now, NULL, &ignored);
}

/* Enters the gate as a user: PortAudio is initialised inside. */
static gboolean
begin_pa (FzQuiet *quiet, GError **error)
{
  g_atomic_int_inc (&pa_users);
  if (!pa_enter (FZ_PA_WAIT_MS))
    {
      g_atomic_int_dec_and_test (&pa_users);
      return set_busy_error (error);
    }
  pa_active++;
  if (!pa_init_entered (error))
    {
      pa_unref_entered ();
      pa_leave ();
      return FALSE;
    }
  quiet_begin (quiet);
  return TRUE;
}

/* Leaves the gate, keeping the reference if @keep (an open stream). */
static void
end_pa (FzQuiet *quiet, gboolean keep)
{
  quiet_end (quiet);
  if (!keep)
    pa_unref_entered ();
  pa_leave ();
}

/* Called inside the gate. */
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
  stream->alsa = info->hostApi == Pa_HostApiTypeIdToHostApiIndex (paALSA);
  stream->backend = FLITZIS_BACKEND_PORTAUDIO;
  return TRUE;
}

/* Outside the gate: a JACK device is libjack's (fz-jack.h). */
static gboolean
open_jack (FzStream *stream, const FzStreamRequest *request, FzJackFailure *failure,
           GError **error)
{
  FzQuiet quiet;

  quiet_begin (&quiet);
  stream->jack = fz_jack_open (request->device_name, FZ_STREAM_MAX_CHANNELS,
                               request->sample_rate, request->period_frames, failure, error);
  quiet_end (&quiet);
  if (stream->jack == NULL)
    return FALSE;
  stream->sample_rate = fz_jack_get_sample_rate (stream->jack);
  stream->channels = fz_jack_get_channels (stream->jack);
  stream->latency = fz_jack_get_latency (stream->jack);
  stream->device_name = g_strdup (request->device_name != NULL ? request->device_name
                                                               : fz_jack_get_device_name (stream->jack));
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

/* Called inside the gate: "“a”, “b”", every output device's name. */
static char *
list_output_names (void)
{
  g_autoptr (GListStore) store = g_list_store_new (FLITZIS_TYPE_DEVICE);
  GString *names = g_string_new (NULL);

  append_portaudio_devices (store, FALSE);
  list_jack_devices (store);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr (FlitzisDevice) device = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_string_append_printf (names, "%s“%s”", names->len > 0 ? ", " : "",
                              flitzis_device_get_name (device));
    }
  if (names->len == 0)
    g_string_append (names, _("none"));
  return g_string_free (names, FALSE);
}

/* Inside the gate: PortAudio's device for @request, or the error to give
 * when there is none (@jack_error: why JACK had none). */
static PaDeviceIndex
choose_portaudio_device (const FzStreamRequest *request, FzJackFailure failure,
                         GError **jack_error, GError **error)
{
  PaDeviceIndex device;

  if (request->device_name != NULL)
    {
      g_autofree char *available = NULL;

      device = find_output_device (request->device_name);
      if (device != paNoDevice)
        return device;
      available = list_output_names ();
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                   _("No output device is named “%s”; available are: %s"),
                   request->device_name, available);
      return paNoDevice;
    }
  device = default_output_device ();
  if (device != paNoDevice)
    return device;
  if (failure == FZ_JACK_NO_PORTS)
    g_propagate_error (error, g_steal_pointer (jack_error));
  else
    g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                 _("No audio output device was found; connect one or start a JACK server"));
  return paNoDevice;
}

/* A PortAudio device named by @request, or PortAudio's default output. */
static gboolean
open_portaudio (FzStream *stream, const FzStreamRequest *request, FzJackFailure failure,
                GError **jack_error, GError **error)
{
  PaDeviceIndex device;
  FzQuiet quiet;
  gboolean ok = FALSE;

  if (!begin_pa (&quiet, error))
    return FALSE;
  device = choose_portaudio_device (request, failure, jack_error, error);
  if (device != paNoDevice)
    ok = open_pa_stream (stream, device, request, error);
  /* An open stream keeps its reference until it is closed. */
  end_pa (&quiet, ok);
  return ok;
}

/* The JACK back-end asked for: a JACK server's client, or why not. */
static gboolean
open_jack_only (FzStream *stream, const FzStreamRequest *request, GError **error)
{
  g_autoptr (GError) jack_error = NULL;
  FzJackFailure failure = FZ_JACK_NO_SERVER;

  if (open_jack (stream, request, &failure, &jack_error))
    return TRUE;
  if (failure == FZ_JACK_NO_SERVER)
    g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                         _("The JACK back-end was asked for, but no JACK server is running"));
  else
    g_propagate_error (error, g_steal_pointer (&jack_error));
  return FALSE;
}

/* PIPEWIRE: a native PipeWire stream.  JACK: a JACK server's client (by
 * name, or the physical playback ports).  PORTAUDIO: PortAudio's device
 * of that name, or its default output.  AUTO: PipeWire when a server
 * with a sink (of that name) answers, else JACK when a server runs and
 * has the ports asked for, else PortAudio.  JACK is asked outside
 * PortAudio's gate: a device on JACK never initialises PortAudio. */
FzStream *
fz_stream_open (const FzStreamRequest *request, GError **error)
{
  FzStream *stream;
  g_autoptr (GError) jack_error = NULL;
  FzJackFailure failure = FZ_JACK_NO_SERVER;
  gboolean ok;

  if (request->backend == FLITZIS_BACKEND_PIPEWIRE ||
      (request->backend == FLITZIS_BACKEND_AUTO && fz_pipewire_available (request->device_name)))
    return open_pipewire (request, error);
  stream = g_new0 (FzStream, 1);
  if (request->backend == FLITZIS_BACKEND_JACK)
    ok = open_jack_only (stream, request, error);
  else if (request->backend == FLITZIS_BACKEND_AUTO &&
           open_jack (stream, request, &failure, &jack_error))
    ok = TRUE;
  else if (failure == FZ_JACK_FAILED)
    {
      g_propagate_error (error, g_steal_pointer (&jack_error));
      ok = FALSE;
    }
  else
    ok = open_portaudio (stream, request, failure, &jack_error, error);
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

  if (stream->jack != NULL)
    return fz_jack_is_alive (stream->jack);
  if (stream->pipewire != NULL)
    return fz_pipewire_is_alive (stream->pipewire);
  /* Asked often, from a main loop: when another thread is inside
   * PortAudio, the answer waits for the next time instead. */
  if (!pa_enter (-1))
    return TRUE;
  alive = Pa_IsStreamActive (stream->pa) == 1;
  pa_leave ();
  return alive;
}

/* @jack's devices, their default unmarked when @unmark_default (a
 * PipeWire server's default sink is then the default). */
static void
append_jack_devices (GListStore *store, GListStore *jack, gboolean unmark_default)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (jack)); i++)
    {
      g_autoptr (FlitzisDevice) device = g_list_model_get_item (G_LIST_MODEL (jack), i);

      g_autoptr (FlitzisDevice) plain = NULL;

      if (unmark_default && flitzis_device_get_is_default (device))
        plain = _flitzis_device_new (flitzis_device_get_name (device),
                                     flitzis_device_get_host_api (device),
                                     flitzis_device_get_max_output_channels (device),
                                     flitzis_device_get_default_sample_rate (device),
                                     flitzis_device_get_default_low_latency (device), FALSE);
      g_list_store_append (store, plain != NULL ? plain : device);
    }
}

/* A PipeWire server's sinks first, then PortAudio's devices, then a JACK
 * server's clients; the default is what AUTO would open: PipeWire's
 * default sink, else JACK's physical ports, else PortAudio's default. */
GListModel *
fz_stream_list_output_devices (GError **error)
{
  GListStore *store = g_list_store_new (FLITZIS_TYPE_DEVICE);
  g_autoptr (GListStore) jack = g_list_store_new (FLITZIS_TYPE_DEVICE);
  gboolean pipewire, jack_default = FALSE;
  FzQuiet quiet;

  pipewire = fz_pipewire_list_sinks (store);
  list_jack_devices (jack);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (jack)); i++)
    {
      g_autoptr (FlitzisDevice) device = g_list_model_get_item (G_LIST_MODEL (jack), i);

      jack_default |= flitzis_device_get_is_default (device);
    }
  if (!begin_pa (&quiet, error))
    {
      g_object_unref (store);
      return NULL;
    }
  append_portaudio_devices (store, !pipewire && !jack_default);
  end_pa (&quiet, FALSE);
  append_jack_devices (store, jack, pipewire);
  return G_LIST_MODEL (store);
}

gboolean
fz_stream_enable_midi (FzStream *stream, GError **error)
{
  if (stream->jack != NULL)
    return fz_jack_enable_midi (stream->jack, error);
  if (stream->pipewire != NULL)
    return fz_pipewire_enable_midi (stream->pipewire, error);
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
               _("MIDI input needs the JACK or the PipeWire back-end; this "
                 "stream plays through “%s”: set the backend property to JACK or PIPEWIRE, or "
                 "midi-input to FALSE"), stream->device_name);
  return FALSE;
}

gboolean
fz_stream_connect_midi (FzStream *stream, const char *port_name, GError **error)
{
  if (stream->jack != NULL)
    return fz_jack_connect_midi (stream->jack, port_name, error);
  if (stream->pipewire != NULL)
    return fz_pipewire_connect_midi (stream->pipewire, port_name, error);
  g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                       _("The engine has no MIDI input port: set midi-input before run(), "
                         "on the JACK or the PipeWire back-end"));
  return FALSE;
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
  if (!pa_enter (FZ_PA_WAIT_MS))
    return set_busy_error (error);
  quiet_begin (&quiet);
  /* PortAudio's ALSA thread stays SCHED_OTHER unless asked: it then tries
   * SCHED_FIFO, which the system grants or not (root, rtkit limits). */
  if (stream->alsa)
    PaAlsa_EnableRealtimeScheduling (stream->pa, 1);
  pa_error = Pa_StartStream (stream->pa);
  quiet_end (&quiet);
  pa_leave ();
  if (pa_error != paNoError)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot start output device “%s”"),
                                               stream->device_name);
      set_pa_error (error, what, pa_error);
      return FALSE;
    }
  return TRUE;
}

/* The stream is open and started, so its callback thread exists: it
 * lives from Pa_StartStream() until a Pa_AbortStream() or
 * Pa_CloseStream() joins it, and this comes before fz_stream_close().
 * The core learnt the thread in its last period (pthread_self(), a read
 * of the thread pointer: no system call on the audio thread). */
gboolean
fz_stream_silence (FzStream *stream)
{
  uintptr_t thread;

  if (stream->pa == NULL || stream->core == NULL)
    return FALSE;
  thread = fz_core_get_audio_thread (stream->core);
  return thread != 0 && fz_silence_thread ((pthread_t) thread, 100);
}

/* ---- closing, on a thread of its own ---- */

static void
free_stream (FzStream *stream)
{
  g_free (stream->device_name);
  g_free (stream);
}

/* The closing thread: aborts, closes and frees; returns FALSE, freeing
 * nothing, if PortAudio could not stop it (the callback may still run).
 * Pa_AbortStream(), not Pa_StopStream(): the engine is going away, and
 * stopping waits for the thread to drain its buffer, which a thread
 * spinning on a dead sound server never does. */
static gboolean
close_now (FzStream *stream)
{
  gboolean stopped;
  FzQuiet quiet;

  if (stream->jack != NULL)
    {
      quiet_begin (&quiet);
      fz_jack_close (stream->jack);
      quiet_end (&quiet);
      free_stream (stream);
      return TRUE;
    }
  /* Waits for PipeWire's data thread to leave the callback: a frozen
   * server can keep it there. */
  if (stream->pipewire != NULL)
    {
      fz_pipewire_close (stream->pipewire);
      free_stream (stream);
      return TRUE;
    }
  pa_enter (G_MAXINT32);
  quiet_begin (&quiet);
  if (Pa_IsStreamStopped (stream->pa) == 0)
    Pa_AbortStream (stream->pa);
  stopped = Pa_IsStreamActive (stream->pa) == 0 && Pa_CloseStream (stream->pa) == paNoError;
  quiet_end (&quiet);
  if (stopped)
    pa_unref_entered ();
  pa_leave ();
  if (stopped)
    free_stream (stream);
  return stopped;
}

static gboolean
close_job (gpointer data)
{
  return close_now (data);
}

FzStreamClosed
fz_stream_close (FzStream *stream)
{
  g_autofree char *device_name = NULL;
  gboolean stopped = FALSE;

  if (stream == NULL)
    return FZ_STREAM_CLOSED;
  device_name = g_strdup (stream->device_name);
  if (!fz_bounded_call ("flitzis-close", FZ_PA_WAIT_MS, close_job, stream, &stopped))
    {
      g_warning ("The audio stream on “%s” did not close within %d ms; its thread is left "
                 "behind and its memory kept", device_name, FZ_PA_WAIT_MS);
      return FZ_STREAM_ABANDONED;
    }
  if (!stopped)
    {
      /* The callback may still run: its stream and core must stay. */
      g_warning ("The audio stream on “%s” did not stop; its memory is kept", device_name);
      return FZ_STREAM_NOT_STOPPED;
    }
  return FZ_STREAM_CLOSED;
}
