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
#include "fz-tsan.h"
#include "fz-stream.h"

G_STATIC_ASSERT (FLITZIS_MAX_SAMPLE_SLOTS == FZ_MAX_SLOTS);
G_STATIC_ASSERT (FLITZIS_MAX_VOICES == FZ_MAX_VOICES);
G_STATIC_ASSERT (FLITZIS_QUEUE_CAPACITY == FZ_RING_CAPACITY);

/* How many messages wait for receive_msg(), and for emission. */
#define FLITZIS_KEPT_MESSAGES 1024u

/* Events reach the main loop at most this long after the audio period that
 * produced them, while they are expected (see poll_interval()). */
#define FZ_POLL_BUSY_MS 1
/* While a device stream runs with nothing playing, underruns and a failed
 * stream are noticed within this time. */
#define FZ_POLL_IDLE_MS 100

struct _FlitzisAudioEngine {
  GObject parent_instance;

  char *device;                 /* property; used by the next run() */
  guint requested_rate;         /* property; used by the next run() */
  guint requested_period;       /* property; used by the next run() */
  double volume;                /* property: as last requested */
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
  double latency;
  gboolean stream_lost;         /* the device stream failed: shut down soon */
  GMainContext *context;        /* where signals are emitted */
  GSource *reply_source;
  FzSample *published[FZ_MAX_SLOTS];  /* what each slot holds, control view */
  FlitzisSampleInfo *infos[FZ_MAX_SLOTS];
  /* Loads in flight: a newer load of a slot cancels the older one. */
  guint64 load_serials[FZ_MAX_SLOTS];
  GCancellable *loading[FZ_MAX_SLOTS];
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
  guint64 dropped_events;
  guint64 xruns;
};

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_SAMPLE_RATE,
  PROP_CHANNELS,
  PROP_DEVICE,
  PROP_PAUSED,
  PROP_PERIOD_FRAMES,
  PROP_LATENCY,
  PROP_VOLUME,
  N_PROPS
};

enum {
  SIGNAL_PONG,
  SIGNAL_SAMPLE_STARTED,
  SIGNAL_SAMPLE_FINISHED,
  SIGNAL_VOICE_DROPPED,
  SIGNAL_TRIGGER_LATE,
  SIGNAL_XRUN,
  SIGNAL_STREAM_ERROR,
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

static gboolean
is_valid_gain (double gain)
{
  return isfinite (gain) && gain >= 0.0 && gain <= FLITZIS_MAX_GAIN;
}

static gboolean
check_gain (double gain, GError **error)
{
  if (is_valid_gain (gain))
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN,
               _("Gain %g is not allowed; a gain is a number from 0.0 to %g"),
               gain, FLITZIS_MAX_GAIN);
  return FALSE;
}

static gboolean
check_volume (double volume, GError **error)
{
  if (is_valid_gain (volume))
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN,
               _("Volume %g is not allowed; the volume is a number from 0.0 to %g"),
               volume, FLITZIS_MAX_GAIN);
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

/* Called without the lock: checks that the engine runs, queues @command. */
static gboolean
send_running (FlitzisAudioEngine *self, const FzMsg *command, GError **error)
{
  gboolean ok;

  fz_mutex_lock (&self->lock);
  ok = check_running (self, error) && send_command (self, command, error);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/* Called without the lock: checks a trigger's slot and velocity, and that
 * the engine runs, then queues it. */
static gboolean
queue_trigger (FlitzisAudioEngine *self, const FzMsg *play, GError **error)
{
  if (!check_slot (play->slot, error) || !check_velocity (play->gain, error))
    return FALSE;
  return send_running (self, play, error);
}

/* ---- replies: control side ---- */

/* Called with the lock held: pings neither answered nor counted as
 * dropped by the audio thread (a full reply ring drops pongs). */
static guint64
pings_unanswered (FlitzisAudioEngine *self)
{
  guint64 settled = self->pongs_received;

  if (self->core != NULL)
    settled += fz_core_get_pongs_dropped (self->core);
  return self->pings_sent > settled ? self->pings_sent - settled : 0;
}

/* Called with the lock held. */
static gboolean
awaiting_replies (FlitzisAudioEngine *self)
{
  return self->core != NULL && (pings_unanswered (self) > 0 || self->retires_in_flight > 0);
}

/* Called with the lock held: replies that come without being asked for
 * (voice events) are expected while voices play or triggers wait, or
 * while commands are on their way. */
static gboolean
expecting_events (FlitzisAudioEngine *self)
{
  return self->core != NULL &&
         (fz_core_is_busy (self->core) || fz_ring_has_data (self->core->commands));
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
    case FLITZIS_MESSAGE_KIND_SAMPLE_STARTED:
      return signals[SIGNAL_SAMPLE_STARTED];
    case FLITZIS_MESSAGE_KIND_SAMPLE_FINISHED:
      return signals[SIGNAL_SAMPLE_FINISHED];
    case FLITZIS_MESSAGE_KIND_VOICE_DROPPED:
      return signals[SIGNAL_VOICE_DROPPED];
    case FLITZIS_MESSAGE_KIND_TRIGGER_LATE:
      return signals[SIGNAL_TRIGGER_LATE];
    case FLITZIS_MESSAGE_KIND_XRUN:
      return signals[SIGNAL_XRUN];
    case FLITZIS_MESSAGE_KIND_STREAM_ERROR:
      return signals[SIGNAL_STREAM_ERROR];
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

static void
deliver_event (FlitzisAudioEngine *self, FlitzisMessageKind kind, const FzMsg *reply)
{
  deliver (self, flitzis_message_new (kind, reply->frame, reply->slot, reply->seq));
}

/* Called with the lock held. */
static void
take_reply (FlitzisAudioEngine *self, const FzMsg *reply)
{
  switch ((FzMsgType) reply->type)
    {
    case FZ_REPLY_RETIRE:
      fz_sample_unref (reply->sample);
      self->retires_in_flight--;
      break;
    case FZ_REPLY_PONG:
      self->pongs_received++;
      deliver (self, flitzis_message_new (FLITZIS_MESSAGE_KIND_PONG, reply->frame, 0, 0));
      break;
    case FZ_REPLY_STARTED:
      deliver_event (self, FLITZIS_MESSAGE_KIND_SAMPLE_STARTED, reply);
      break;
    case FZ_REPLY_FINISHED:
      deliver_event (self, FLITZIS_MESSAGE_KIND_SAMPLE_FINISHED, reply);
      break;
    case FZ_REPLY_DROPPED:
      deliver_event (self, FLITZIS_MESSAGE_KIND_VOICE_DROPPED, reply);
      break;
    case FZ_REPLY_LATE:
      deliver_event (self, FLITZIS_MESSAGE_KIND_TRIGGER_LATE, reply);
      break;
    case FZ_REPLY_XRUN:
      deliver_event (self, FLITZIS_MESSAGE_KIND_XRUN, reply);
      break;
    case FZ_CMD_PING:
    case FZ_CMD_LOAD:
    case FZ_CMD_PLAY:
    case FZ_CMD_PLAY_AT:
    case FZ_CMD_PAUSE:
    case FZ_CMD_RESUME:
    case FZ_CMD_STOP:
    case FZ_CMD_SET_LOOP:
    case FZ_CMD_SET_GAIN:
    default:
      g_assert_not_reached ();
    }
}

/* Called with the lock held: a device stream that stopped by itself (the
 * device went away, the JACK server quit) is reported once; the engine
 * shuts down once the lock is released (shut_down_if_lost()). */
static void
check_stream (FlitzisAudioEngine *self)
{
  GError *error = NULL;

  if (self->stream == NULL || self->stream_lost || fz_stream_is_alive (self->stream))
    return;
  self->stream_lost = TRUE;
  g_set_error (&error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_LOST,
               _("The output device “%s” stopped working (unplugged, or its server quit); "
                 "the engine has shut down, call run() once a device is there"),
               fz_stream_get_device_name (self->stream));
  deliver (self, flitzis_message_new_error (fz_core_get_frame_time (self->core), error));
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
    take_reply (self, &reply);
  check_stream (self);
}

/* ---- the main context's source ---- */

static gboolean
source_is_ready (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);
  gboolean ready;

  fz_mutex_lock (&self->lock);
  ready = self->to_emit.length > 0 ||
          (self->core != NULL && fz_ring_has_data (self->core->replies)) ||
          (self->stream != NULL && !self->stream_lost && !fz_stream_is_alive (self->stream));
  fz_mutex_unlock (&self->lock);
  return ready;
}

static gint
source_poll_interval (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);
  gint interval = -1;

  fz_mutex_lock (&self->lock);
  if (awaiting_replies (self) || expecting_events (self))
    interval = FZ_POLL_BUSY_MS;
  else if (self->stream != NULL && !self->stream_lost)
    interval = FZ_POLL_IDLE_MS;
  fz_mutex_unlock (&self->lock);
  return interval;
}

