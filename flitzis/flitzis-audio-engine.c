/* flitzis-audio-engine.c: a real-time sample player
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * FlitzisAudioEngine:
 *
 * Plays decoded samples through a PortAudio output stream with real-time
 * guarantees.
 *
 * An engine holds %FLITZIS_MAX_SAMPLE_SLOTS sample slots and mixes up to
 * %FLITZIS_MAX_VOICES voices.  flitzis_audio_engine_run() opens the output
 * device; flitzis_audio_engine_load_sample() decodes a file into a slot and
 * flitzis_audio_engine_play_sample() triggers it.
 *
 * ## Threads
 *
 * - The *audio thread* is PortAudio's.  It runs the engine's real-time
 *   core once a period: it takes the commands queued since the last
 *   period, mixes, and queues replies.  It never allocates or frees
 *   memory, never takes a lock, makes no system call and calls no GLib
 *   function.  Control and audio thread talk only through two lock-free
 *   single-producer, single-consumer rings of %FLITZIS_QUEUE_CAPACITY
 *   messages.
 * - *Control threads* call the engine's methods.  Any thread may, and the
 *   calls are serialised by a lock that the audio thread never takes.
 *   Commands never wait for the audio thread: one that cannot be queued
 *   fails at once with %FLITZIS_ENGINE_ERROR_QUEUE_FULL.  Files are decoded
 *   in the thread that calls flitzis_audio_engine_load_sample().
 * - The *main context* is the thread-default #GMainContext of the thread
 *   that called flitzis_audio_engine_run().  Every signal of the engine
 *   (#FlitzisAudioEngine::pong) is emitted there, and only there: never on
 *   the audio thread, never in the thread that queued the command.
 *
 * Each message from the audio thread is dispatched once, in order: it is
 * emitted as its signal in the main context (if a handler was connected
 * when it arrived) and kept for flitzis_audio_engine_receive_msg(), which
 * is the polling view of the same stream and works without any main loop.
 *
 * Since: 0.1
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "flitzis-audio-engine.h"
#include "flitzis-engine-error.h"
#include "flitzis-enum-types.h"
#include "flitzis-private.h"
#include "core/fz-core.h"
#include "core/fz-loader.h"
#include "fz-reply-source.h"
#include "fz-stream.h"

G_STATIC_ASSERT (FLITZIS_MAX_SAMPLE_SLOTS == FZ_MAX_SLOTS);
G_STATIC_ASSERT (FLITZIS_MAX_VOICES == FZ_MAX_VOICES);
G_STATIC_ASSERT (FLITZIS_QUEUE_CAPACITY == FZ_RING_CAPACITY);

/* How many messages wait for receive_msg(), and for emission. */
#define FLITZIS_KEPT_MESSAGES 1024u

struct _FlitzisAudioEngine {
  GObject parent_instance;

  char *device;                 /* property; used by the next run() */
  /* Offline engines (flitzis_audio_engine_new_offline()) have no device:
   * the caller of render() is their audio thread.  Set at construction. */
  gboolean offline;
  guint offline_rate;
  guint offline_channels;

  /* Serialises run(), shut_down() and dispose; taken before lock, never
   * while holding it. */
  GMutex lifecycle_lock;
  /* Control state, guarded by lock, which is only ever held briefly.  The
   * audio thread never takes either lock. */
  GMutex lock;
  /* Held by render() while it runs the core, and by shut_down() while it
   * frees it: taken before lock, never while holding it. */
  GMutex render_lock;
  FzStream *stream;             /* non-NULL while a device engine runs */
  FzCore *core;                 /* non-NULL while running */
  guint run_id;                 /* bumped by each run(): detects a restart */
  guint sample_rate;
  guint channels;
  GMainContext *context;        /* where signals are emitted */
  GSource *reply_source;
  FzSample *published[FZ_MAX_SLOTS];  /* what each slot holds, control view */
  guint64 pings_sent;            /* this run */
  guint64 pongs_received;        /* this run */
  guint retires_in_flight;
  gboolean paused;              /* as last queued; FALSE when not running */
  GQueue received;              /* FlitzisMessage *, for receive_msg() */
  GQueue to_emit;               /* FlitzisMessage *, for signals */
  guint64 dropped_messages;
  guint64 dropped_signals;
  guint64 dropped_voices;       /* totals of earlier runs */
  guint64 dropped_replies;
};

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_SAMPLE_RATE,
  PROP_CHANNELS,
  PROP_DEVICE,
  PROP_PAUSED,
  N_PROPS
};

enum {
  SIGNAL_PONG,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FlitzisAudioEngine, flitzis_audio_engine, G_TYPE_OBJECT)

void
flitzis_init_i18n (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&done, 1);
    }
}

/* ---- errors ---- */

static gboolean
check_slot (guint id, GError **error)
{
  if (id < FLITZIS_MAX_SAMPLE_SLOTS)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT,
               _("Sample slot %u does not exist; slots are numbered 0 to %u"),
               id, FLITZIS_MAX_SAMPLE_SLOTS - 1);
  return FALSE;
}

