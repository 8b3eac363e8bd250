/* flitzis-audio-engine.c: a real-time sample player
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * FlitzisAudioEngine:
 *
 * Plays decoded samples with real-time guarantees, through an output
 * stream (a native PipeWire stream while a PipeWire server runs, the
 * engine's own JACK client while a JACK server runs, or PortAudio: see
 * [property@Flitzis.AudioEngine:backend]), or offline, rendered by the caller
 * ([property@Flitzis.AudioEngine:offline]).
 *
 * An engine holds [property@Flitzis.AudioEngine:slots] sample slots
 * ([const@Flitzis.MAX_SAMPLE_SLOTS] unless made with another number) and
 * mixes up to [property@Flitzis.AudioEngine:voices] voices
 * ([const@Flitzis.MAX_VOICES] by default).  Each slot is a pad: besides its
 * sample it has a gain, a loop region, a retrigger policy
 * ([method@Flitzis.AudioEngine.set_sample_retrigger]), a choke group
 * ([method@Flitzis.AudioEngine.set_sample_choke_group]), and its own pause and
 * seek ([method@Flitzis.AudioEngine.pause_sample],
 * [method@Flitzis.AudioEngine.seek_sample]).
 * [method@Flitzis.AudioEngine.run] opens the output device and starts the
 * stream, and returns at once: the audio thread plays from then on, until
 * [method@Flitzis.AudioEngine.shut_down].
 * [method@Flitzis.AudioEngine.load_sample] decodes a file into a slot and
 * [method@Flitzis.AudioEngine.play_sample] triggers it.  What the engine
 * counted (underruns, and everything it had to drop) is one snapshot away:
 * [method@Flitzis.AudioEngine.get_stats].
 *
 * ## Threads
 *
 * - The *audio thread* is the back-end's: PipeWire's data thread, JACK's
 *   process thread, or PortAudio's callback thread.  It runs the engine's real-time
 *   core once a period: it takes the commands queued since the last
 *   period, mixes, and queues replies.  It never allocates or frees
 *   memory, never takes a lock, makes no system call and calls no GLib
 *   function.  Control and audio thread talk only through two lock-free
 *   single-producer, single-consumer rings of [const@Flitzis.QUEUE_CAPACITY]
 *   messages, and parameters (the volume, a slot's gain, loop, retrigger
 *   policy and choke group) through a cell per slot: latest value wins.
 * - *Control threads* call the engine's methods.  Any thread may, and the
 *   calls are serialised by a lock that the audio thread never takes.
 *   Commands never wait for the audio thread: one that cannot be queued
 *   fails at once with [error@Flitzis.EngineError.QUEUE_FULL] (a parameter
 *   never does).  Files are decoded
 *   in the thread that calls [method@Flitzis.AudioEngine.load_sample].
 * - The *main context* is the thread-default [struct@GLib.MainContext] of the thread
 *   that called [method@Flitzis.AudioEngine.run].  Every signal of the engine
 *   ([signal@Flitzis.AudioEngine::pong]) is emitted there, and only there: never on
 *   the audio thread, never in the thread that queued the command.
 *
 * Each message from the audio thread is dispatched once, in order: it is
 * emitted as its signal in the main context (if a handler was connected
 * when it arrived) and kept for [method@Flitzis.AudioEngine.receive_msg], which
 * is the polling view of the same stream and works without any main loop.
 *
 * Since: 0.1
 */
#include "config.h"

#include "flitzis-audio-engine-private.h"
#include "flitzis-enum-types.h"

G_STATIC_ASSERT (FLITZIS_MAX_SAMPLE_SLOTS == FZ_MAX_SLOTS);
G_STATIC_ASSERT (FLITZIS_MAX_VOICES == FZ_MAX_VOICES);
G_STATIC_ASSERT (FLITZIS_MAX_CHOKE_GROUP == FZ_MAX_GROUP);
G_STATIC_ASSERT ((int) FLITZIS_RETRIGGER_LAYER == (int) FZ_RETRIGGER_LAYER);
G_STATIC_ASSERT ((int) FLITZIS_RETRIGGER_RESTART == (int) FZ_RETRIGGER_RESTART);
G_STATIC_ASSERT ((int) FLITZIS_RETRIGGER_TOGGLE == (int) FZ_RETRIGGER_TOGGLE);
G_STATIC_ASSERT (FLITZIS_QUEUE_CAPACITY == FZ_RING_CAPACITY);

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FlitzisAudioEngine, flitzis_audio_engine, G_TYPE_OBJECT)