static void
emit_message (FlitzisAudioEngine *self, FlitzisMessage *message)
{
  FlitzisMessageKind kind = flitzis_message_get_kind (message);
  guint signal_id = signal_for_kind (kind);
  guint slot = flitzis_message_get_slot (message);
  guint64 frame = flitzis_message_get_frame (message);
  guint64 count = flitzis_message_get_count (message);

  switch (kind)
    {
    case FLITZIS_MESSAGE_KIND_SAMPLE_STARTED:
    case FLITZIS_MESSAGE_KIND_SAMPLE_FINISHED:
    case FLITZIS_MESSAGE_KIND_VOICE_DROPPED:
      g_signal_emit (self, signal_id, 0, slot, frame);
      break;
    case FLITZIS_MESSAGE_KIND_TRIGGER_LATE:
      g_signal_emit (self, signal_id, 0, slot, frame, count);
      break;
    case FLITZIS_MESSAGE_KIND_XRUN:
      g_signal_emit (self, signal_id, 0, count, frame);
      break;
    case FLITZIS_MESSAGE_KIND_STREAM_ERROR:
      g_signal_emit (self, signal_id, 0, flitzis_message_get_error (message));
      break;
    case FLITZIS_MESSAGE_KIND_PONG:
    default:
      g_signal_emit (self, signal_id, 0);
      break;
    }
  flitzis_message_unref (message);
}

static void shut_down_run (FlitzisAudioEngine *self, guint run_id);

/* Called without the lock: a lost stream is shut down by whichever control
 * thread noticed it, before its stream-error is emitted. */
static void
shut_down_if_lost (FlitzisAudioEngine *self)
{
  gboolean lost;
  guint run_id;

  fz_mutex_lock (&self->lock);
  lost = self->stream_lost;
  run_id = self->run_id;
  fz_mutex_unlock (&self->lock);
  if (lost)
    shut_down_run (self, run_id);
}

/* Runs in the main context (see the class documentation). */
static gboolean
source_dispatch (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);
  GQueue batch = G_QUEUE_INIT;
  FlitzisMessage *message;

  fz_mutex_lock (&self->lock);
  drain_replies (self);
  batch = self->to_emit;
  g_queue_init (&self->to_emit);
  fz_mutex_unlock (&self->lock);
  shut_down_if_lost (self);

  /* Emitted without the lock: handlers may call back into the engine. */
  while ((message = g_queue_pop_head (&batch)) != NULL)
    emit_message (self, message);
  return G_SOURCE_CONTINUE;
}