static gboolean
check_velocity (float velocity, GError **error)
{
  if (isfinite (velocity) && velocity >= 0.0f && velocity <= 1.0f)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_VELOCITY,
               _("Velocity %g is not allowed; a velocity is a number from 0.0 to 1.0"),
               (double) velocity);
  return FALSE;
}

/* Called with the lock held. */
static gboolean
check_running (FlitzisAudioEngine *self, GError **error)
{
  if (self->core != NULL)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING,
               _("The audio engine is not running; call run() first"));
  return FALSE;
}

/* Called with the lock held: a sample decoded for one run must not be
 * published into the next, whose stream may have another layout. */
static gboolean
check_same_run (FlitzisAudioEngine *self, guint run_id, const char *path, GError **error)
{
  g_autofree char *display = NULL;

  if (self->run_id == run_id)
    return TRUE;
  display = g_filename_display_name (path);
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING,
               _("The audio engine was restarted while “%s” was loading; load it again"),
               display);
  return FALSE;
}

static void drain_replies (FlitzisAudioEngine *self);

/* Called with the lock held.  Never waits for the audio thread.  Replies
 * are taken first: an application that neither polls nor runs a main loop
 * must not stall the audio thread's retirements (and so, by admission
 * control, its commands). */
static gboolean
send_command (FlitzisAudioEngine *self, const FzMsg *command, GError **error)
{
  drain_replies (self);
  if (fz_core_send (self->core, command))
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL,
               g_dngettext (GETTEXT_PACKAGE,
                            "The command queue to the audio thread is full (%u command); "
                            "nothing was queued, try again once the audio thread has caught up",
                            "The command queue to the audio thread is full (%u commands); "
                            "nothing was queued, try again once the audio thread has caught up",
                            FLITZIS_QUEUE_CAPACITY),
               FLITZIS_QUEUE_CAPACITY);
  return FALSE;
}

/* ---- replies: control side ---- */

/* Called with the lock held: pings neither answered nor counted as
 * dropped by the audio thread (a full reply ring drops pongs). */
static guint64
pings_unanswered (FlitzisAudioEngine *self)
{
  guint64 settled = self->pongs_received;

  if (self->core != NULL)
    settled += fz_core_get_replies_dropped (self->core);
  return self->pings_sent > settled ? self->pings_sent - settled : 0;
}

/* Called with the lock held. */
static gboolean
awaiting_replies (FlitzisAudioEngine *self)
{
  return self->core != NULL && (pings_unanswered (self) > 0 || self->retires_in_flight > 0);
}

static void
keep_bounded (GQueue *queue, FlitzisMessage *message, guint64 *dropped)
{
  if (queue->length == FLITZIS_KEPT_MESSAGES)
    {
      flitzis_message_unref (g_queue_pop_head (queue));
      (*dropped)++;
    }
  g_queue_push_tail (queue, message);
}

static guint
signal_for_kind (FlitzisMessageKind kind)
{
  switch (kind)
    {
    case FLITZIS_MESSAGE_KIND_PONG:
    default:
      return signals[SIGNAL_PONG];
    }
}

/* Called with the lock held. */
static void
deliver (FlitzisAudioEngine *self, FlitzisMessage *message)
{
  guint signal_id = signal_for_kind (flitzis_message_get_kind (message));

  if (g_signal_has_handler_pending (self, signal_id, 0, TRUE))
    keep_bounded (&self->to_emit, flitzis_message_ref (message), &self->dropped_signals);
  keep_bounded (&self->received, message, &self->dropped_messages);
}

/* Takes every reply out of the reply ring.  Called with the lock held, by
 * whichever control thread gets there first: the main context's source or
 * a receive_msg() caller. */
static void
drain_replies (FlitzisAudioEngine *self)
{
  FzMsg reply;

  if (self->core == NULL)
    return;
  while (fz_core_receive (self->core, &reply))
    {
      switch ((FzMsgType) reply.type)
        {
        case FZ_REPLY_RETIRE:
          fz_sample_unref (reply.sample);
          self->retires_in_flight--;
          break;
        case FZ_REPLY_PONG:
          self->pongs_received++;
          deliver (self, flitzis_message_new (FLITZIS_MESSAGE_KIND_PONG, reply.frame));
          break;
        case FZ_CMD_PING:
        case FZ_CMD_LOAD:
        case FZ_CMD_PLAY:
        case FZ_CMD_PAUSE:
        case FZ_CMD_RESUME:
        default:
          g_assert_not_reached ();
        }
    }
}

/* ---- the main context's source ---- */

static gboolean
source_is_ready (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);
  gboolean ready;

  g_mutex_lock (&self->lock);
  ready = self->to_emit.length > 0 ||
          (self->core != NULL && fz_ring_has_data (self->core->replies));
  g_mutex_unlock (&self->lock);
  return ready;
}

static gboolean
source_is_awaiting (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);
  gboolean awaiting;

  g_mutex_lock (&self->lock);
  awaiting = awaiting_replies (self);
  g_mutex_unlock (&self->lock);
  return awaiting;
}