/* ---- lifecycle ---- */

guint
_flitzis_audio_engine_read_guint (FlitzisAudioEngine *self, const guint *field)
{
  guint value;

  fz_mutex_lock (&self->lock);
  value = *field;
  fz_mutex_unlock (&self->lock);
  return value;
}

typedef struct {
  GWeakRef engine;
  GParamSpec *pspec;
} FzNotify;

static gboolean
notify_now (gpointer data)
{
  FzNotify *notify = data;
  g_autoptr (GObject) engine = NULL;

  fz_tsan_acquire (notify);
  engine = g_weak_ref_get (&notify->engine);
  if (engine != NULL)
    g_object_notify_by_pspec (engine, notify->pspec);
  return G_SOURCE_REMOVE;
}

static void
notify_free (gpointer data)
{
  FzNotify *notify = data;

  fz_tsan_acquire (notify);
  g_weak_ref_clear (&notify->engine);
  g_free (notify);
}

/* Property notifications are signals too, so they are emitted in the main
 * context: at once when the calling thread runs it, later otherwise.
 * Before the first run() there is no main context yet, and the caller's
 * thread emits them. */
static void
notify_in_context (FlitzisAudioEngine *self, GParamSpec *pspec)
{
  GMainContext *context;
  FzNotify *notify;

  fz_mutex_lock (&self->lock);
  context = self->context != NULL ? g_main_context_ref (self->context) : NULL;
  fz_mutex_unlock (&self->lock);
  if (context == NULL)
    {
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
      return;
    }
  notify = g_new0 (FzNotify, 1);
  g_weak_ref_init (&notify->engine, self);
  notify->pspec = pspec;
  /* Handed to the context's thread through GLib's queue (fz-tsan.h). */
  fz_tsan_release (notify);
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, notify_now, notify, notify_free);
  g_main_context_unref (context);
}

void
_flitzis_audio_engine_notify (FlitzisAudioEngine *self, FlitzisAudioEngineProperty prop)
{
  notify_in_context (self, properties[prop]);
}

/**
 * flitzis_audio_engine_get_volume:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:volume].
 *
 * Returns: the master volume, as last set
 *
 * Since: 0.1
 */
double
flitzis_audio_engine_get_volume (FlitzisAudioEngine *self)
{
  double volume;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0.0);

  fz_mutex_lock (&self->lock);
  volume = self->volume;
  fz_mutex_unlock (&self->lock);
  return volume;
}

/**
 * flitzis_audio_engine_get_paused:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:paused].
 *
 * Returns: whether the engine is paused (as last requested)
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_paused (FlitzisAudioEngine *self)
{
  gboolean paused;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  fz_mutex_lock (&self->lock);
  paused = self->paused;
  fz_mutex_unlock (&self->lock);
  return paused;
}

/**
 * flitzis_audio_engine_get_running:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:running].
 *
 * Returns: whether the engine's stream is running
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_running (FlitzisAudioEngine *self)
{
  gboolean running;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  fz_mutex_lock (&self->lock);
  running = self->core != NULL;
  fz_mutex_unlock (&self->lock);
  return running;
}

/**
 * flitzis_audio_engine_get_sample_rate:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:sample-rate].
 *
 * Returns: while running, the sample rate of the open stream in Hz;
 *   otherwise the rate requested for the next run, 0 for the device's
 *   default
 *
 * Since: 0.1
 */
guint
flitzis_audio_engine_get_sample_rate (FlitzisAudioEngine *self)
{
  guint rate;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  fz_mutex_lock (&self->lock);
  rate = self->core != NULL ? self->sample_rate : self->requested_rate;
  fz_mutex_unlock (&self->lock);
  return rate;
}