static const FzReplySourceFuncs reply_source_funcs = {
  .is_ready = source_is_ready,
  .poll_interval = source_poll_interval,
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

static guint
read_guint (FlitzisAudioEngine *self, const guint *field)
{
  guint value;

  fz_mutex_lock (&self->lock);
  value = *field;
  fz_mutex_unlock (&self->lock);
  return value;
}


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

static void
notify_stream_properties (FlitzisAudioEngine *self)
{
  notify_in_context (self, properties[PROP_RUNNING]);
  notify_in_context (self, properties[PROP_SAMPLE_RATE]);
  notify_in_context (self, properties[PROP_CHANNELS]);
  notify_in_context (self, properties[PROP_LATENCY]);
}

/* Called with the lifecycle lock held: the core starts at the requested
 * volume, without a ramp. */
static FzCore *
new_core (FlitzisAudioEngine *self, guint sample_rate, guint channels)
{
  FzCore *core = fz_core_new (sample_rate, channels);

  if (core == NULL)
    g_error ("%s: out of memory", G_STRLOC);
  fz_mutex_lock (&self->lock);
  fz_mixer_preset_gain (&core->mixer, FZ_MASTER, (float) self->volume);
  fz_mutex_unlock (&self->lock);
  return core;
}

/* Called with the lifecycle lock held. */
static void
publish_core (FlitzisAudioEngine *self, FzStream *stream, FzCore *core,
              guint sample_rate, guint channels)
{
  fz_mutex_lock (&self->lock);
  self->stream = stream;
  self->core = core;
  self->sample_rate = sample_rate;
  self->channels = channels;
  self->latency = stream != NULL ? fz_stream_get_latency (stream) : 0.0;
  self->run_id++;
  self->pings_sent = 0;
  self->pongs_received = 0;
  attach_source (self);
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

  if (self->offline)
    {
      publish_core (self, NULL, new_core (self, self->offline_rate, self->offline_channels),
                    self->offline_rate, self->offline_channels);
      return TRUE;
    }

  fz_mutex_lock (&self->lock);
  device = dup_requested_device (self);
  request = (FzStreamRequest) {
    .device_name = device,
    .sample_rate = self->requested_rate,
    .period_frames = self->requested_period,
  };
  fz_mutex_unlock (&self->lock);

  stream = fz_stream_open (&request, error);
  if (stream == NULL)
    return FALSE;
  rate = fz_stream_get_sample_rate (stream);
  channels = fz_stream_get_channels (stream);
  core = new_core (self, rate, channels);
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

  fz_mutex_lock (&self->lifecycle_lock);
  fz_mutex_lock (&self->lock);
  running = self->core != NULL;
  fz_mutex_unlock (&self->lock);
  if (running)
    g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_ALREADY_RUNNING,
                 _("The audio engine is already running; call shut_down() before running it again"));
  else
    started = start_stream (self, error);
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
  self->paused = FALSE;
  self->stream_lost = FALSE;
}

/* Called with the lock held: what the slots held is gone with the core. */
static void
forget_slots (FlitzisAudioEngine *self, gboolean free_samples)
{
  for (guint i = 0; i < FZ_MAX_SLOTS; i++)
    {
      if (free_samples)
        fz_sample_unref (self->published[i]);
      self->published[i] = NULL;
      g_clear_pointer (&self->infos[i], flitzis_sample_info_unref);
    }
}

/* Called with the lock held, once the audio thread has stopped: takes the
 * last replies, then every reference the core still holds. */
static void
release_core (FlitzisAudioEngine *self)
{
  drain_replies (self);
  self->dropped_voices += fz_core_get_voices_dropped (self->core);
  self->xruns += fz_core_get_xruns (self->core);
  /* Pongs the audio thread dropped, and pings it never took. */
  self->dropped_replies += fz_core_get_pongs_dropped (self->core) + pings_unanswered (self);
  self->dropped_events += fz_core_get_events_dropped (self->core);
  self->pings_sent = 0;
  self->pongs_received = 0;
  self->retires_in_flight = 0;
  g_clear_pointer (&self->core, fz_core_free);
  forget_slots (self, TRUE);
  forget_stream (self);
}

/* Called with the lock held, when the stream could not be stopped: the
 * callback may still run, so its core and samples are kept (leaked) on
 * purpose rather than freed under it. */
static void
abandon_core (FlitzisAudioEngine *self)
{
  self->core = NULL;
  forget_slots (self, FALSE);
  forget_stream (self);
}