static void
emit_message (FlitzisAudioEngine *self, FlitzisMessage *message)
{
  g_signal_emit (self, signal_for_kind (flitzis_message_get_kind (message)), 0);
  flitzis_message_unref (message);
}

/* Runs in the main context (see the class documentation). */
static gboolean
source_dispatch (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);
  GQueue batch = G_QUEUE_INIT;
  FlitzisMessage *message;

  g_mutex_lock (&self->lock);
  drain_replies (self);
  batch = self->to_emit;
  g_queue_init (&self->to_emit);
  g_mutex_unlock (&self->lock);

  /* Emitted without the lock: handlers may call back into the engine. */
  while ((message = g_queue_pop_head (&batch)) != NULL)
    emit_message (self, message);
  return G_SOURCE_CONTINUE;
}

static const FzReplySourceFuncs reply_source_funcs = {
  .is_ready = source_is_ready,
  .is_awaiting = source_is_awaiting,
  .dispatch = source_dispatch,
};

/* Called with the lock held, after queueing a command that will be
 * answered (@was_awaiting: whether replies were awaited before it): a
 * context asleep in poll() must start polling. */
static void
wake_context (FlitzisAudioEngine *self, gboolean was_awaiting)
{
  if (!was_awaiting && self->context != NULL)
    g_main_context_wakeup (self->context);
}

/* Called with the lock held. */
static void
detach_source (FlitzisAudioEngine *self)
{
  if (self->reply_source != NULL)
    {
      g_source_destroy (self->reply_source);
      g_clear_pointer (&self->reply_source, g_source_unref);
    }
  g_clear_pointer (&self->context, g_main_context_unref);
}

/* Called with the lock held. */
static void
attach_source (FlitzisAudioEngine *self)
{
  detach_source (self);
  self->context = g_main_context_ref_thread_default ();
  self->reply_source = fz_reply_source_new (&reply_source_funcs, G_OBJECT (self));
  g_source_attach (self->reply_source, self->context);
}

/* ---- lifecycle ---- */

/* Called with the lock held. */
static char *
dup_requested_device (FlitzisAudioEngine *self)
{
  const char *from_env = g_getenv ("FLITZIS_DEVICE");

  if (self->device != NULL)
    return g_strdup (self->device);
  return from_env != NULL && *from_env != '\0' ? g_strdup (from_env) : NULL;
}

typedef struct {
  GWeakRef engine;
  GParamSpec *pspec;
} FzNotify;

static gboolean
notify_now (gpointer data)
{
  FzNotify *notify = data;
  g_autoptr (GObject) engine = g_weak_ref_get (&notify->engine);

  if (engine != NULL)
    g_object_notify_by_pspec (engine, notify->pspec);
  return G_SOURCE_REMOVE;
}

static void
notify_free (gpointer data)
{
  FzNotify *notify = data;

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

  g_mutex_lock (&self->lock);
  context = self->context != NULL ? g_main_context_ref (self->context) : NULL;
  g_mutex_unlock (&self->lock);
  if (context == NULL)
    {
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
      return;
    }
  notify = g_new0 (FzNotify, 1);
  g_weak_ref_init (&notify->engine, self);
  notify->pspec = pspec;
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, notify_now, notify, notify_free);
  g_main_context_unref (context);
}

static void
notify_stream_properties (FlitzisAudioEngine *self)
{
  notify_in_context (self, properties[PROP_RUNNING]);
  notify_in_context (self, properties[PROP_SAMPLE_RATE]);
  notify_in_context (self, properties[PROP_CHANNELS]);
}

static FzCore *
new_core (guint sample_rate, guint channels)
{
  FzCore *core = fz_core_new (sample_rate, channels);

  if (core == NULL)
    g_error ("%s: out of memory", G_STRLOC);
  return core;
}

/* Called with the lifecycle lock held. */
static void
publish_core (FlitzisAudioEngine *self, FzStream *stream, FzCore *core,
              guint sample_rate, guint channels)
{
  g_mutex_lock (&self->lock);
  self->stream = stream;
  self->core = core;
  self->sample_rate = sample_rate;
  self->channels = channels;
  self->run_id++;
  self->pings_sent = 0;
  self->pongs_received = 0;
  attach_source (self);
  g_mutex_unlock (&self->lock);
}

/* Called with the lifecycle lock held and the lock not held: opening a
 * device takes tens of milliseconds, which must not stall the main
 * context or other callers. */
static gboolean
start_stream (FlitzisAudioEngine *self, GError **error)
{
  g_autofree char *device = NULL;
  FzStream *stream;
  FzCore *core;
  guint rate, channels;

  if (self->offline)
    {
      publish_core (self, NULL, new_core (self->offline_rate, self->offline_channels),
                    self->offline_rate, self->offline_channels);
      return TRUE;
    }

  g_mutex_lock (&self->lock);
  device = dup_requested_device (self);
  g_mutex_unlock (&self->lock);

  stream = fz_stream_open (device, error);
  if (stream == NULL)
    return FALSE;
  rate = fz_stream_get_sample_rate (stream);
  channels = fz_stream_get_channels (stream);
  core = new_core (rate, channels);
  if (!fz_stream_start (stream, core, error))
    {
      if (fz_stream_close (stream))
        fz_core_free (core);
      return FALSE;
    }
  publish_core (self, stream, core, rate, channels);
  return TRUE;
}

