/* fz-jack.c: playing into a JACK server through libjack, see fz-jack.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include <jack/jack.h>
#include <jack/midiport.h>

#include "flitzis-device-private.h"
#include "flitzis-engine-error.h"
#include "flitzis-i18n-private.h"
#include "fz-jack.h"
#include "fz-tsan.h"

#define FZ_JACK_MAX_CHANNELS 2
/* Frames the engine renders at most per call when it follows the server's
 * period: JACK's largest period. */
#define FZ_JACK_MAX_BLOCK 8192u

struct FzJack {
  jack_client_t *client;
  jack_port_t *ports[FZ_JACK_MAX_CHANNELS];
  jack_port_t *midi;            /* the MIDI input port, or NULL */
  char **targets;               /* the input ports the outputs feed */
  char *device_name;            /* their client's name */
  guint channels;
  guint sample_rate;
  guint block;                  /* frames per render: requested, or 0 */
  FzCore *core;                 /* read by the process thread once started */
  /* The process thread's: the rendered block and how much of it is left. */
  float *rendered;
  guint rendered_capacity;      /* frames */
  guint rendered_used;
  guint rendered_frames;
  atomic_bool underrun;         /* set by the xrun callback, taken by process */
  atomic_bool alive;
  /* The process thread's: the last cycle's own callback took longer than
   * the period (an underrun of the engine's own), reported with the next
   * render. */
  bool late;
};

/* ---- JACK's threads ---- */

/* Real-time: the next @frames frames of the mix, at @out (interleaved). */
static void
render (FzJack *jack, float *out, guint frames)
{
  unsigned flags = atomic_exchange_explicit (&jack->underrun, false, memory_order_relaxed)
                   ? FZ_PROCESS_UNDERRUN : 0;

  if (jack->late)
    flags |= FZ_PROCESS_OWN_UNDERRUN;
  jack->late = false;
  fz_core_process (jack->core, out, frames, flags);
}

/* Real-time: this cycle's MIDI events, each at its stream frame: the
 * frame of this cycle's first output frame plus its offset.  Following
 * the server's period (no block of its own), every cycle renders one
 * period from the core's frame time, which is then this cycle's first
 * frame; with a block, the part of the last block still to be played
 * comes first (those frames are rendered already: an event in them plays
 * at the next block's first frame). */
static void
read_midi (FzJack *jack, jack_nframes_t frames)
{
  void *buffer = jack_port_get_buffer (jack->midi, frames);
  uint64_t first = fz_core_get_frame_time (jack->core) -
                   (jack->rendered_frames - jack->rendered_used);
  uint32_t n;

  /* The buffer is the source's, written by its client before this one in
   * the cycle, and again after it in the next (fz-tsan.h). */
  fz_tsan_acquire (buffer);
  n = jack_midi_get_event_count (buffer);
  for (uint32_t i = 0; i < n; i++)
    {
      jack_midi_event_t event;

      if (jack_midi_event_get (&event, buffer, i) == 0)
        fz_core_midi_input (jack->core, event.buffer, event.size, first + event.time);
    }
  fz_tsan_release (buffer);
}

/* Real-time: refills the rendered block once it is used up. */
static void
refill (FzJack *jack, jack_nframes_t wanted)
{
  guint frames = jack->block > 0 ? jack->block : MIN ((guint) wanted, jack->rendered_capacity);

  render (jack, jack->rendered, frames);
  jack->rendered_frames = frames;
  jack->rendered_used = 0;
}