/* Called with the lifecycle lock held.  Returns whether it was running. */
static gboolean
stop_stream (FlitzisAudioEngine *self)
{
  FzStream *stream;
  gboolean running, stopped = TRUE;

  fz_mutex_lock (&self->lock);
  stream = g_steal_pointer (&self->stream);
  running = self->core != NULL;
  fz_mutex_unlock (&self->lock);
  if (!running)
    return FALSE;

  /* Without the lock: this waits for the last callback to return.
   * Commands queued meanwhile are released with the core. */
  if (stream != NULL)
    stopped = fz_stream_close (stream);

  /* Offline, the renderer is the audio thread: wait for its render(). */
  fz_mutex_lock (&self->render_lock);
  fz_mutex_lock (&self->lock);
  if (stopped)
    release_core (self);
  else
    abandon_core (self);
  /* The source stays attached until it has emitted what is left. */
  if (self->context != NULL)
    g_main_context_wakeup (self->context);
  fz_mutex_unlock (&self->lock);
  fz_mutex_unlock (&self->render_lock);
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
/* @run_id: 0 for any run, else only that run (if it is still running). */
static void
shut_down_run (FlitzisAudioEngine *self, guint run_id)
{
  gboolean was_running = FALSE, was_paused = FALSE;

  fz_mutex_lock (&self->lifecycle_lock);
  if (run_id == 0 || read_guint (self, &self->run_id) == run_id)
    {
      was_paused = flitzis_audio_engine_get_paused (self);
      was_running = stop_stream (self);
    }
  fz_mutex_unlock (&self->lifecycle_lock);
  if (was_running)
    notify_stream_properties (self);
  if (was_paused)
    notify_in_context (self, properties[PROP_PAUSED]);
}

void
flitzis_audio_engine_shut_down (FlitzisAudioEngine *self)
{
  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  shut_down_run (self, 0);
}

/* ---- commands ---- */

/* Called with the lock held.  Queues @sample (NULL: none) for slot @id,
 * taking the reference of @sample and of @info. */
static gboolean
publish (FlitzisAudioEngine *self, guint id, FzSample *sample, FlitzisSampleInfo *info,
         GError **error)
{
  FzMsg load = { .type = FZ_CMD_LOAD, .slot = id, .sample = sample };
  FzSample *old = self->published[id];

  if (!send_command (self, &load, error))
    {
      fz_sample_unref (sample);
      g_clear_pointer (&info, flitzis_sample_info_unref);
      return FALSE;
    }
  /* The audio thread now holds @sample's reference; the control side keeps
   * its own, so that it can tell what the slot holds. */
  self->published[id] = sample != NULL ? fz_sample_ref (sample) : NULL;
  g_clear_pointer (&self->infos[id], flitzis_sample_info_unref);
  self->infos[id] = info;
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

/* One load of a sample into a slot, from its start to its publication. */
typedef struct {
  guint id;
  char *path;
  guint rate;
  guint channels;
  guint run_id;
  guint64 serial;             /* the slot's load_serials[] when it began */
  GCancellable *superseded;   /* cancelled by a newer load of the slot */
} FzLoad;

static void
fz_load_free (FzLoad *load)
{
  g_free (load->path);
  g_clear_object (&load->superseded);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FzLoad, fz_load_free)

/* Called with the lock held: any load of slot @id still in flight will not
 * publish, and finishes with G_IO_ERROR_CANCELLED. */
static void
supersede_loads (FlitzisAudioEngine *self, guint id)
{
  self->load_serials[id]++;
  if (self->loading[id] != NULL)
    {
      g_cancellable_cancel (self->loading[id]);
      g_clear_object (&self->loading[id]);
    }
}

/* Any control thread: a new load of @path into slot @id, superseding
 * older ones, or NULL with @error set. */
static FzLoad *
begin_load (FlitzisAudioEngine *self, guint id, const char *path, GError **error)
{
  FzLoad *load;

  if (!check_slot (id, error))
    return NULL;
  fz_mutex_lock (&self->lock);
  if (!check_running (self, error))
    {
      fz_mutex_unlock (&self->lock);
      return NULL;
    }
  supersede_loads (self, id);
  load = g_new0 (FzLoad, 1);
  load->id = id;
  load->path = g_strdup (path);
  load->rate = self->sample_rate;
  load->channels = self->channels;
  load->run_id = self->run_id;
  load->serial = self->load_serials[id];
  load->superseded = g_cancellable_new ();
  self->loading[id] = g_object_ref (load->superseded);
  fz_mutex_unlock (&self->lock);
  return load;
}

static gboolean
set_superseded_error (const FzLoad *load, GError **error)
{
  g_autofree char *display = g_filename_display_name (load->path);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
               _("Loading “%s” into slot %u was cancelled: a newer load or unload of the "
                 "slot replaced it"), display, load->id);
  return FALSE;
}

/* Called with the lock held. */
static gboolean
check_still_wanted (FlitzisAudioEngine *self, const FzLoad *load, GCancellable *cancellable,
                    GError **error)
{
  if (!check_running (self, error) || !check_same_run (self, load->run_id, load->path, error))
    return FALSE;
  if (self->load_serials[load->id] != load->serial)
    return set_superseded_error (load, error);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Called with the lock held, when @load is over, published or not. */
static void
end_load (FlitzisAudioEngine *self, const FzLoad *load)
{
  if (self->loading[load->id] == load->superseded)
    g_clear_object (&self->loading[load->id]);
}

static void
cancel_load (GCancellable *cancellable, gpointer superseded)
{
  (void) cancellable;
  g_cancellable_cancel (superseded);
}

/* Any control thread, without the lock: decoding takes time. */
static FzSample *
decode (const FzLoad *load, GCancellable *cancellable, FlitzisSampleInfo **info, GError **error)
{
  FzSampleFormat original = { 0 };
  gulong handler = 0;
  FzSample *sample;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_load),
                                     load->superseded, NULL);
  sample = fz_load_sample_full (load->path, load->rate, load->channels, load->superseded,
                                &original, error);
  g_cancellable_disconnect (cancellable, handler);
  if (sample == NULL && g_cancellable_is_cancelled (load->superseded) &&
      !g_cancellable_is_cancelled (cancellable))
    {
      /* Superseded, not cancelled by the caller: say so. */
      g_clear_error (error);
      set_superseded_error (load, error);
    }
  if (sample != NULL)
    {
      FzSampleFormat decoded = { sample->frames, sample->channels, sample->rate };

      *info = flitzis_sample_info_new (load->path, &decoded, &original,
                                       fz_sample_memory_size (sample));
    }
  return sample;
}

/* Any control thread: decodes and, if no newer load or a shut_down() came
 * meanwhile, publishes. */
static gboolean
run_load (FlitzisAudioEngine *self, FzLoad *load, GCancellable *cancellable, GError **error)
{
  FlitzisSampleInfo *info = NULL;
  FzSample *sample = decode (load, cancellable, &info, error);
  gboolean ok = sample != NULL;

  fz_mutex_lock (&self->lock);
  if (ok)
    ok = check_still_wanted (self, load, cancellable, error);
  if (ok)
    ok = publish (self, load->id, sample, info, error);
  else if (sample != NULL)
    {
      fz_sample_unref (sample);
      flitzis_sample_info_unref (info);
    }
  end_load (self, load);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_load_sample:
 * @self: a #FlitzisAudioEngine
 * @id: the sample slot, below %FLITZIS_MAX_SAMPLE_SLOTS
 * @path: (type filename): the audio file to load
 * @error: return location for a #GError, or %NULL
 *
 * Decodes @path in the calling thread, converts it to the stream's sample
 * rate and channel layout and puts it in slot @id, replacing what the slot
 * held.  Voices already playing the replaced sample play on to their end;
 * it is freed after that, on a control thread.  A loop set on the slot
 * ends with the sample it was set for.
 *
 * Files at another sample rate are resampled (with the SoX resampler,
 * high quality).  Channels: mono files play on every channel; with more
 * channels than the stream, channel c of the stream is the mean of the
 * file's channels c, c + n, c + 2n, ... (n the stream's channel count);
 * with fewer (but more than one), the stream's extra channels are silent.
 *
 * The decoded sample is stored once, in the stream's format, whatever the
 * number of voices that play it; while loading, memory grows by little more
 * than its size (flitzis_sample_info_get_memory_size()).
 *
 * A newer load (or unload) of the same slot supersedes this one while it
 * is still decoding: this one then fails with %G_IO_ERROR_CANCELLED and
 * publishes nothing.  On failure the slot keeps what it held.
 *
 * Returns: %TRUE on success; %FALSE with @error set: a #GIOErrorEnum such
 *   as %G_IO_ERROR_NOT_FOUND or %G_IO_ERROR_PERMISSION_DENIED when the file
 *   cannot be opened, %G_IO_ERROR_CANCELLED when superseded,
 *   %FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT when it is not audio that can
 *   be played, %FLITZIS_ENGINE_ERROR_INVALID_SLOT,
 *   %FLITZIS_ENGINE_ERROR_NOT_RUNNING or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_load_sample (FlitzisAudioEngine *self, guint id,
                                  const char *path, GError **error)
{
  g_autoptr (FzLoad) load = NULL;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  load = begin_load (self, id, path, error);
  return load != NULL && run_load (self, load, NULL, error);
}