/**
 * flitzis_audio_engine_run:
 * @self: a #FlitzisAudioEngine
 * @error: return location for a #GError, or %NULL
 *
 * Opens the output device and starts the audio thread.  An offline
 * engine (flitzis_audio_engine_new_offline()) opens no device: from now on
 * it renders when flitzis_audio_engine_render() is called.
 *
 * The device is #FlitzisAudioEngine:device if set, else the one named by
 * the `FLITZIS_DEVICE` environment variable, else the JACK host API's
 * default output when a JACK server is running, else PortAudio's default
 * output.  The calling thread's thread-default #GMainContext becomes the
 * one in which the engine emits its signals.
 *
 * Returns: %TRUE on success; %FALSE with @error set to
 *   %FLITZIS_ENGINE_ERROR_ALREADY_RUNNING, %FLITZIS_ENGINE_ERROR_NO_DEVICE
 *   or %FLITZIS_ENGINE_ERROR_DEVICE_FAILED
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_run (FlitzisAudioEngine *self, GError **error)
{
  gboolean running, started = FALSE;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lifecycle_lock);
  g_mutex_lock (&self->lock);
  running = self->core != NULL;
  g_mutex_unlock (&self->lock);
  if (running)
    g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_ALREADY_RUNNING,
                 _("The audio engine is already running; call shut_down() before running it again"));
  else
    started = start_stream (self, error);
  g_mutex_unlock (&self->lifecycle_lock);

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
  self->paused = FALSE;
}

/* Called with the lock held, once the audio thread has stopped: takes the
 * last replies, then every reference the core still holds. */
static void
release_core (FlitzisAudioEngine *self)
{
  drain_replies (self);
  self->dropped_voices += fz_core_get_voices_dropped (self->core);
  /* Pongs the audio thread dropped, and pings it never took. */
  self->dropped_replies += fz_core_get_replies_dropped (self->core) + pings_unanswered (self);
  self->pings_sent = 0;
  self->pongs_received = 0;
  self->retires_in_flight = 0;
  g_clear_pointer (&self->core, fz_core_free);
  for (guint i = 0; i < FZ_MAX_SLOTS; i++)
    g_clear_pointer (&self->published[i], fz_sample_unref);
  forget_stream (self);
}

/* Called with the lock held, when the stream could not be stopped: the
 * callback may still run, so its core and samples are kept (leaked) on
 * purpose rather than freed under it. */
static void
abandon_core (FlitzisAudioEngine *self)
{
  self->core = NULL;
  memset (self->published, 0, sizeof (self->published));
  forget_stream (self);
}

/* Called with the lifecycle lock held.  Returns whether it was running. */
static gboolean
stop_stream (FlitzisAudioEngine *self)
{
  FzStream *stream;
  gboolean running, stopped = TRUE;

  g_mutex_lock (&self->lock);
  stream = g_steal_pointer (&self->stream);
  running = self->core != NULL;
  g_mutex_unlock (&self->lock);
  if (!running)
    return FALSE;

  /* Without the lock: this waits for the last callback to return.
   * Commands queued meanwhile are released with the core. */
  if (stream != NULL)
    stopped = fz_stream_close (stream);

  /* Offline, the renderer is the audio thread: wait for its render(). */
  g_mutex_lock (&self->render_lock);
  g_mutex_lock (&self->lock);
  if (stopped)
    release_core (self);
  else
    abandon_core (self);
  /* The source stays attached until it has emitted what is left. */
  if (self->context != NULL)
    g_main_context_wakeup (self->context);
  g_mutex_unlock (&self->lock);
  g_mutex_unlock (&self->render_lock);
  return TRUE;
}

/**
 * flitzis_audio_engine_shut_down:
 * @self: a #FlitzisAudioEngine
 *
 * Stops the audio thread and closes the device.  Voices stop, every slot
 * is emptied and its sample freed.  Messages already received stay
 * available to flitzis_audio_engine_receive_msg(), and their signals are
 * still emitted in the main context.  Shutting down an engine that is not
 * running does nothing.
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_shut_down (FlitzisAudioEngine *self)
{
  gboolean was_running, was_paused;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  g_mutex_lock (&self->lifecycle_lock);
  was_paused = flitzis_audio_engine_get_paused (self);
  was_running = stop_stream (self);
  g_mutex_unlock (&self->lifecycle_lock);
  if (was_running)
    notify_stream_properties (self);
  if (was_paused)
    notify_in_context (self, properties[PROP_PAUSED]);
}

/* ---- commands ---- */