/* JACK's real-time thread: no allocation, no lock, no system call. */
static int on_process (jack_nframes_t frames, void *data) FZ_NONBLOCKING;
static int
on_process (jack_nframes_t frames, void *data)
{
  FzJack *jack = data;
  float *buffers[FZ_JACK_MAX_CHANNELS];
  jack_nframes_t done = 0;
  /* The callback's own time, read from the vDSO clock (no system call):
   * an xrun the server reports is the engine's own only if this callback
   * alone took longer than the period; otherwise another client, or the
   * server, was late (fz-jack.h). */
  jack_time_t began = jack_get_time ();

  /* JACK runs the clients of its graph in order: the clients that read
   * these buffers (an in-process capture client, in the tests) are done
   * with the last cycle's, and run after this one (fz-tsan.h). */
  for (guint c = 0; c < jack->channels; c++)
    {
      buffers[c] = jack_port_get_buffer (jack->ports[c], frames);
      fz_tsan_acquire (buffers[c]);
    }
  if (jack->midi != NULL)
    read_midi (jack, frames);
  while (done < frames)
    {
      guint n;

      if (jack->rendered_used == jack->rendered_frames)
        refill (jack, frames - done);
      n = MIN (jack->rendered_frames - jack->rendered_used, frames - done);
      for (guint f = 0; f < n; f++)
        for (guint c = 0; c < jack->channels; c++)
          buffers[c][done + f] = jack->rendered[(jack->rendered_used + f) * jack->channels + c];
      jack->rendered_used += n;
      done += n;
    }
  for (guint c = 0; c < jack->channels; c++)
    fz_tsan_release (buffers[c]);
  if ((jack_get_time () - began) * jack->sample_rate > (jack_time_t) frames * 1000000u)
    jack->late = true;
  return 0;
}

/* JACK's notification thread. */
static int
on_xrun (void *data)
{
  FzJack *jack = data;

  atomic_store_explicit (&jack->underrun, true, memory_order_relaxed);
  return 0;
}

/* A thread of JACK's, when the server has gone. */
static void
on_shutdown (void *data)
{
  FzJack *jack = data;

  atomic_store (&jack->alive, false);
}

/* ---- control thread ---- */

static char *client_of (const char *port_name);

static char **
find_targets (jack_client_t *client, const char *device_name)
{
  g_autofree char *escaped = NULL;
  g_autofree char *pattern = NULL;
  const char **ports;
  char **targets;

  if (device_name == NULL)
    ports = jack_get_ports (client, NULL, JACK_DEFAULT_AUDIO_TYPE,
                            JackPortIsPhysical | JackPortIsInput);
  else
    {
      escaped = g_regex_escape_string (device_name, -1);
      pattern = g_strdup_printf ("^%s:", escaped);
      ports = jack_get_ports (client, pattern, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
    }
  targets = g_strdupv ((char **) ports);
  jack_free (ports);
  return targets;
}

static gboolean
set_jack_error (GError **error, gint code, const char *message)
{
  g_set_error_literal (error, FLITZIS_ENGINE_ERROR, code, message);
  return FALSE;
}

static gboolean
check_rate (FzJack *jack, guint requested, GError **error)
{
  if (requested == 0 || requested == jack->sample_rate)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
               _("The JACK server runs at %u Hz and cannot play at the %u Hz asked for; "
                 "set the sample rate to 0 or %u"),
               jack->sample_rate, requested, jack->sample_rate);
  return FALSE;
}

static gboolean
register_ports (FzJack *jack, const char *device_name, guint max_channels,
                FzJackFailure *failure, GError **error)
{
  guint n_targets = jack->targets != NULL ? g_strv_length (jack->targets) : 0;

  jack->channels = MIN (MIN (n_targets, max_channels), FZ_JACK_MAX_CHANNELS);
  if (jack->channels == 0)
    {
      *failure = FZ_JACK_NO_PORTS;
      if (device_name != NULL)
        g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                     _("The JACK server has no client “%s” with playback ports to play into"),
                     device_name);
      else
        set_jack_error (error, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                        _("A JACK server runs but has no physical playback ports to play "
                          "into; name a client with input ports as the device, or give the "
                          "server a playback device"));
      return FALSE;
    }
  for (guint c = 0; c < jack->channels; c++)
    {
      g_autofree char *name = g_strdup_printf ("out_%u", c + 1);

      jack->ports[c] = jack_port_register (jack->client, name, JACK_DEFAULT_AUDIO_TYPE,
                                           JackPortIsOutput | JackPortIsTerminal, 0);
      if (jack->ports[c] == NULL)
        return set_jack_error (error, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                               _("Cannot register an output port with the JACK server"));
    }
  return TRUE;
}