/* Runs on a GTask worker thread. */
static void
load_in_thread (GTask *task, gpointer source_object, gpointer task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  gboolean ok;

  /* The task came through GLib's thread pool, and its result goes back
   * through the caller's main context (fz-tsan.h). */
  fz_tsan_acquire (task);
  ok = run_load (source_object, task_data, cancellable, &error);
  fz_tsan_release (task);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * flitzis_audio_engine_load_sample_async:
 * @self: a #FlitzisAudioEngine
 * @id: the sample slot, below %FLITZIS_MAX_SAMPLE_SLOTS
 * @path: (type filename): the audio file to load
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called in the thread-default main context of
 *   the calling thread when the load is over
 * @user_data: data for @callback
 *
 * Loads @path into slot @id like flitzis_audio_engine_load_sample(), but
 * decodes on a worker thread and publishes the sample as soon as it is
 * decoded.  A newer load or unload of the slot supersedes this one: it
 * then finishes with %G_IO_ERROR_CANCELLED, its buffer is freed and never
 * published.  Cancelling @cancellable has the same effect.  Get the
 * result with flitzis_audio_engine_load_sample_finish().
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_load_sample_async (FlitzisAudioEngine *self, guint id, const char *path,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  FzLoad *load;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, flitzis_audio_engine_load_sample_async);
  g_task_set_name (task, "flitzis_audio_engine_load_sample_async");
  /* The result says whether the sample was published, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);
  load = begin_load (self, id, path, &error);
  if (load == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, load, (GDestroyNotify) fz_load_free);
  fz_tsan_release (task);
  g_task_run_in_thread (task, load_in_thread);
}

/**
 * flitzis_audio_engine_load_sample_finish:
 * @self: a #FlitzisAudioEngine
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes flitzis_audio_engine_load_sample_async().
 *
 * Returns: %TRUE when the sample was published into its slot; %FALSE with
 *   @error set as for flitzis_audio_engine_load_sample()
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_load_sample_finish (FlitzisAudioEngine *self, GAsyncResult *result,
                                         GError **error)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        flitzis_audio_engine_load_sample_async, FALSE);

  fz_tsan_acquire (result);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * flitzis_audio_engine_unload_sample:
 * @self: a #FlitzisAudioEngine
 * @id: the sample slot, below %FLITZIS_MAX_SAMPLE_SLOTS
 * @error: return location for a #GError, or %NULL
 *
 * Empties slot @id: its voices fade out (as with
 * flitzis_audio_engine_stop_sample()), its waiting triggers are cancelled,
 * and its sample is freed on a control thread once no voice plays it.
 * Loads of the slot still in flight are superseded.  Unloading an empty
 * slot does nothing.
 *
 * Returns: %TRUE when the slot is (to be) empty; %FALSE with @error set to
 *   %FLITZIS_ENGINE_ERROR_INVALID_SLOT, %FLITZIS_ENGINE_ERROR_NOT_RUNNING
 *   or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_unload_sample (FlitzisAudioEngine *self, guint id, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_slot (id, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  ok = check_running (self, error);
  if (ok)
    supersede_loads (self, id);
  if (ok && self->published[id] != NULL)
    ok = publish (self, id, NULL, NULL, error);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_dup_sample_info:
 * @self: a #FlitzisAudioEngine
 * @id: the sample slot, below %FLITZIS_MAX_SAMPLE_SLOTS
 * @error: return location for a #GError, or %NULL
 *
 * Describes what slot @id holds, as last loaded: its path, its length and
 * format as it plays, and the file's original format.
 *
 * Returns: (transfer full) (nullable): the slot's sample, or %NULL when
 *   it is empty (without @error) or on error (with @error set to
 *   %FLITZIS_ENGINE_ERROR_INVALID_SLOT)
 *
 * Since: 0.1
 */
FlitzisSampleInfo *
flitzis_audio_engine_dup_sample_info (FlitzisAudioEngine *self, guint id, GError **error)
{
  FlitzisSampleInfo *info = NULL;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_slot (id, error))
    return NULL;
  fz_mutex_lock (&self->lock);
  if (self->infos[id] != NULL)
    info = flitzis_sample_info_ref (self->infos[id]);
  fz_mutex_unlock (&self->lock);
  return info;
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
  FzMsg play = { .type = FZ_CMD_PLAY, .slot = id, .gain = velocity };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return queue_trigger (self, &play, error);
}

/**
 * flitzis_audio_engine_play_sample_at:
 * @self: a #FlitzisAudioEngine
 * @id: the sample slot, below %FLITZIS_MAX_SAMPLE_SLOTS
 * @velocity: the gain of the new voice, from 0.0 to 1.0
 * @frame: the frame time (see flitzis_audio_engine_get_frame_time()) at
 *   which the voice's first frame plays
 * @error: return location for a #GError, or %NULL
 *
 * Starts a voice playing slot @id exactly at @frame of the stream, in the
 * middle of an audio period if need be: sample-accurate scheduling, for
 * sequencers and loopers that queue their next bar ahead of time.  A
 * trigger whose frame has already passed when the audio thread takes it
 * starts at the first frame of that period instead, and is reported
 * (#FlitzisAudioEngine::trigger-late).  Up to 256 triggers wait at a time;
 * one more is dropped, counted and reported like a trigger that finds
 * every voice busy (#FlitzisAudioEngine::voice-dropped, with the requested
 * frame).  flitzis_audio_engine_stop_sample() and
 * flitzis_audio_engine_stop_all() cancel waiting triggers.
 *
 * Returns: %TRUE when the trigger was queued; %FALSE with @error set to
 *   %FLITZIS_ENGINE_ERROR_INVALID_SLOT, %FLITZIS_ENGINE_ERROR_INVALID_VELOCITY,
 *   %FLITZIS_ENGINE_ERROR_NOT_RUNNING or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_play_sample_at (FlitzisAudioEngine *self, guint id, float velocity,
                                     guint64 frame, GError **error)
{
  FzMsg play = { .type = FZ_CMD_PLAY_AT, .slot = id, .gain = velocity, .frame = frame };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return queue_trigger (self, &play, error);
}

/**
 * flitzis_audio_engine_stop_sample:
 * @self: a #FlitzisAudioEngine
 * @id: the sample slot, below %FLITZIS_MAX_SAMPLE_SLOTS
 * @error: return location for a #GError, or %NULL
 *
 * Ends every voice of slot @id with a 5 ms fade, so that it does not
 * click, and cancels the slot's waiting triggers
 * (flitzis_audio_engine_play_sample_at()).  Each voice reports
 * #FlitzisAudioEngine::sample-finished when its fade is over.  The slot
 * keeps its sample.
 *
 * Returns: %TRUE when the stop was queued; %FALSE with @error set to
 *   %FLITZIS_ENGINE_ERROR_INVALID_SLOT, %FLITZIS_ENGINE_ERROR_NOT_RUNNING
 *   or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_stop_sample (FlitzisAudioEngine *self, guint id, GError **error)
{
  FzMsg stop = { .type = FZ_CMD_STOP, .slot = id };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_slot (id, error))
    return FALSE;
  return send_running (self, &stop, error);
}

/**
 * flitzis_audio_engine_stop_all:
 * @self: a #FlitzisAudioEngine
 * @error: return location for a #GError, or %NULL
 *
 * Ends every voice with a 5 ms fade and cancels every waiting trigger, as
 * flitzis_audio_engine_stop_sample() does for one slot.  The slots keep
 * their samples and the stream runs on.
 *
 * Returns: %TRUE when the stop was queued; %FALSE with @error set to
 *   %FLITZIS_ENGINE_ERROR_NOT_RUNNING or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_stop_all (FlitzisAudioEngine *self, GError **error)
{
  FzMsg stop = { .type = FZ_CMD_STOP, .slot = FZ_ALL_SLOTS };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return send_running (self, &stop, error);
}

/* Called with the lock held. */
static gboolean
check_loop (FlitzisAudioEngine *self, guint id, guint64 start, guint64 end, GError **error)
{
  const FzSample *sample = self->published[id];
  guint64 frames;

  if (sample == NULL)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_EMPTY_SLOT,
                   _("Sample slot %u is empty; load a sample before setting its loop"), id);
      return FALSE;
    }
  frames = sample->frames;
  if (end <= frames && start < (end == 0 ? frames : end))
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_LOOP,
               _("A loop from frame %llu to %llu does not fit the sample in slot %u, which "
                 "has %llu frames; the start must come before the end, and the end (0 for "
                 "the sample’s end) must not pass it"),
               (unsigned long long) start, (unsigned long long) end, id,
               (unsigned long long) frames);
  return FALSE;
}