/* Called with the lock held.  Takes the reference of @sample. */
static gboolean
publish (FlitzisAudioEngine *self, guint id, FzSample *sample, GError **error)
{
  FzMsg load = { .type = FZ_CMD_LOAD, .slot = id, .sample = fz_sample_ref (sample) };
  FzSample *old = self->published[id];

  if (!send_command (self, &load, error))
    {
      fz_sample_unref (sample);
      fz_sample_unref (sample);
      return FALSE;
    }
  self->published[id] = sample;
  if (old != NULL)
    {
      /* The audio thread hands its reference to @old back once no voice
       * plays it any more. */
      gboolean was_awaiting = awaiting_replies (self);

      fz_sample_unref (old);
      self->retires_in_flight++;
      wake_context (self, was_awaiting);
    }
  return TRUE;
}

/**
 * flitzis_audio_engine_load_sample:
 * @self: a #FlitzisAudioEngine
 * @id: the sample slot, below %FLITZIS_MAX_SAMPLE_SLOTS
 * @path: (type filename): the audio file to load
 * @error: return location for a #GError, or %NULL
 *
 * Decodes @path in the calling thread, converts it to the stream's channel
 * layout and puts it in slot @id, replacing what the slot held.  Voices
 * already playing the replaced sample play on to their end; it is freed
 * after that, on a control thread.
 *
 * The file must be at the stream's sample rate.  Mono files play on every
 * channel; with more channels than the stream, channel c of the stream is
 * the mean of the file's channels c, c + n, c + 2n, ... (n the stream's
 * channel count).
 *
 * On failure the slot keeps what it held.
 *
 * Returns: %TRUE on success; %FALSE with @error set: a #GIOErrorEnum such
 *   as %G_IO_ERROR_NOT_FOUND or %G_IO_ERROR_PERMISSION_DENIED when the file
 *   cannot be opened, %FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT when it is
 *   not audio that can be played, %FLITZIS_ENGINE_ERROR_INVALID_SLOT,
 *   %FLITZIS_ENGINE_ERROR_NOT_RUNNING or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_load_sample (FlitzisAudioEngine *self, guint id,
                                  const char *path, GError **error)
{
  guint rate, channels, run_id;
  FzSample *sample;
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_slot (id, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  ok = check_running (self, error);
  rate = self->sample_rate;
  channels = self->channels;
  run_id = self->run_id;
  g_mutex_unlock (&self->lock);
  if (!ok)
    return FALSE;

  /* Decoding takes time: no lock is held meanwhile. */
  sample = fz_load_sample (path, rate, channels, error);
  if (sample == NULL)
    return FALSE;

  g_mutex_lock (&self->lock);
  /* A shut_down() (and maybe another run()) may have come meanwhile. */
  ok = check_running (self, error) && check_same_run (self, run_id, path, error);
  if (ok)
    ok = publish (self, id, sample, error);
  else
    fz_sample_unref (sample);
  g_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_play_sample:
 * @self: a #FlitzisAudioEngine
 * @id: the sample slot, below %FLITZIS_MAX_SAMPLE_SLOTS
 * @velocity: the gain of the new voice, from 0.0 to 1.0
 * @error: return location for a #GError, or %NULL
 *
 * Starts a voice playing slot @id from its beginning at the start of the
 * next audio period.  Triggering an empty slot is not an error: the
 * trigger is ignored.  When all %FLITZIS_MAX_VOICES voices are busy the
 * trigger is dropped and counted (flitzis_audio_engine_get_dropped_voices()).
 *
 * Returns: %TRUE when the trigger was queued; %FALSE with @error set to
 *   %FLITZIS_ENGINE_ERROR_INVALID_SLOT, %FLITZIS_ENGINE_ERROR_INVALID_VELOCITY,
 *   %FLITZIS_ENGINE_ERROR_NOT_RUNNING or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_play_sample (FlitzisAudioEngine *self, guint id,
                                  float velocity, GError **error)
{
  FzMsg play = { .type = FZ_CMD_PLAY, .slot = id, .velocity = velocity };
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_slot (id, error) || !check_velocity (velocity, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  ok = check_running (self, error) && send_command (self, &play, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_ping:
 * @self: a #FlitzisAudioEngine
 * @error: return location for a #GError, or %NULL
 *
 * Asks the audio thread for a sign of life.  It answers in its next period
 * with a %FLITZIS_MESSAGE_KIND_PONG message: #FlitzisAudioEngine::pong is
 * emitted in the main context, and flitzis_audio_engine_receive_msg()
 * returns it.
 *
 * Returns: %TRUE when the ping was queued; %FALSE with @error set to
 *   %FLITZIS_ENGINE_ERROR_NOT_RUNNING or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_ping (FlitzisAudioEngine *self, GError **error)
{
  FzMsg ping = { .type = FZ_CMD_PING };
  gboolean ok, was_awaiting;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  ping.seq = self->pings_sent;
  was_awaiting = awaiting_replies (self);
  ok = check_running (self, error) && send_command (self, &ping, error);
  if (ok)
    {
      self->pings_sent++;
      wake_context (self, was_awaiting);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

static gboolean
set_paused (FlitzisAudioEngine *self, gboolean paused, GError **error)
{
  FzMsg command = { .type = paused ? FZ_CMD_PAUSE : FZ_CMD_RESUME };
  gboolean ok, changed = FALSE;

  g_mutex_lock (&self->lock);
  ok = check_running (self, error);
  if (ok && self->paused != paused)
    {
      ok = send_command (self, &command, error);
      changed = ok;
      if (ok)
        self->paused = paused;
    }
  g_mutex_unlock (&self->lock);
  if (changed)
    notify_in_context (self, properties[PROP_PAUSED]);
  return ok;
}

/**
 * flitzis_audio_engine_pause:
 * @self: a #FlitzisAudioEngine
 * @error: return location for a #GError, or %NULL
 *
 * Silences the output from the next audio period on, keeping the stream
 * open and every voice where it is: flitzis_audio_engine_resume() goes on
 * from there, sample for sample.  While paused, commands are still carried
 * out (a trigger starts a voice that sounds on resume) and pings are
 * answered; the frame time goes on counting.  Pausing a paused engine does
 * nothing.
 *
 * Returns: %TRUE when the engine is (to be) paused; %FALSE with @error set
 *   to %FLITZIS_ENGINE_ERROR_NOT_RUNNING or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_pause (FlitzisAudioEngine *self, GError **error)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_paused (self, TRUE, error);
}

/**
 * flitzis_audio_engine_resume:
 * @self: a #FlitzisAudioEngine
 * @error: return location for a #GError, or %NULL
 *
 * Ends a flitzis_audio_engine_pause() at the next audio period: the voices
 * go on from where they were.  Resuming an engine that is not paused does
 * nothing.
 *
 * Returns: %TRUE when the engine is (to be) playing; %FALSE with @error
 *   set to %FLITZIS_ENGINE_ERROR_NOT_RUNNING or
 *   %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_resume (FlitzisAudioEngine *self, GError **error)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_paused (self, FALSE, error);
}

/**
 * flitzis_audio_engine_get_paused:
 * @self: a #FlitzisAudioEngine
 *
 * Gets #FlitzisAudioEngine:paused.
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

  g_mutex_lock (&self->lock);
  paused = self->paused;
  g_mutex_unlock (&self->lock);
  return paused;
}

/**
 * flitzis_audio_engine_receive_msg:
 * @self: a #FlitzisAudioEngine
 *
 * Takes the oldest message from the audio thread that has not been
 * received yet.  This is the polling view of the messages whose signals
 * are emitted in the main context; it needs no main loop, since it takes
 * new replies from the audio thread itself.  The most recent
 * %FLITZIS_QUEUE_CAPACITY messages are kept; older ones are dropped and
 * counted (flitzis_audio_engine_get_dropped_messages()).
 *
 * Returns: (nullable) (transfer full): the oldest pending message, or
 *   %NULL when none is pending
 *
 * Since: 0.1
 */
FlitzisMessage *
flitzis_audio_engine_receive_msg (FlitzisAudioEngine *self)
{
  FlitzisMessage *message;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), NULL);

  g_mutex_lock (&self->lock);
  drain_replies (self);
  message = g_queue_pop_head (&self->received);
  g_mutex_unlock (&self->lock);
  return message;
}

/* ---- accessors ---- */

static guint
read_guint (FlitzisAudioEngine *self, const guint *field)
{
  guint value;

  g_mutex_lock (&self->lock);
  value = *field;
  g_mutex_unlock (&self->lock);
  return value;
}

/* A drop counter: the totals of earlier runs plus, while running, the
 * audio thread's live count (@live may be NULL for control-side counts). */
static guint64
read_count (FlitzisAudioEngine *self, const guint64 *earlier, uint64_t (*live) (FzCore *))
{
  guint64 count;

  g_mutex_lock (&self->lock);
  count = *earlier;
  if (live != NULL && self->core != NULL)
    count += live (self->core);
  g_mutex_unlock (&self->lock);
  return count;
}

/**
 * flitzis_audio_engine_get_running:
 * @self: a #FlitzisAudioEngine
 *
 * Gets #FlitzisAudioEngine:running.
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

  g_mutex_lock (&self->lock);
  running = self->core != NULL;
  g_mutex_unlock (&self->lock);
  return running;
}

/**
 * flitzis_audio_engine_get_sample_rate:
 * @self: a #FlitzisAudioEngine
 *
 * Gets #FlitzisAudioEngine:sample-rate.
 *
 * Returns: the sample rate of the open stream in Hz, or 0 when not running
 *
 * Since: 0.1
 */
guint
flitzis_audio_engine_get_sample_rate (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return read_guint (self, &self->sample_rate);
}

/**
 * flitzis_audio_engine_get_channels:
 * @self: a #FlitzisAudioEngine
 *
 * Gets #FlitzisAudioEngine:channels.
 *
 * Returns: the channel count of the open stream, or 0 when not running
 *
 * Since: 0.1
 */
guint
flitzis_audio_engine_get_channels (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return read_guint (self, &self->channels);
}

/**
 * flitzis_audio_engine_dup_device:
 * @self: a #FlitzisAudioEngine
 *
 * Gets #FlitzisAudioEngine:device.  A copy, so that another thread may
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

  g_mutex_lock (&self->lock);
  device = g_strdup (self->device);
  g_mutex_unlock (&self->lock);
  return device;
}

/**
 * flitzis_audio_engine_set_device:
 * @self: a #FlitzisAudioEngine
 * @device: (nullable): the name of an output device, or %NULL for the
 *   default
 *
 * Sets #FlitzisAudioEngine:device, used by the next
 * flitzis_audio_engine_run().
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_device (FlitzisAudioEngine *self, const char *device)
{
  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  g_mutex_lock (&self->lock);
  if (g_strcmp0 (self->device, device) == 0)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  g_free (self->device);
  self->device = g_strdup (device);
  g_mutex_unlock (&self->lock);
  notify_in_context (self, properties[PROP_DEVICE]);
}

/**
 * flitzis_audio_engine_get_frame_time:
 * @self: a #FlitzisAudioEngine
 *
 * Reads the audio thread's frame counter, which advances once per audio
 * period; use it to relate messages (flitzis_message_get_frame()) to
 * the time of the stream.
 *
 * Returns: the number of frames the audio thread has rendered since
 *   flitzis_audio_engine_run(), or 0 when not running
 *
 * Since: 0.1
 */
guint64
flitzis_audio_engine_get_frame_time (FlitzisAudioEngine *self)
{
  guint64 frames;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  g_mutex_lock (&self->lock);
  frames = self->core != NULL ? fz_core_get_frame_time (self->core) : 0;
  g_mutex_unlock (&self->lock);
  return frames;
}

/**
 * flitzis_audio_engine_get_dropped_voices:
 * @self: a #FlitzisAudioEngine
 *
 * Counts the triggers that found no free voice.
 *
 * Returns: how many triggers were dropped, since the engine was created,
 *   because all %FLITZIS_MAX_VOICES voices were busy
 *
 * Since: 0.1
 */
guint64
flitzis_audio_engine_get_dropped_voices (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return read_count (self, &self->dropped_voices, fz_core_get_voices_dropped);
}

/**
 * flitzis_audio_engine_get_dropped_replies:
 * @self: a #FlitzisAudioEngine
 *
 * Counts the replies of the audio thread that never arrived.
 *
 * Returns: how many replies (such as pongs) were lost, since the engine
 *   was created, because the reply queue from the audio thread was full,
 *   or because the engine shut down before answering
 *
 * Since: 0.1
 */
guint64
flitzis_audio_engine_get_dropped_replies (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return read_count (self, &self->dropped_replies, fz_core_get_replies_dropped);
}

/**
 * flitzis_audio_engine_get_dropped_messages:
 * @self: a #FlitzisAudioEngine
 *
 * Counts the messages that flitzis_audio_engine_receive_msg() will
 * never return because newer ones pushed them out.
 *
 * Returns: how many messages were dropped unreceived, oldest first,
 *   because %FLITZIS_QUEUE_CAPACITY newer ones were waiting for
 *   flitzis_audio_engine_receive_msg()
 *
 * Since: 0.1
 */
guint64
flitzis_audio_engine_get_dropped_messages (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return read_count (self, &self->dropped_messages, NULL);
}

/**
 * flitzis_audio_engine_get_dropped_signals:
 * @self: a #FlitzisAudioEngine
 *
 * Counts the signal emissions that were dropped because the main
 * context did not run for too long.
 *
 * Returns: how many signal emissions were dropped, oldest first, because
 *   %FLITZIS_QUEUE_CAPACITY newer ones were waiting for the main context
 *   to run
 *
 * Since: 0.1
 */
guint64
flitzis_audio_engine_get_dropped_signals (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return read_count (self, &self->dropped_signals, NULL);
}

/* ---- GObject ---- */

/**
 * flitzis_audio_engine_new:
 *
 * Creates an engine.  It opens no device until flitzis_audio_engine_run().
 *
 * Returns: (transfer full): a new #FlitzisAudioEngine
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
 *   %FLITZIS_MAX_OFFLINE_RATE
 * @channels: the number of interleaved channels to render: 1 to
 *   %FLITZIS_MAX_OFFLINE_CHANNELS
 *
 * Creates an engine that renders without a device: the same commands and
 * the same mixer as a device engine, driven by
 * flitzis_audio_engine_render() instead of a sound card.  It is run() and
 * shut down like any engine; each render is one audio period.  For
 * bounces, tests and benchmarks: the output of a given sequence of calls
 * and renders is the same, sample for sample, on every run.
 *
 * Returns: (transfer full): a new offline #FlitzisAudioEngine
 *
 * Since: 0.1
 */
FlitzisAudioEngine *
flitzis_audio_engine_new_offline (guint sample_rate, guint channels)
{
  FlitzisAudioEngine *self;

  g_return_val_if_fail (sample_rate > 0 && sample_rate <= FLITZIS_MAX_OFFLINE_RATE, NULL);
  g_return_val_if_fail (channels > 0 && channels <= FLITZIS_MAX_OFFLINE_CHANNELS, NULL);

  self = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, NULL);
  self->offline = TRUE;
  self->offline_rate = sample_rate;
  self->offline_channels = channels;
  return self;
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
 * @self: an offline #FlitzisAudioEngine
 * @buffer: (array length=n_frames): where to write @n_frames frames of
 *   interleaved float samples, flitzis_audio_engine_get_channels() per
 *   frame
 * @n_frames: how many frames to render: one audio period
 * @error: return location for a #GError, or %NULL
 *
 * Renders one period of an offline engine, exactly as the audio callback
 * of a device engine would: first the commands queued since the last
 * render are carried out, then the voices are mixed into @buffer.  The
 * calling thread acts as the engine's audio thread; renders of one engine
 * must not overlap.  Bindings use flitzis_audio_engine_render_bytes().
 *
 * Returns: %TRUE when @buffer was rendered; %FALSE with @error set to
 *   %FLITZIS_ENGINE_ERROR_NOT_OFFLINE or %FLITZIS_ENGINE_ERROR_NOT_RUNNING
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
  g_mutex_lock (&self->render_lock);
  g_mutex_lock (&self->lock);
  ok = check_running (self, error);
  core = self->core;
  g_mutex_unlock (&self->lock);
  /* Without the lock, like the callback: control calls go on meanwhile. */
  if (ok)
    fz_core_process (core, buffer, n_frames);
  g_mutex_unlock (&self->render_lock);
  return ok;
}

/**
 * flitzis_audio_engine_render_bytes:
 * @self: an offline #FlitzisAudioEngine
 * @n_frames: how many frames to render: one audio period
 * @error: return location for a #GError, or %NULL
 *
 * Renders one period like flitzis_audio_engine_render(), into new memory:
 * the binding-friendly form.
 *
 * Returns: (transfer full) (nullable): @n_frames frames of interleaved
 *   32-bit float samples, little-endian, flitzis_audio_engine_get_channels()
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

static void
flitzis_audio_engine_dispose (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);

  g_mutex_lock (&self->lifecycle_lock);
  stop_stream (self);
  g_mutex_unlock (&self->lifecycle_lock);
  g_mutex_lock (&self->lock);
  detach_source (self);
  g_queue_clear_full (&self->to_emit, (GDestroyNotify) flitzis_message_unref);
  g_queue_clear_full (&self->received, (GDestroyNotify) flitzis_message_unref);
  g_mutex_unlock (&self->lock);

  G_OBJECT_CLASS (flitzis_audio_engine_parent_class)->dispose (object);
}

static void
flitzis_audio_engine_finalize (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);

  g_free (self->device);
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flitzis_audio_engine_class_init (FlitzisAudioEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  flitzis_init_i18n ();

  object_class->dispose = flitzis_audio_engine_dispose;
  object_class->finalize = flitzis_audio_engine_finalize;
  object_class->get_property = flitzis_audio_engine_get_property;
  object_class->set_property = flitzis_audio_engine_set_property;

  /**
   * FlitzisAudioEngine:running: (getter get_running)
   *
   * Whether the output stream is running.  Notified in the thread that
   * called flitzis_audio_engine_run() or flitzis_audio_engine_shut_down().
   *
   * Since: 0.1
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", _("Running"),
                          _("Whether the output stream is running"), FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:sample-rate: (getter get_sample_rate)
   *
   * The sample rate of the open stream in Hz; 0 when not running.
   *
   * Since: 0.1
   */
  properties[PROP_SAMPLE_RATE] =
    g_param_spec_uint ("sample-rate", _("Sample rate"),
                       _("The sample rate of the open stream in Hz, or 0"), 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:channels: (getter get_channels)
   *
   * The channel count of the open stream; 0 when not running.
   *
   * Since: 0.1
   */
  properties[PROP_CHANNELS] =
    g_param_spec_uint ("channels", _("Channels"),
                       _("The channel count of the open stream, or 0"), 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:device: (getter dup_device) (setter set_device)
   *
   * The name of the output device that flitzis_audio_engine_run() opens,
   * as PortAudio lists it; %NULL for the default (see
   * flitzis_audio_engine_run()).
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
   * Whether the engine is paused (see flitzis_audio_engine_pause()), as
   * last requested; %FALSE when not running.
   *
   * Since: 0.1
   */
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", _("Paused"),
                          _("Whether the output is paused, with the voices kept where they are"),
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * FlitzisAudioEngine::pong:
   * @self: the engine
   *
   * The audio thread answered a flitzis_audio_engine_ping().  Emitted in
   * the main context, once per answered ping, in order.
   *
   * Since: 0.1
   */
  signals[SIGNAL_PONG] =
    g_signal_new ("pong", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
flitzis_audio_engine_init (FlitzisAudioEngine *self)
{
  g_mutex_init (&self->lifecycle_lock);
  g_mutex_init (&self->lock);
  g_mutex_init (&self->render_lock);
  g_queue_init (&self->received);
  g_queue_init (&self->to_emit);
}