/* Sets a request for the next run(); notifies when that changes what the
 * property reads. */
static void
set_request (FlitzisAudioEngine *self, guint *field, guint value, GParamSpec *pspec)
{
  gboolean notify;

  fz_mutex_lock (&self->lock);
  notify = *field != value && self->core == NULL;
  *field = value;
  fz_mutex_unlock (&self->lock);
  if (notify)
    notify_in_context (self, pspec);
}

/**
 * flitzis_audio_engine_set_sample_rate:
 * @self: a device [class@Flitzis.AudioEngine] (not an offline one)
 * @sample_rate: the sample rate in Hz for the next
 *   [method@Flitzis.AudioEngine.run], or 0 for the device's default
 *
 * Sets [property@Flitzis.AudioEngine:sample-rate].  A device that cannot run at
 * the rate makes [method@Flitzis.AudioEngine.run] fail with
 * [error@Flitzis.EngineError.DEVICE_FAILED] (a JACK server runs at its own rate
 * only).  An offline engine's rate is fixed when it is made.
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_sample_rate (FlitzisAudioEngine *self, guint sample_rate)
{
  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));
  g_return_if_fail (!self->offline);

  set_request (self, &self->requested_rate, sample_rate, properties[PROP_SAMPLE_RATE]);
}

/**
 * flitzis_audio_engine_get_period_frames:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:period-frames].
 *
 * Returns: the frames per audio period requested for the stream, 0 to let
 *   PortAudio choose
 *
 * Since: 0.1
 */
guint
flitzis_audio_engine_get_period_frames (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return _flitzis_audio_engine_read_guint (self, &self->requested_period);
}

/**
 * flitzis_audio_engine_set_period_frames:
 * @self: a [class@Flitzis.AudioEngine]
 * @period_frames: the frames per audio period for the next
 *   [method@Flitzis.AudioEngine.run], or 0 to let PortAudio choose
 *
 * Sets [property@Flitzis.AudioEngine:period-frames].  Smaller periods mean lower
 * latency and more work per second.  When the device's own period differs
 * (a JACK server's, say), PortAudio adapts with a buffer, which adds
 * latency: see [property@Flitzis.AudioEngine:latency].
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_period_frames (FlitzisAudioEngine *self, guint period_frames)
{
  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  set_request (self, &self->requested_period, period_frames, properties[PROP_PERIOD_FRAMES]);
}

/**
 * flitzis_audio_engine_get_channels:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:channels].
 *
 * Returns: the channel count of the open stream, or 0 when not running
 *
 * Since: 0.1
 */
guint
flitzis_audio_engine_get_channels (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  if (self->offline)
    return self->offline_channels;
  return _flitzis_audio_engine_read_guint (self, &self->channels);
}

/**
 * flitzis_audio_engine_get_offline:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:offline].
 *
 * Returns: whether the engine renders without a device
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_offline (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  return self->offline;
}

/**
 * flitzis_audio_engine_get_slots:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:slots].
 *
 * Returns: the number of sample slots, fixed when the engine was made
 *
 * Since: 0.1
 */
guint
flitzis_audio_engine_get_slots (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return self->n_slots;
}

/**
 * flitzis_audio_engine_get_voices:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:voices].
 *
 * Returns: how many voices the engine mixes at most, fixed when it was made
 *
 * Since: 0.1
 */
guint
flitzis_audio_engine_get_voices (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return self->n_voices;
}

/**
 * flitzis_audio_engine_dup_device:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:device].  A copy, so that another thread may
 * set the property meanwhile.
 *
 * Returns: (nullable) (transfer full): the name of the output device to
 *   open, or %NULL for the default
 *
 * Since: 0.1
 */
char *
flitzis_audio_engine_dup_device (FlitzisAudioEngine *self)
{
  char *device;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), NULL);

  fz_mutex_lock (&self->lock);
  device = g_strdup (self->device);
  fz_mutex_unlock (&self->lock);
  return device;
}