/**
 * flitzis_audio_engine_set_sample_loop:
 * @self: a #FlitzisAudioEngine
 * @id: the sample slot, below %FLITZIS_MAX_SAMPLE_SLOTS
 * @loop: whether the slot's voices loop
 * @start_frame: the first frame of the loop, in frames of the sample as it
 *   plays (at the stream's rate: flitzis_sample_info_get_frames())
 * @end_frame: the frame after the loop's last one, or 0 for the sample's
 *   end
 * @error: return location for a #GError, or %NULL
 *
 * Makes the voices of slot @id, playing now or triggered later, loop:
 * a voice plays from its start, and once it reaches @end_frame goes on at
 * @start_frame, sample for sample, without a gap, until it is stopped.
 * A voice already past @end_frame plays to the sample's end.  With @loop
 * %FALSE, looping voices play on to the sample's end.  The loop belongs to
 * the loaded sample: loading another one into the slot turns it off.
 *
 * Returns: %TRUE when the loop was queued; %FALSE with @error set to
 *   %FLITZIS_ENGINE_ERROR_INVALID_SLOT, %FLITZIS_ENGINE_ERROR_EMPTY_SLOT,
 *   %FLITZIS_ENGINE_ERROR_INVALID_LOOP, %FLITZIS_ENGINE_ERROR_NOT_RUNNING or
 *   %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_loop (FlitzisAudioEngine *self, guint id, gboolean loop,
                                      guint64 start_frame, guint64 end_frame, GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_LOOP, .slot = id, .flag = loop != FALSE,
                    .start = start_frame, .end = end_frame };
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_slot (id, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  ok = check_running (self, error) && check_loop (self, id, start_frame, end_frame, error) &&
       send_command (self, &command, error);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_set_sample_gain:
 * @self: a #FlitzisAudioEngine
 * @id: the sample slot, below %FLITZIS_MAX_SAMPLE_SLOTS
 * @gain: the slot's gain, from 0.0 to %FLITZIS_MAX_GAIN; 1.0 leaves the
 *   sample as it is
 * @error: return location for a #GError, or %NULL
 *
 * Sets the gain of every voice of slot @id, playing now or triggered later,
 * on top of each voice's velocity and the master
 * #FlitzisAudioEngine:volume.  The change is a 5 ms ramp, so it never
 * clicks.  Each slot starts at 1.0 when the engine runs; the gain stays
 * when another sample is loaded.
 *
 * Returns: %TRUE when the gain was queued; %FALSE with @error set to
 *   %FLITZIS_ENGINE_ERROR_INVALID_SLOT, %FLITZIS_ENGINE_ERROR_INVALID_GAIN,
 *   %FLITZIS_ENGINE_ERROR_NOT_RUNNING or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_gain (FlitzisAudioEngine *self, guint id, double gain,
                                      GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_GAIN, .slot = id, .gain = (float) gain };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_slot (id, error) || !check_gain (gain, error))
    return FALSE;
  return send_running (self, &command, error);
}

/**
 * flitzis_audio_engine_get_volume:
 * @self: a #FlitzisAudioEngine
 *
 * Gets #FlitzisAudioEngine:volume.
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
 * flitzis_audio_engine_set_volume:
 * @self: a #FlitzisAudioEngine
 * @volume: the master volume, from 0.0 to %FLITZIS_MAX_GAIN; 1.0 leaves
 *   the mix as it is
 * @error: return location for a #GError, or %NULL
 *
 * Sets #FlitzisAudioEngine:volume, the gain of the whole mix.  While
 * running, the change is a 5 ms ramp, so it never clicks; otherwise the
 * next flitzis_audio_engine_run() starts at it.  An exact 1.0 leaves every
 * sample's bits unchanged.
 *
 * Returns: %TRUE when the volume was set (and queued while running);
 *   %FALSE, changing nothing, with @error set to
 *   %FLITZIS_ENGINE_ERROR_INVALID_GAIN or %FLITZIS_ENGINE_ERROR_QUEUE_FULL
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_volume (FlitzisAudioEngine *self, double volume, GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_GAIN, .slot = FZ_MASTER, .gain = (float) volume };
  gboolean ok = TRUE, changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_volume (volume, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  changed = self->volume != volume;
  if (changed && self->core != NULL)
    ok = send_command (self, &command, error);
  if (ok)
    self->volume = volume;
  fz_mutex_unlock (&self->lock);
  if (ok && changed)
    notify_in_context (self, properties[PROP_VOLUME]);
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

  fz_mutex_lock (&self->lock);
  ping.seq = self->pings_sent;
  was_awaiting = awaiting_replies (self);
  ok = check_running (self, error) && send_command (self, &ping, error);
  if (ok)
    {
      self->pings_sent++;
      wake_context (self, was_awaiting);
    }
  fz_mutex_unlock (&self->lock);
  return ok;
}

static gboolean
set_paused (FlitzisAudioEngine *self, gboolean paused, GError **error)
{
  FzMsg command = { .type = paused ? FZ_CMD_PAUSE : FZ_CMD_RESUME };
  gboolean ok, changed = FALSE;

  fz_mutex_lock (&self->lock);
  ok = check_running (self, error);
  if (ok && self->paused != paused)
    {
      ok = send_command (self, &command, error);
      changed = ok;
      if (ok)
        self->paused = paused;
    }
  fz_mutex_unlock (&self->lock);
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

  fz_mutex_lock (&self->lock);
  paused = self->paused;
  fz_mutex_unlock (&self->lock);
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

  fz_mutex_lock (&self->lock);
  drain_replies (self);
  message = g_queue_pop_head (&self->received);
  fz_mutex_unlock (&self->lock);
  shut_down_if_lost (self);
  return message;
}

/* ---- accessors ---- */