/* Control thread: our client on the default server.  A loaded machine
 * (a build machine running several test suites, each with its servers)
 * sometimes fails an open that succeeds a moment later: the server drops
 * the new client's socket while it is still being set up.  So an open is
 * tried up to FZ_JACK_OPEN_ATTEMPTS times; with no server at all each try
 * fails at once (the socket does not exist), so this costs nothing then. */
#define FZ_JACK_OPEN_ATTEMPTS 3

static jack_client_t *
open_client (jack_status_t *status)
{
  jack_client_t *client = NULL;

  for (guint attempt = 0; client == NULL && attempt < FZ_JACK_OPEN_ATTEMPTS; attempt++)
    client = jack_client_open ("flitzis", JackNoStartServer, status);
  return client;
}

FzJack *
fz_jack_open (const char *device_name, guint max_channels, guint sample_rate,
              guint period_frames, FzJackFailure *failure, GError **error)
{
  FzJack *jack = g_new0 (FzJack, 1);
  FzJackFailure ignored;
  jack_status_t status;

  if (failure == NULL)
    failure = &ignored;
  *failure = FZ_JACK_FAILED;
  jack->client = open_client (&status);
  if (jack->client == NULL)
    {
      *failure = FZ_JACK_NO_SERVER;
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                   _("Cannot connect to the JACK server (status 0x%x); is it running?"),
                   (unsigned) status);
      g_free (jack);
      return NULL;
    }
  jack->sample_rate = jack_get_sample_rate (jack->client);
  jack->block = period_frames;
  jack->targets = find_targets (jack->client, device_name);
  atomic_init (&jack->alive, true);
  atomic_init (&jack->underrun, false);
  jack->late = false;
  if (!check_rate (jack, sample_rate, error) ||
      !register_ports (jack, device_name, max_channels, failure, error))
    {
      fz_jack_close (jack);
      return NULL;
    }
  jack->device_name = client_of (jack->targets[0]);
  jack->rendered_capacity = MAX (period_frames, FZ_JACK_MAX_BLOCK);
  /* Cache-line aligned: the mixer's vector stores to a period that starts
   * at frame 0 then never straddle two lines at the start. */
  jack->rendered = g_aligned_alloc0 ((gsize) jack->rendered_capacity * jack->channels,
                                     sizeof (float), 64);
  jack_set_process_callback (jack->client, on_process, jack);
  jack_set_xrun_callback (jack->client, on_xrun, jack);
  jack_on_shutdown (jack->client, on_shutdown, jack);
  return jack;
}

guint
fz_jack_get_sample_rate (FzJack *jack)
{
  return jack->sample_rate;
}

const char *
fz_jack_get_device_name (FzJack *jack)
{
  return jack->device_name;
}

guint
fz_jack_get_channels (FzJack *jack)
{
  return jack->channels;
}

/* What the server says the playback ports add, one server period for the
 * buffer being played, and the engine's own block when it renders ahead. */
double
fz_jack_get_latency (FzJack *jack)
{
  jack_latency_range_t range = { 0, 0 };
  jack_port_t *target = jack_port_by_name (jack->client, jack->targets[0]);

  if (target != NULL)
    jack_port_get_latency_range (target, JackPlaybackLatency, &range);
  return (double) (range.max + jack_get_buffer_size (jack->client) + jack->block)
         / jack->sample_rate;
}