/**
 * flitzis_audio_engine_set_device:
 * @self: a [class@Flitzis.AudioEngine]
 * @device: (nullable): the name of an output device, or %NULL for the
 *   default
 *
 * Sets [property@Flitzis.AudioEngine:device], used by the next
 * [method@Flitzis.AudioEngine.run].
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_device (FlitzisAudioEngine *self, const char *device)
{
  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  fz_mutex_lock (&self->lock);
  if (g_strcmp0 (self->device, device) == 0)
    {
      fz_mutex_unlock (&self->lock);
      return;
    }
  g_free (self->device);
  self->device = g_strdup (device);
  fz_mutex_unlock (&self->lock);
  _flitzis_audio_engine_notify (self, PROP_DEVICE);
}

/* ---- GObject ---- */

/**
 * flitzis_audio_engine_new:
 *
 * Creates an engine.  It opens no device until [method@Flitzis.AudioEngine.run].
 *
 * Returns: (transfer full): a new [class@Flitzis.AudioEngine]
 *
 * Since: 0.1
 */
FlitzisAudioEngine *
flitzis_audio_engine_new (void)
{
  return g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, NULL);
}

/**
 * flitzis_audio_engine_new_offline:
 * @sample_rate: the sample rate to render at, in Hz: 1 to
 *   [const@Flitzis.MAX_OFFLINE_RATE]
 * @channels: the number of interleaved channels to render: 1 to
 *   [const@Flitzis.MAX_OFFLINE_CHANNELS]
 *
 * Creates an engine that renders without a device: the same commands and
 * the same mixer as a device engine, driven by
 * [method@Flitzis.AudioEngine.render] instead of a sound card.  It is run() and
 * shut down like any engine; each render is one audio period.  For
 * bounces, tests and benchmarks: the output of a given sequence of calls
 * and renders is the same, sample for sample, on every run.
 *
 * Returns: (transfer full): a new offline [class@Flitzis.AudioEngine]
 *
 * Since: 0.1
 */
FlitzisAudioEngine *
flitzis_audio_engine_new_offline (guint sample_rate, guint channels)
{
  g_return_val_if_fail (sample_rate > 0 && sample_rate <= FLITZIS_MAX_OFFLINE_RATE, NULL);
  g_return_val_if_fail (channels > 0 && channels <= FLITZIS_MAX_OFFLINE_CHANNELS, NULL);

  return g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "offline", TRUE, "sample-rate", sample_rate,
                       "channels", channels, NULL);
}

static void
flitzis_audio_engine_dispose (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);

  fz_mutex_lock (&self->lifecycle_lock);
  _flitzis_audio_engine_stop_stream (self);
  fz_mutex_unlock (&self->lifecycle_lock);
  fz_mutex_lock (&self->lock);
  _flitzis_audio_engine_detach_source (self);
  g_queue_clear_full (&self->to_emit, (GDestroyNotify) flitzis_message_unref);
  g_queue_clear_full (&self->received, (GDestroyNotify) flitzis_message_unref);
  g_queue_clear_full (&self->levels_to_emit, (GDestroyNotify) flitzis_levels_unref);
  g_clear_pointer (&self->levels, flitzis_levels_unref);
  fz_mutex_unlock (&self->lock);

  G_OBJECT_CLASS (flitzis_audio_engine_parent_class)->dispose (object);
}

static void
flitzis_audio_engine_finalize (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);

  g_free (self->device);
  for (guint i = 0; self->loading != NULL && i < self->n_slots; i++)
    g_clear_object (&self->loading[i]);
  g_free (self->published);
  g_free (self->infos);
  g_free (self->load_serials);
  g_free (self->loading);
  _flitzis_audio_engine_finalize_midi (self);
  _flitzis_audio_engine_forget_keylock (self, TRUE);
  fz_stream_backend_release ();
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->render_lock);
  g_mutex_clear (&self->lifecycle_lock);

  G_OBJECT_CLASS (flitzis_audio_engine_parent_class)->finalize (object);
}