/* A drop counter: the totals of earlier runs plus, while running, the
 * audio thread's live count (@live may be NULL for control-side counts). */
static guint64
read_count (FlitzisAudioEngine *self, const guint64 *earlier, uint64_t (*live) (FzCore *))
{
  guint64 count;

  fz_mutex_lock (&self->lock);
  count = *earlier;
  if (live != NULL && self->core != NULL)
    count += live (self->core);
  fz_mutex_unlock (&self->lock);
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

  fz_mutex_lock (&self->lock);
  running = self->core != NULL;
  fz_mutex_unlock (&self->lock);
  return running;
}

/**
 * flitzis_audio_engine_get_sample_rate:
 * @self: a #FlitzisAudioEngine
 *
 * Gets #FlitzisAudioEngine:sample-rate.
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
 * @self: a device #FlitzisAudioEngine (not an offline one)
 * @sample_rate: the sample rate in Hz for the next
 *   flitzis_audio_engine_run(), or 0 for the device's default
 *
 * Sets #FlitzisAudioEngine:sample-rate.  A device that cannot run at
 * the rate makes flitzis_audio_engine_run() fail with
 * %FLITZIS_ENGINE_ERROR_DEVICE_FAILED (a JACK server runs at its own rate
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
 * @self: a #FlitzisAudioEngine
 *
 * Gets #FlitzisAudioEngine:period-frames.
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

  return read_guint (self, &self->requested_period);
}

/**
 * flitzis_audio_engine_set_period_frames:
 * @self: a #FlitzisAudioEngine
 * @period_frames: the frames per audio period for the next
 *   flitzis_audio_engine_run(), or 0 to let PortAudio choose
 *
 * Sets #FlitzisAudioEngine:period-frames.  Smaller periods mean lower
 * latency and more work per second.  When the device's own period differs
 * (a JACK server's, say), PortAudio adapts with a buffer, which adds
 * latency: see #FlitzisAudioEngine:latency.
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
 * flitzis_audio_engine_get_latency:
 * @self: a #FlitzisAudioEngine
 *
 * Gets #FlitzisAudioEngine:latency.
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
 * flitzis_audio_engine_list_output_devices:
 * @error: return location for a #GError, or %NULL
 *
 * Lists the output devices PortAudio finds now: a snapshot, to show in a
 * drop-down (a `GtkDropDown` takes it directly) and to pick
 * #FlitzisAudioEngine:device from.  The JACK host API's devices appear
 * only while a JACK server runs.  The one flitzis_audio_engine_run()
 * would open by default has #FlitzisDevice:is-default set.
 *
 * Returns: (transfer full) (nullable): a #GListModel of #FlitzisDevice;
 *   %NULL with @error set to %FLITZIS_ENGINE_ERROR_DEVICE_FAILED when
 *   PortAudio cannot start
 *
 * Since: 0.1
 */
GListModel *
flitzis_audio_engine_list_output_devices (GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  flitzis_init_i18n ();
  return fz_stream_list_output_devices (error);
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

  fz_mutex_lock (&self->lock);
  device = g_strdup (self->device);
  fz_mutex_unlock (&self->lock);
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

  fz_mutex_lock (&self->lock);
  if (g_strcmp0 (self->device, device) == 0)
    {
      fz_mutex_unlock (&self->lock);
      return;
    }
  g_free (self->device);
  self->device = g_strdup (device);
  fz_mutex_unlock (&self->lock);
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

  fz_mutex_lock (&self->lock);
  frames = self->core != NULL ? fz_core_get_frame_time (self->core) : 0;
  fz_mutex_unlock (&self->lock);
  return frames;
}

/**
 * flitzis_audio_engine_get_xruns:
 * @self: a #FlitzisAudioEngine
 *
 * Counts the underruns the device reported (#FlitzisAudioEngine::xrun):
 * periods the audio thread delivered too late, heard as a gap or a click.
 *
 * Returns: how many underruns the device reported since the engine was
 *   created
 *
 * Since: 0.1
 */
guint64
flitzis_audio_engine_get_xruns (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return read_count (self, &self->xruns, fz_core_get_xruns);
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

  return read_count (self, &self->dropped_replies, fz_core_get_pongs_dropped);
}

/**
 * flitzis_audio_engine_get_dropped_events:
 * @self: a #FlitzisAudioEngine
 *
 * Counts the events of the audio thread (#FlitzisAudioEngine::sample-started
 * and the other signals that report what happened, rather than answer a
 * command) that never arrived.
 *
 * Returns: how many events were lost, since the engine was created,
 *   because the reply queue from the audio thread was full
 *
 * Since: 0.1
 */