gboolean
fz_jack_start (FzJack *jack, FzCore *core, GError **error)
{
  jack->core = core;
  if (jack_activate (jack->client) != 0)
    return set_jack_error (error, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                           _("The JACK server did not start the engine’s client"));
  for (guint c = 0; c < jack->channels; c++)
    jack_connect (jack->client, jack_port_name (jack->ports[c]), jack->targets[c]);
  return TRUE;
}

gboolean
fz_jack_enable_midi (FzJack *jack, GError **error)
{
  jack->midi = jack_port_register (jack->client, "midi_in", JACK_DEFAULT_MIDI_TYPE,
                                   JackPortIsInput | JackPortIsTerminal, 0);
  if (jack->midi == NULL)
    return set_jack_error (error, FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
                           _("Cannot register a MIDI input port with the JACK server"));
  return TRUE;
}

gboolean
fz_jack_connect_midi (FzJack *jack, const char *port_name, GError **error)
{
  int result;

  if (jack->midi == NULL)
    return set_jack_error (error, FLITZIS_ENGINE_ERROR_NO_DEVICE,
                           _("The engine has no MIDI input port: set midi-input before run()"));
  result = jack_connect (jack->client, port_name, jack_port_name (jack->midi));
  if (result == 0 || result == EEXIST)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE,
               _("Cannot connect “%s” to the engine’s MIDI input: the JACK server has no "
                 "MIDI output port of that name (give a full name, “client:port”)"),
               port_name);
  return FALSE;
}

gboolean
fz_jack_is_alive (FzJack *jack)
{
  return atomic_load (&jack->alive);
}

void
fz_jack_close (FzJack *jack)
{
  if (jack == NULL)
    return;
  /* jack_client_close() returns once the process callback has returned
   * for good; with the server gone, it only frees. */
  jack_client_close (jack->client);
  g_strfreev (jack->targets);
  g_free (jack->device_name);
  g_aligned_free (jack->rendered);
  g_free (jack);
}

/* ---- listing ---- */

/* The client part of a full port name ("client:port"). */
static char *
client_of (const char *port_name)
{
  const char *colon = strchr (port_name, ':');

  return g_strndup (port_name, colon != NULL ? (gsize) (colon - port_name) : strlen (port_name));
}

/* The JACK devices, as PortAudio's JACK host API listed them: one per
 * client with audio input ports, as many channels as it has ports; the
 * latency is what the server says its first port adds, plus one period. */
static void
append_clients (GListStore *store, jack_client_t *client)
{
  const char **ports = jack_get_ports (client, NULL, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
  const char **physical = jack_get_ports (client, NULL, JACK_DEFAULT_AUDIO_TYPE,
                                          JackPortIsPhysical | JackPortIsInput);
  g_autofree char *default_client = physical != NULL ? client_of (physical[0]) : NULL;
  double rate = jack_get_sample_rate (client);
  guint period = jack_get_buffer_size (client);

  for (guint i = 0; ports != NULL && ports[i] != NULL;)
    {
      g_autofree char *name = client_of (ports[i]);
      jack_latency_range_t range = { 0, 0 };
      jack_port_t *first = jack_port_by_name (client, ports[i]);
      g_autoptr (FlitzisDevice) device = NULL;
      guint n = 0;

      for (; ports[i] != NULL; i++, n++)
        {
          g_autofree char *other = client_of (ports[i]);

          if (g_strcmp0 (other, name) != 0)
            break;
        }
      if (first != NULL)
        jack_port_get_latency_range (first, JackPlaybackLatency, &range);
      device = _flitzis_device_new (name, FZ_JACK_HOST_API_NAME, n, rate,
                                    (range.min + period) / rate,
                                    g_strcmp0 (name, default_client) == 0);
      g_list_store_append (store, device);
    }
  jack_free (ports);
  jack_free (physical);
}

void
fz_jack_list_devices (GListStore *store)
{
  jack_client_t *client = jack_client_open ("flitzis-list", JackNoStartServer, NULL);

  if (client == NULL)
    return;
  append_clients (store, client);
  jack_client_close (client);
}