static void
flitzis_audio_engine_get_property (GObject *object, guint prop_id,
                                   GValue *value, GParamSpec *pspec)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, flitzis_audio_engine_get_running (self));
      break;
    case PROP_SAMPLE_RATE:
      g_value_set_uint (value, flitzis_audio_engine_get_sample_rate (self));
      break;
    case PROP_CHANNELS:
      g_value_set_uint (value, flitzis_audio_engine_get_channels (self));
      break;
    case PROP_DEVICE:
      g_value_take_string (value, flitzis_audio_engine_dup_device (self));
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, flitzis_audio_engine_get_paused (self));
      break;
    case PROP_PERIOD_FRAMES:
      g_value_set_uint (value, flitzis_audio_engine_get_period_frames (self));
      break;
    case PROP_LATENCY:
      g_value_set_double (value, flitzis_audio_engine_get_latency (self));
      break;
    case PROP_VOLUME:
      g_value_set_double (value, flitzis_audio_engine_get_volume (self));
      break;
    case PROP_OFFLINE:
      g_value_set_boolean (value, flitzis_audio_engine_get_offline (self));
      break;
    case PROP_SLOTS:
      g_value_set_uint (value, self->n_slots);
      break;
    case PROP_VOICES:
      g_value_set_uint (value, self->n_voices);
      break;
    case PROP_BACKEND:
      g_value_set_enum (value, flitzis_audio_engine_get_backend (self));
      break;
    case PROP_ACTIVE_BACKEND:
      g_value_set_enum (value, flitzis_audio_engine_get_active_backend (self));
      break;
    case PROP_METER_RATE:
      g_value_set_uint (value, flitzis_audio_engine_get_meter_rate (self));
      break;
    case PROP_RECONNECT:
      g_value_set_boolean (value, flitzis_audio_engine_get_reconnect (self));
      break;
    default:
      if (!_flitzis_audio_engine_clock_get_property (self, prop_id, value) &&
          !_flitzis_audio_engine_speed_get_property (self, prop_id, value) &&
          !_flitzis_audio_engine_stream_get_property (self, prop_id, value) &&
          !_flitzis_audio_engine_samples_get_property (self, prop_id, value) &&
          !_flitzis_audio_engine_midi_get_property (self, prop_id, value) &&
          !_flitzis_audio_engine_keylock_get_property (self, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* A property setter cannot return an error: set_volume() fails only for a
 * value out of range, which the spec refuses first; else it is logged. */
static void
set_volume_property (FlitzisAudioEngine *self, double volume)
{
  g_autoptr (GError) error = NULL;

  if (!flitzis_audio_engine_set_volume (self, volume, &error))
    g_warning ("%s", error->message);
}

/* Likewise for a meter rate. */
static void
set_meter_rate_property (FlitzisAudioEngine *self, guint rate)
{
  g_autoptr (GError) error = NULL;

  if (!flitzis_audio_engine_set_meter_rate (self, rate, &error))
    g_warning ("%s", error->message);
}

static void
flitzis_audio_engine_set_property (GObject *object, guint prop_id,
                                   const GValue *value, GParamSpec *pspec)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);

  switch (prop_id)
    {
    case PROP_DEVICE:
      flitzis_audio_engine_set_device (self, g_value_get_string (value));
      break;
    case PROP_SAMPLE_RATE:
      /* A construct property: while constructing it is an offline
       * engine's rate as much as a device engine's request. */
      if (self->constructed)
        flitzis_audio_engine_set_sample_rate (self, g_value_get_uint (value));
      else
        self->requested_rate = g_value_get_uint (value);
      break;
    case PROP_CHANNELS:
      self->offline_channels = g_value_get_uint (value);
      break;
    case PROP_OFFLINE:
      self->offline = g_value_get_boolean (value);
      break;
    case PROP_SLOTS:
      self->n_slots = g_value_get_uint (value);
      break;
    case PROP_VOICES:
      self->n_voices = g_value_get_uint (value);
      break;
    case PROP_PERIOD_FRAMES:
      flitzis_audio_engine_set_period_frames (self, g_value_get_uint (value));
      break;
    case PROP_VOLUME:
      set_volume_property (self, g_value_get_double (value));
      break;
    case PROP_BACKEND:
      flitzis_audio_engine_set_backend (self, g_value_get_enum (value));
      break;
    case PROP_METER_RATE:
      set_meter_rate_property (self, g_value_get_uint (value));
      break;
    case PROP_RECONNECT:
      flitzis_audio_engine_set_reconnect (self, g_value_get_boolean (value));
      break;
    default:
      if (!_flitzis_audio_engine_clock_set_property (self, prop_id, value) &&
          !_flitzis_audio_engine_speed_set_property (self, prop_id, value) &&
          !_flitzis_audio_engine_stream_set_property (self, prop_id, value) &&
          !_flitzis_audio_engine_samples_set_property (self, prop_id, value) &&
          !_flitzis_audio_engine_midi_set_property (self, prop_id, value) &&
          !_flitzis_audio_engine_keylock_set_property (self, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Settles what the construct properties asked for: an offline engine's
 * format is fixed from now on. */
static void
flitzis_audio_engine_constructed (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);

  G_OBJECT_CLASS (flitzis_audio_engine_parent_class)->constructed (object);

  if (self->offline)
    {
      if (self->requested_rate == 0)
        self->requested_rate = FZ_DEFAULT_OFFLINE_RATE;
      if (self->offline_channels == 0)
        self->offline_channels = FZ_DEFAULT_OFFLINE_CHANNELS;
      self->offline_rate = self->requested_rate;
    }
  else if (self->offline_channels != 0)
    {
      g_warning ("FlitzisAudioEngine:channels is set for an offline engine only; a device "
                 "engine takes its channel count from the device (%u ignored)",
                 self->offline_channels);
      self->offline_channels = 0;
    }
  /* The control side's per-slot tables; the core's are made by run(). */
  self->published = g_new0 (FzSample *, self->n_slots);
  self->infos = g_new0 (FlitzisSampleInfo *, self->n_slots);
  self->load_serials = g_new0 (guint64, self->n_slots);
  self->loading = g_new0 (GCancellable *, self->n_slots);
  self->constructed = TRUE;
}

static void
flitzis_audio_engine_class_init (FlitzisAudioEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _flitzis_init_i18n ();

  object_class->constructed = flitzis_audio_engine_constructed;
  object_class->dispose = flitzis_audio_engine_dispose;
  object_class->finalize = flitzis_audio_engine_finalize;
  object_class->get_property = flitzis_audio_engine_get_property;
  object_class->set_property = flitzis_audio_engine_set_property;

  /**
   * FlitzisAudioEngine:running: (getter get_running)
   *
   * Whether the output stream is running.  Notified in the thread that
   * called [method@Flitzis.AudioEngine.run] or [method@Flitzis.AudioEngine.shut_down].
   *
   * Since: 0.1
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", _("Running"),
                          _("Whether the output stream is running"), FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:sample-rate: (getter get_sample_rate) (setter set_sample_rate)
   *
   * While running, the sample rate of the open stream in Hz.  Otherwise,
   * for a device engine, the rate the next [method@Flitzis.AudioEngine.run]
   * asks the device for; 0 (the default) takes the device's default rate.
   * For an offline engine, the rate it renders at, set when it is made
   * (up to [const@Flitzis.MAX_OFFLINE_RATE]; 0 at construction means
   * 48000) and fixed after that.
   *
   * Since: 0.1
   */
  properties[PROP_SAMPLE_RATE] =
    g_param_spec_uint ("sample-rate", _("Sample rate"),
                       _("The stream’s sample rate in Hz; when stopped, the rate to ask for "
                         "(0 for the device’s default)"), 0, FLITZIS_MAX_OFFLINE_RATE, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:channels: (getter get_channels)
   *
   * The channel count of the open stream; 0 when a device engine is not
   * running.  An offline engine renders this many interleaved channels,
   * set when it is made (up to [const@Flitzis.MAX_OFFLINE_CHANNELS]; 0 at
   * construction means 2); a device engine takes its count from the
   * device, and may not set it.
   *
   * Since: 0.1
   */
  properties[PROP_CHANNELS] =
    g_param_spec_uint ("channels", _("Channels"),
                       _("The channel count of the open stream, or 0"),
                       0, FLITZIS_MAX_OFFLINE_CHANNELS, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:offline: (getter get_offline)
   *
   * Whether the engine renders without a device, driven by
   * [method@Flitzis.AudioEngine.render] instead of a sound card: the same
   * commands and the same mixer as a device engine.  Set when it is made,
   * with [property@Flitzis.AudioEngine:sample-rate] and
   * [property@Flitzis.AudioEngine:channels]; from Python,
   * `Flitzis.AudioEngine(offline=True, sample_rate=48000, channels=2)`.
   * [ctor@Flitzis.AudioEngine.new_offline] does the same from C.
   *
   * Since: 0.1
   */
  properties[PROP_OFFLINE] =
    g_param_spec_boolean ("offline", _("Offline"),
                          _("Whether the engine renders without a device"), FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:device: (getter dup_device) (setter set_device)
   *
   * The name of the output device that [method@Flitzis.AudioEngine.run] opens,
   * as [func@Flitzis.AudioEngine.list_output_devices] lists it (a
   * PipeWire sink also by its `node.name`); %NULL for the default (see
   * [method@Flitzis.AudioEngine.run]).
   *
   * Since: 0.1
   */
  properties[PROP_DEVICE] =
    g_param_spec_string ("device", _("Device"),
                         _("The name of the output device to open, or NULL for the default"), NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:paused: (getter get_paused)
   *
   * Whether the engine is paused (see [method@Flitzis.AudioEngine.pause]), as
   * last requested; %FALSE when not running.
   *
   * Since: 0.1
   */
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", _("Paused"),
                          _("Whether the output is paused, with the voices kept where they are"),
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:period-frames: (getter get_period_frames) (setter set_period_frames)
   *
   * The frames per audio period that [method@Flitzis.AudioEngine.run] asks
   * for; 0 (the default) lets PortAudio choose.
   *
   * Since: 0.1
   */
  properties[PROP_PERIOD_FRAMES] =
    g_param_spec_uint ("period-frames", _("Period frames"),
                       _("The frames per audio period to ask for, or 0 to let PortAudio choose"),
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:latency: (getter get_latency)
   *
   * The open stream's output latency in seconds, as the device reports it;
   * 0 when not running and for offline engines.
   *
   * Since: 0.1
   */
  properties[PROP_LATENCY] =
    g_param_spec_double ("latency", _("Latency"),
                         _("The open stream’s output latency in seconds"), 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:volume: (getter get_volume)
   *
   * The master volume, from 0.0 to [const@Flitzis.MAX_GAIN], applied with a short
   * ramp (see [method@Flitzis.AudioEngine.set_volume]).  Bind a slider to it.
   *
   * Since: 0.1
   */
  properties[PROP_VOLUME] =
    g_param_spec_double ("volume", _("Volume"),
                         _("The master volume: 1.0 leaves the mix as it is"),
                         0.0, FLITZIS_MAX_GAIN, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  _flitzis_audio_engine_class_init_meters (properties);
  _flitzis_audio_engine_class_init_pads (properties);
  _flitzis_audio_engine_class_init_backend (properties);
  _flitzis_audio_engine_class_init_clock (properties);
  _flitzis_audio_engine_class_init_stream (properties);
  _flitzis_audio_engine_class_init_samples (properties);
  _flitzis_audio_engine_class_init_midi (properties);
  _flitzis_audio_engine_class_init_keylock (properties);
  _flitzis_audio_engine_class_init_speed (properties);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  _flitzis_audio_engine_class_init_signals (object_class);
  _flitzis_audio_engine_class_init_progress (object_class);
}

static void
flitzis_audio_engine_init (FlitzisAudioEngine *self)
{
  g_mutex_init (&self->lifecycle_lock);
  g_mutex_init (&self->lock);
  g_mutex_init (&self->render_lock);
  self->volume = 1.0;
  self->n_slots = FLITZIS_MAX_SAMPLE_SLOTS;
  self->n_voices = FLITZIS_MAX_VOICES;
  _flitzis_audio_engine_init_clock (self);
  _flitzis_audio_engine_init_stream (self);
  _flitzis_audio_engine_init_loading (self);
  self->speed = 1.0;
  g_queue_init (&self->received);
  g_queue_init (&self->to_emit);
  g_queue_init (&self->levels_to_emit);
}