guint64
flitzis_audio_engine_get_dropped_events (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return read_count (self, &self->dropped_events, fz_core_get_events_dropped);
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
  self->requested_rate = sample_rate;
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
  fz_mutex_lock (&self->render_lock);
  fz_mutex_lock (&self->lock);
  ok = check_running (self, error);
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

  fz_mutex_lock (&self->lifecycle_lock);
  stop_stream (self);
  fz_mutex_unlock (&self->lifecycle_lock);
  fz_mutex_lock (&self->lock);
  detach_source (self);
  g_queue_clear_full (&self->to_emit, (GDestroyNotify) flitzis_message_unref);
  g_queue_clear_full (&self->received, (GDestroyNotify) flitzis_message_unref);
  fz_mutex_unlock (&self->lock);

  G_OBJECT_CLASS (flitzis_audio_engine_parent_class)->dispose (object);
}

static void
flitzis_audio_engine_finalize (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);

  g_free (self->device);
  for (guint i = 0; i < FZ_MAX_SLOTS; i++)
    g_clear_object (&self->loading[i]);
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* A property setter cannot return an error: a volume that cannot be queued
 * is not lost silently, it is logged. */
static void
set_volume_property (FlitzisAudioEngine *self, double volume)
{
  g_autoptr (GError) error = NULL;

  if (!flitzis_audio_engine_set_volume (self, volume, &error))
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
      flitzis_audio_engine_set_sample_rate (self, g_value_get_uint (value));
      break;
    case PROP_PERIOD_FRAMES:
      flitzis_audio_engine_set_period_frames (self, g_value_get_uint (value));
      break;
    case PROP_VOLUME:
      set_volume_property (self, g_value_get_double (value));
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
   * FlitzisAudioEngine:sample-rate: (getter get_sample_rate) (setter set_sample_rate)
   *
   * While running, the sample rate of the open stream in Hz.  Otherwise the
   * rate the next flitzis_audio_engine_run() asks the device for; 0 (the
   * default) takes the device's default rate.
   *
   * Since: 0.1
   */
  properties[PROP_SAMPLE_RATE] =
    g_param_spec_uint ("sample-rate", _("Sample rate"),
                       _("The stream’s sample rate in Hz; when stopped, the rate to ask for "
                         "(0 for the device’s default)"), 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

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

  /**
   * FlitzisAudioEngine:period-frames: (getter get_period_frames) (setter set_period_frames)
   *
   * The frames per audio period that flitzis_audio_engine_run() asks
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
   * The master volume, from 0.0 to %FLITZIS_MAX_GAIN, applied with a short
   * ramp (see flitzis_audio_engine_set_volume()).  Bind a slider to it.
   *
   * Since: 0.1
   */
  properties[PROP_VOLUME] =
    g_param_spec_double ("volume", _("Volume"),
                         _("The master volume: 1.0 leaves the mix as it is"),
                         0.0, FLITZIS_MAX_GAIN, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

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

  /**
   * FlitzisAudioEngine::sample-started:
   * @self: the engine
   * @slot: the sample slot the voice plays
   * @frame: the frame time of the voice's first frame
   *
   * A voice started: emitted in the main context, after the fact, in the
   * order things happened on the audio thread
   * (%FLITZIS_MESSAGE_KIND_SAMPLE_STARTED).
   *
   * Since: 0.1
   */
  signals[SIGNAL_SAMPLE_STARTED] =
    g_signal_new ("sample-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT64);

  /**
   * FlitzisAudioEngine::sample-finished:
   * @self: the engine
   * @slot: the sample slot the voice played
   * @frame: the frame time just after the voice's last frame
   *
   * A voice ended: it played to its end, or its fade after a stop is over
   * (%FLITZIS_MESSAGE_KIND_SAMPLE_FINISHED).  Emitted in the main context.
   *
   * Since: 0.1
   */
  signals[SIGNAL_SAMPLE_FINISHED] =
    g_signal_new ("sample-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT64);

  /**
   * FlitzisAudioEngine::voice-dropped:
   * @self: the engine
   * @slot: the sample slot of the dropped trigger
   * @frame: the frame time at which it would have started
   *
   * A trigger found all %FLITZIS_MAX_VOICES voices busy and was dropped:
   * the engine's polyphony policy keeps the voices that play and drops the
   * new trigger, and counts it (flitzis_audio_engine_get_dropped_voices()).
   * Emitted in the main context (%FLITZIS_MESSAGE_KIND_VOICE_DROPPED).
   *
   * Since: 0.1
   */
  signals[SIGNAL_VOICE_DROPPED] =
    g_signal_new ("voice-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT64);

  /**
   * FlitzisAudioEngine::trigger-late:
   * @self: the engine
   * @slot: the sample slot of the trigger
   * @frame: the frame time at which the voice started instead
   * @frames_late: how many frames after the requested one that is
   *
   * A trigger of flitzis_audio_engine_play_sample_at() reached the audio
   * thread after its frame, and started at the first frame of the next
   * period (%FLITZIS_MESSAGE_KIND_TRIGGER_LATE).  Emitted in the main
   * context, before the voice's #FlitzisAudioEngine::sample-started.
   *
   * Since: 0.1
   */
  signals[SIGNAL_TRIGGER_LATE] =
    g_signal_new ("trigger-late", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT64, G_TYPE_UINT64);

  /**
   * FlitzisAudioEngine::xrun:
   * @self: the engine
   * @count: the underruns counted since flitzis_audio_engine_run()
   * @frame: the frame time of the first period after the underrun
   *
   * The device reported an underrun: a period came too late
   * (%FLITZIS_MESSAGE_KIND_XRUN).  Emitted in the main context.
   *
   * Since: 0.1
   */
  signals[SIGNAL_XRUN] =
    g_signal_new ("xrun", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_UINT64);

  /**
   * FlitzisAudioEngine::stream-error:
   * @self: the engine
   * @error: what went wrong, %FLITZIS_ENGINE_ERROR_DEVICE_LOST
   *
   * The device stream failed (the device was unplugged, the JACK server
   * quit).  By the time this is emitted in the main context, the engine has
   * shut down: #FlitzisAudioEngine:running is %FALSE, every sample is
   * freed, and flitzis_audio_engine_run() may be called again, from the
   * handler too (%FLITZIS_MESSAGE_KIND_STREAM_ERROR).
   *
   * Since: 0.1
   */
  signals[SIGNAL_STREAM_ERROR] =
    g_signal_new ("stream-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
flitzis_audio_engine_init (FlitzisAudioEngine *self)
{
  g_mutex_init (&self->lifecycle_lock);
  g_mutex_init (&self->lock);
  g_mutex_init (&self->render_lock);
  self->volume = 1.0;
  g_queue_init (&self->received);
  g_queue_init (&self->to_emit);
}
