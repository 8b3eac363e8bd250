/* flitzis-audio-engine-replies.c: what comes back from the audio thread
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The audio thread leaves fixed-size replies in the core's reply ring.  A
 * control thread takes them out (drain_replies(): the main context's
 * source, or a receive_msg() caller, whichever comes first, with the lock
 * held), turns each event into one FlitzisMessage and queues it twice:
 * for receive_msg(), and, if a handler is connected, for its signal.
 * Signals are emitted in the main context only, without the lock, in the
 * order things happened on the audio thread (as GStreamer's bus does for
 * its streaming threads, and libgusb for its event thread).
 *
 * An event is a reply the core makes (fz-msg.h's FzReplyType) with the
 * value of its FlitzisMessageKind, and a row in event_signals[]: adding
 * one touches the core's producer, the public kind and this file.
 */
#include "config.h"

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"
#include "flitzis-engine-stats-private.h"
#include "flitzis-levels-private.h"
#include "fz-reply-source.h"

/* How many messages wait for receive_msg(), and for emission. */
#define FLITZIS_KEPT_MESSAGES 1024u
/* How many level snapshots wait for emission: seconds of them. */
#define FZ_KEPT_LEVELS 256u

/* Events reach the main loop at most this long after the audio period that
 * produced them, while they are expected (see poll_interval()). */
#define FZ_POLL_BUSY_MS 1
/* While a device stream runs with nothing playing, underruns and a failed
 * stream are noticed within this time. */
#define FZ_POLL_IDLE_MS 100

/* ---- the event signals ---- */

/* How an event's signal carries its message: every one carries its frame. */
typedef enum {
  FZ_ARGS_FRAME,               /* (guint64 frame) */
  FZ_ARGS_SLOT_FRAME,          /* (guint slot, guint64 frame) */
  FZ_ARGS_SLOT_FRAME_COUNT,    /* (guint slot, guint64 frame, guint64 count) */
  FZ_ARGS_COUNT_FRAME,         /* (guint64 count, guint64 frame) */
  FZ_ARGS_ERROR_FRAME,         /* (GError *error, guint64 frame) */
  FZ_ARGS_BAR_BEAT_FRAME,      /* (guint bar, guint beat, guint64 frame) */
  FZ_ARGS_MIDI,                /* (guint channel, guint type, guint number, guint value,
                                * guint64 frame) */
} FzEventArgs;

typedef struct {
  const char *name;
  FzEventArgs args;
} FzEventSignal;

/**
 * FlitzisAudioEngine::pong:
 * @self: the engine
 * @frame: the first frame of the audio period in which the audio thread
 *   answered
 *
 * The audio thread answered a [method@Flitzis.AudioEngine.ping].  Emitted
 * in the main context, once per answered ping, in order
 * ([enum@Flitzis.MessageKind.PONG]).
 *
 * Since: 0.1
 */
/**
 * FlitzisAudioEngine::sample-started:
 * @self: the engine
 * @slot: the sample slot the voice plays
 * @frame: the frame time of the voice's first frame
 *
 * A voice started: emitted in the main context, after the fact, in the
 * order things happened on the audio thread
 * ([enum@Flitzis.MessageKind.SAMPLE_STARTED]).
 *
 * Since: 0.1
 */
/**
 * FlitzisAudioEngine::sample-finished:
 * @self: the engine
 * @slot: the sample slot the voice played
 * @frame: the frame time just after the voice's last frame
 *
 * A voice ended: it played to its end, or its fade after a stop is over
 * ([enum@Flitzis.MessageKind.SAMPLE_FINISHED]).  Emitted in the main
 * context.
 *
 * Since: 0.1
 */
/**
 * FlitzisAudioEngine::voice-dropped:
 * @self: the engine
 * @slot: the sample slot of the dropped trigger
 * @frame: the frame time at which it would have started
 *
 * A trigger found all [const@Flitzis.MAX_VOICES] voices busy and was
 * dropped: the engine's polyphony policy keeps the voices that play and
 * drops the new trigger, and counts it
 * ([method@Flitzis.EngineStats.get_dropped_voices]).  Emitted in the main
 * context ([enum@Flitzis.MessageKind.VOICE_DROPPED]).
 *
 * Since: 0.1
 */
/**
 * FlitzisAudioEngine::trigger-late:
 * @self: the engine
 * @slot: the sample slot of the trigger
 * @frame: the frame time at which the voice started instead
 * @frames_late: how many frames after the requested one that is
 *
 * A trigger of [method@Flitzis.AudioEngine.play_sample_at] reached the
 * audio thread after its frame, and started at the first frame of the next
 * period ([enum@Flitzis.MessageKind.TRIGGER_LATE]).  Emitted in the main
 * context, before the voice's [signal@Flitzis.AudioEngine::sample-started].
 *
 * Since: 0.1
 */
/**
 * FlitzisAudioEngine::xrun:
 * @self: the engine
 * @count: the xruns counted since [method@Flitzis.AudioEngine.run]
 * @frame: the frame time of the first period after the xrun
 *
 * The device or the JACK server reported an xrun: a period came too late
 * somewhere ([enum@Flitzis.MessageKind.XRUN]).  On a JACK server that is
 * any client's period, the engine's own or another's: JACK tells every
 * client of every xrun in its graph.  Whether the engine's own stream was
 * the late one is told apart by [signal@Flitzis.AudioEngine::underrun].
 * PipeWire tells its clients of no xrun: on the native PipeWire back-end
 * the engine counts a cycle in which its stream found no free buffer, and
 * cycles the graph ran without the engine's node (the graph's clock did
 * not start where the engine's last cycle ended: a node was late and the
 * driver went on).  Emitted in the main context.
 *
 * Since: 0.1
 */
/**
 * FlitzisAudioEngine::underrun:
 * @self: the engine
 * @count: the engine's own underruns counted since
 *   [method@Flitzis.AudioEngine.run]
 * @frame: the frame time of the first period after the underrun
 *
 * The engine's own stream underran: its callback delivered a period too
 * late ([enum@Flitzis.MessageKind.UNDERRUN]).  Through PortAudio, that is
 * an underflow the device reported for the engine's stream (also counted
 * as an [signal@Flitzis.AudioEngine::xrun]); on a JACK server, a period
 * whose callback alone took longer than the period, measured by the
 * engine.  An xrun without an underrun was caused elsewhere: another
 * client of the JACK server, or the server itself.  Emitted in the main
 * context.
 *
 * Since: 0.1
 */
/**
 * FlitzisAudioEngine::stream-error:
 * @self: the engine
 * @error: what went wrong, [error@Flitzis.EngineError.DEVICE_LOST], or
 *   [error@Flitzis.EngineError.STALLED] when the stream stopped advancing
 *   ([property@Flitzis.AudioEngine:stall-timeout])
 * @frame: the engine's frame time when the failure was noticed
 *
 * The device stream failed (the device was unplugged, the JACK server
 * quit) or stalled (a frozen server: nothing rendered for
 * [property@Flitzis.AudioEngine:stall-timeout]).  By the time this is emitted in the main context, the engine has
 * shut down: [property@Flitzis.AudioEngine:running] is %FALSE, every
 * sample is freed, and [method@Flitzis.AudioEngine.run] may be called
 * again, from the handler too ([enum@Flitzis.MessageKind.STREAM_ERROR]).
 * With [property@Flitzis.AudioEngine:reconnect] on, a lost PipeWire
 * stream's slots are kept instead, until
 * [signal@Flitzis.AudioEngine::reconnected]; this signal comes once more,
 * with [error@Flitzis.EngineError.DEVICE_FAILED], if the stream came back
 * in a format the samples are not in, and they were freed.
 *
 * Since: 0.1
 */
/**
 * FlitzisAudioEngine::reconnected:
 * @self: the engine
 * @frame: the frame time of the new stream when it was running (it
 *   starts from 0, as after [method@Flitzis.AudioEngine.run])
 *
 * A lost PipeWire stream was opened again by itself
 * ([property@Flitzis.AudioEngine:reconnect]): the engine runs with the
 * slots and settings it had, and triggers play from now on.  Emitted in
 * the main context (the thread-default [struct@GLib.MainContext] of the
 * thread that called [method@Flitzis.AudioEngine.run]), after the
 * [signal@Flitzis.AudioEngine::stream-error] of the loss
 * ([enum@Flitzis.MessageKind.RECONNECTED]).
 *
 * Since: 0.1
 */
/**
 * FlitzisAudioEngine::midi-event:
 * @self: the engine
 * @channel: the MIDI channel, 1 to 16
 * @type: the message's status nibble: 0x80 note-off (a note-on of
 *   velocity 0 comes as one), 0x90 note-on, 0xA0 polyphonic pressure, 0xB0
 *   control change, 0xC0 program change, 0xD0 channel pressure, 0xE0 pitch
 *   bend
 * @number: the note, controller or program (0 for channel pressure's and
 *   pitch bend's)
 * @value: the velocity or controller value, 0 to 127; pitch bend's 14
 *   bits, 0 to 16383 (8192: centre); 0 for program change, and channel
 *   pressure's is its @number
 * @frame: the frame time at which the audio thread took the event: its
 *   own frame in the period (a back-end's MIDI port), or the first frame
 *   of the period that took it when that has passed
 *
 * A MIDI channel message reached the audio thread, mapped or not
 * ([enum@Flitzis.MessageKind.MIDI_EVENT]): what an application needs for
 * "press the pad you want" learning.  Emitted in the main context, after
 * the fact, in order among the other events.  Events that do not fit the
 * reply queue are counted ([method@Flitzis.EngineStats.get_dropped_events]).
 * Real-time and system messages are not reported; malformed input is
 * counted ([method@Flitzis.EngineStats.get_midi_errors]).
 *
 * Since: 0.1
 */
/**
 * FlitzisAudioEngine::beat:
 * @self: the engine
 * @bar: the bar, from 1 (the bar that starts at
 *   [property@Flitzis.AudioEngine:downbeat-frame])
 * @beat: the beat in the bar, 1 to [property@Flitzis.AudioEngine:beats-per-bar]
 * @frame: the frame time on which the beat fell: the first frame at or
 *   after its exact time
 *
 * A beat of the transport fell on @frame ([enum@Flitzis.MessageKind.BEAT]).
 * Emitted in the main context, after the fact (once the audio period that
 * holds @frame is rendered), once for every beat from bar 1 on, in order,
 * while [property@Flitzis.AudioEngine:report-beats] is set (as it is by
 * default).  The beats of a count-in, before
 * [property@Flitzis.AudioEngine:downbeat-frame], are not emitted: their bar
 * (0, -1 and so on) has no place in @bar; the first beat emitted after a
 * count-in is bar 1 beat 1, on the downbeat's frame.
 *
 * Since: 0.1
 */
static const FzEventSignal event_signals[] = {
  [FLITZIS_MESSAGE_KIND_PONG] = { "pong", FZ_ARGS_FRAME },
  [FLITZIS_MESSAGE_KIND_SAMPLE_STARTED] = { "sample-started", FZ_ARGS_SLOT_FRAME },
  [FLITZIS_MESSAGE_KIND_SAMPLE_FINISHED] = { "sample-finished", FZ_ARGS_SLOT_FRAME },
  [FLITZIS_MESSAGE_KIND_VOICE_DROPPED] = { "voice-dropped", FZ_ARGS_SLOT_FRAME },
  [FLITZIS_MESSAGE_KIND_TRIGGER_LATE] = { "trigger-late", FZ_ARGS_SLOT_FRAME_COUNT },
  [FLITZIS_MESSAGE_KIND_XRUN] = { "xrun", FZ_ARGS_COUNT_FRAME },
  [FLITZIS_MESSAGE_KIND_STREAM_ERROR] = { "stream-error", FZ_ARGS_ERROR_FRAME },
  [FLITZIS_MESSAGE_KIND_BEAT] = { "beat", FZ_ARGS_BAR_BEAT_FRAME },
  [FLITZIS_MESSAGE_KIND_RECONNECTED] = { "reconnected", FZ_ARGS_FRAME },
  [FLITZIS_MESSAGE_KIND_UNDERRUN] = { "underrun", FZ_ARGS_COUNT_FRAME },
  [FLITZIS_MESSAGE_KIND_MIDI_EVENT] = { "midi-event", FZ_ARGS_MIDI },
};
#define N_KINDS G_N_ELEMENTS (event_signals)

/* The core's events are the public kinds, value for value. */
G_STATIC_ASSERT ((int) FZ_REPLY_PONG == (int) FLITZIS_MESSAGE_KIND_PONG);
G_STATIC_ASSERT ((int) FZ_REPLY_STARTED == (int) FLITZIS_MESSAGE_KIND_SAMPLE_STARTED);
G_STATIC_ASSERT ((int) FZ_REPLY_FINISHED == (int) FLITZIS_MESSAGE_KIND_SAMPLE_FINISHED);
G_STATIC_ASSERT ((int) FZ_REPLY_DROPPED == (int) FLITZIS_MESSAGE_KIND_VOICE_DROPPED);
G_STATIC_ASSERT ((int) FZ_REPLY_LATE == (int) FLITZIS_MESSAGE_KIND_TRIGGER_LATE);
G_STATIC_ASSERT ((int) FZ_REPLY_XRUN == (int) FLITZIS_MESSAGE_KIND_XRUN);
G_STATIC_ASSERT ((int) FZ_REPLY_BEAT == (int) FLITZIS_MESSAGE_KIND_BEAT);
G_STATIC_ASSERT ((int) FZ_REPLY_UNDERRUN == (int) FLITZIS_MESSAGE_KIND_UNDERRUN);
G_STATIC_ASSERT ((int) FZ_REPLY_MIDI == (int) FLITZIS_MESSAGE_KIND_MIDI_EVENT);
G_STATIC_ASSERT ((int) FZ_REPLY_RETIRE >= (int) N_KINDS);

/* Indexed by FlitzisMessageKind. */
static guint signals[N_KINDS];

/* Not an event of the reply ring: the levels come through the core's
 * meter ring (fz-meter.h), 400-odd bytes each, which a 64-byte reply
 * cannot carry; they are merged with the events by frame when emitted. */
static guint levels_signal;

/**
 * FlitzisAudioEngine::levels:
 * @self: the engine
 * @levels: the meter period that just ended: its frame
 *   ([method@Flitzis.Levels.get_frame]), peaks and playheads
 *
 * A meter period ended: emitted in the main context once per period
 * while [property@Flitzis.AudioEngine:meter-rate] is on, in order, among
 * the other signals by frame.  The newest snapshot is also kept for
 * [method@Flitzis.AudioEngine.get_levels].  Snapshots the main context was
 * too slow to take are dropped and counted
 * ([method@Flitzis.EngineStats.get_dropped_levels]).
 *
 * Since: 0.1
 */
static void
class_init_levels_signal (GObjectClass *object_class)
{
  levels_signal = g_signal_new ("levels", G_TYPE_FROM_CLASS (object_class), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, FLITZIS_TYPE_LEVELS);
}

void
_flitzis_audio_engine_class_init_signals (GObjectClass *object_class)
{
  /* Not static: G_TYPE_ERROR is known at run time only. */
  const struct {
    guint n_params;
    GType types[5];
  } params[] = {
    [FZ_ARGS_FRAME] = { 1, { G_TYPE_UINT64 } },
    [FZ_ARGS_SLOT_FRAME] = { 2, { G_TYPE_UINT, G_TYPE_UINT64 } },
    [FZ_ARGS_SLOT_FRAME_COUNT] = { 3, { G_TYPE_UINT, G_TYPE_UINT64, G_TYPE_UINT64 } },
    [FZ_ARGS_COUNT_FRAME] = { 2, { G_TYPE_UINT64, G_TYPE_UINT64 } },
    [FZ_ARGS_ERROR_FRAME] = { 2, { G_TYPE_ERROR, G_TYPE_UINT64 } },
    [FZ_ARGS_BAR_BEAT_FRAME] = { 3, { G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT64 } },
    [FZ_ARGS_MIDI] = { 5, { G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT,
                            G_TYPE_UINT64 } },
  };

  for (guint kind = 0; kind < N_KINDS; kind++)
    {
      const FzEventSignal *event = &event_signals[kind];

      if (event->name == NULL)
        continue;
      signals[kind] = g_signal_newv (event->name, G_TYPE_FROM_CLASS (object_class),
                                     G_SIGNAL_RUN_LAST, NULL, NULL, NULL, NULL, G_TYPE_NONE,
                                     params[event->args].n_params,
                                     (GType *) params[event->args].types);
    }
  class_init_levels_signal (object_class);
}

/* Runs in the main context, without the lock. */
static void
emit_message (FlitzisAudioEngine *self, FlitzisMessage *message)
{
  FlitzisMessageKind kind = flitzis_message_get_kind (message);
  guint slot = flitzis_message_get_slot (message);
  guint64 frame = flitzis_message_get_frame (message);
  guint64 count = flitzis_message_get_count (message);

  switch (event_signals[kind].args)
    {
    case FZ_ARGS_FRAME:
      g_signal_emit (self, signals[kind], 0, frame);
      break;
    case FZ_ARGS_SLOT_FRAME:
      g_signal_emit (self, signals[kind], 0, slot, frame);
      break;
    case FZ_ARGS_SLOT_FRAME_COUNT:
      g_signal_emit (self, signals[kind], 0, slot, frame, count);
      break;
    case FZ_ARGS_COUNT_FRAME:
      g_signal_emit (self, signals[kind], 0, count, frame);
      break;
    case FZ_ARGS_BAR_BEAT_FRAME:
      g_signal_emit (self, signals[kind], 0, flitzis_message_get_bar (message),
                     flitzis_message_get_beat (message), frame);
      break;
    case FZ_ARGS_MIDI:
      /* The core packs type << 24 | number << 16 | value (fz-msg.h). */
      g_signal_emit (self, signals[kind], 0, slot, (guint) (count >> 24) & 0xffu,
                     (guint) (count >> 16) & 0xffu, (guint) count & 0xffffu, frame);
      break;
    case FZ_ARGS_ERROR_FRAME:
    default:
      g_signal_emit (self, signals[kind], 0, flitzis_message_get_error (message), frame);
      break;
    }
  flitzis_message_unref (message);
}

/* ---- replies: control side ---- */

/* Called with the lock held: pings neither answered nor counted as
 * dropped by the audio thread (a full reply ring drops pongs). */
guint64
_flitzis_audio_engine_pings_unanswered (FlitzisAudioEngine *self)
{
  guint64 settled = self->pongs_received;

  if (self->core != NULL)
    settled += fz_core_get_pongs_dropped (self->core);
  return self->pings_sent > settled ? self->pings_sent - settled : 0;
}

/* Called with the lock held. */
gboolean
_flitzis_audio_engine_awaiting_replies (FlitzisAudioEngine *self)
{
  return self->core != NULL && (_flitzis_audio_engine_pings_unanswered (self) > 0 || self->retires_in_flight > 0);
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

/* Called with the lock held. */
static void
deliver (FlitzisAudioEngine *self, FlitzisMessage *message)
{
  guint signal_id = signals[flitzis_message_get_kind (message)];

  if (g_signal_has_handler_pending (self, signal_id, 0, TRUE))
    keep_bounded (&self->to_emit, flitzis_message_ref (message), &self->dropped_signals);
  keep_bounded (&self->received, message, &self->dropped_messages);
}

/* Called with the lock held. */
static void
take_reply (FlitzisAudioEngine *self, const FzMsg *reply)
{
  switch ((FzReplyType) reply->type)
    {
    case FZ_REPLY_RETIRE:
      fz_sample_unref (reply->sample);
      self->retires_in_flight--;
      return;
    case FZ_REPLY_SYNCED:
      _flitzis_audio_engine_take_synced (self, reply);
      return;
    case FZ_REPLY_PONG:
      self->pongs_received++;
      break;
    case FZ_REPLY_BEAT:
    case FZ_REPLY_STARTED:
    case FZ_REPLY_FINISHED:
    case FZ_REPLY_DROPPED:
    case FZ_REPLY_LATE:
    case FZ_REPLY_XRUN:
    case FZ_REPLY_UNDERRUN:
    case FZ_REPLY_MIDI:
    default:
      break;
    }
  g_assert (reply->type < N_KINDS && event_signals[reply->type].name != NULL);
  deliver (self, _flitzis_message_new ((FlitzisMessageKind) reply->type, reply->frame,
                                       reply->slot, reply->seq));
}

/* Called with the lock held. */
void
_flitzis_audio_engine_deliver_event (FlitzisAudioEngine *self, FlitzisMessage *message)
{
  deliver (self, message);
  if (self->context != NULL)
    g_main_context_wakeup (self->context);
}

/* Called with the lock held: whether the watchdog finds the running
 * device stream stalled, its frame time standing still for longer than
 * the stall timeout. */
static gboolean
stream_stalled (FlitzisAudioEngine *self)
{
  guint64 frame = fz_core_get_frame_time (self->core);
  gint64 now = g_get_monotonic_time ();

  if (self->watch_since == 0 || frame != self->watch_frame)
    {
      if (frame > 0)
        _flitzis_audio_engine_take_scheduling (self);
      self->watch_frame = frame;
      self->watch_since = now;
      return FALSE;
    }
  return self->stall_timeout_ms > 0 &&
         now - self->watch_since >= (gint64) self->stall_timeout_ms * G_TIME_SPAN_MILLISECOND;
}

/* Called with the lock held: whether the device stream failed and is not
 * reported yet: it stopped by itself, or stalled. */
static gboolean
stream_failed (FlitzisAudioEngine *self)
{
  return self->stream != NULL && !self->stream_lost &&
         (!fz_stream_is_alive (self->stream) || stream_stalled (self));
}

/* Called with the lock held: a device stream that stopped by itself (the
 * device went away, the JACK server quit) or stalled (a frozen server) is
 * reported once; the engine shuts down once the lock is released
 * (shut_down_if_lost()). */
static void
check_stream (FlitzisAudioEngine *self)
{
  GError *error = NULL;

  if (!stream_failed (self))
    return;
  self->stream_lost = TRUE;
  self->stream_stalled = fz_stream_is_alive (self->stream);
  if (self->stream_stalled)
    g_set_error (&error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_STALLED,
                 _("The output device “%s” stalled: the audio thread rendered nothing for "
                   "%u ms (its sound server or driver stopped answering); the engine has "
                   "shut down, call run() again once the device answers"),
                 fz_stream_get_device_name (self->stream), self->stall_timeout_ms);
  else if (self->reconnect && fz_stream_get_backend (self->stream) == FLITZIS_BACKEND_PIPEWIRE)
    g_set_error (&error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_LOST,
                 _("The output device “%s” stopped working (unplugged, or its server quit); "
                   "the engine has stopped and keeps its slots, and plays again once the "
                   "device is back (reconnect)"),
                 fz_stream_get_device_name (self->stream));
  else
    g_set_error (&error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_LOST,
                 _("The output device “%s” stopped working (unplugged, or its server quit); "
                   "the engine has shut down, call run() once a device is there"),
                 fz_stream_get_device_name (self->stream));
  deliver (self, _flitzis_message_new_error (fz_core_get_frame_time (self->core), error));
}

/* Called with the lock held: every level snapshot the audio thread left
 * becomes a FlitzisLevels, the newest kept, each queued for its signal. */
static void
drain_levels (FlitzisAudioEngine *self)
{
  const FzMeterFrame *frame;

  while ((frame = fz_meter_peek (&self->core->meter)) != NULL)
    {
      FlitzisLevels *levels = _flitzis_levels_new (frame);

      fz_meter_advance (&self->core->meter);

      g_clear_pointer (&self->levels, flitzis_levels_unref);
      self->levels = levels;
      if (!g_signal_has_handler_pending (self, levels_signal, 0, TRUE))
        continue;
      if (self->levels_to_emit.length == FZ_KEPT_LEVELS)
        {
          flitzis_levels_unref (g_queue_pop_head (&self->levels_to_emit));
          self->dropped_signals++;
        }
      g_queue_push_tail (&self->levels_to_emit, flitzis_levels_ref (levels));
    }
}

/* Takes every reply out of the reply ring, and the level snapshots out of
 * the meter ring.  Called with the lock held, by whichever control thread
 * gets there first: the main context's source or a receive_msg() caller. */
void
_flitzis_audio_engine_drain_replies (FlitzisAudioEngine *self)
{
  FzMsg reply;

  if (self->core == NULL)
    return;
  while (fz_core_receive (self->core, &reply))
    take_reply (self, &reply);
  drain_levels (self);
  check_stream (self);
}

/* ---- the main context's source ---- */

static gboolean
source_is_ready (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);
  gboolean ready;

  fz_mutex_lock (&self->lock);
  ready = self->to_emit.length > 0 || self->levels_to_emit.length > 0 ||
          self->clock_synced != 0 ||
          (self->core != NULL && fz_ring_has_data (self->core->replies)) ||
          (self->core != NULL && fz_meter_has_data (&self->core->meter)) ||
          stream_failed (self) || self->scheduling_to_notify;
  fz_mutex_unlock (&self->lock);
  return ready;
}

static gint
source_poll_interval (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);
  gint interval = -1, clock;

  fz_mutex_lock (&self->lock);
  if (_flitzis_audio_engine_awaiting_replies (self) || expecting_events (self))
    interval = FZ_POLL_BUSY_MS;
  else if (self->stream != NULL && !self->stream_lost)
    interval = FZ_POLL_IDLE_MS;
  /* Meters on: four looks per meter period, so that a snapshot reaches
   * the main context within a quarter of its period. */
  if (self->core != NULL && self->meter_rate > 0)
    {
      gint meter_interval = MAX (1, (gint) (250 / self->meter_rate));

      interval = interval < 0 ? meter_interval : MIN (interval, meter_interval);
    }
  clock = _flitzis_audio_engine_clock_poll_ms (self);
  if (clock >= 0 && (interval < 0 || clock < interval))
    interval = clock;
  fz_mutex_unlock (&self->lock);
  return interval;
}

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
    _flitzis_audio_engine_lose_run (self, run_id);
}

/* Runs in the main context (see the class documentation). */
static gboolean
source_dispatch (GObject *object)
{
  FlitzisAudioEngine *self = FLITZIS_AUDIO_ENGINE (object);
  GQueue batch = G_QUEUE_INIT, levels = G_QUEUE_INIT;

  fz_mutex_lock (&self->lock);
  _flitzis_audio_engine_drain_replies (self);
  batch = self->to_emit;
  g_queue_init (&self->to_emit);
  levels = self->levels_to_emit;
  g_queue_init (&self->levels_to_emit);
  fz_mutex_unlock (&self->lock);
  shut_down_if_lost (self);
  _flitzis_audio_engine_notify_synced (self);
  _flitzis_audio_engine_notify_scheduling (self);

  /* Emitted without the lock: handlers may call back into the engine.
   * By frame: a meter period's levels after the events of its frames. */
  while (batch.length > 0 || levels.length > 0)
    {
      FlitzisMessage *message = g_queue_peek_head (&batch);
      FlitzisLevels *next = g_queue_peek_head (&levels);

      if (message != NULL &&
          (next == NULL || flitzis_message_get_frame (message) < flitzis_levels_get_frame (next)))
        emit_message (self, g_queue_pop_head (&batch));
      else
        {
          g_signal_emit (self, levels_signal, 0, next);
          flitzis_levels_unref (g_queue_pop_head (&levels));
        }
    }
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
void
_flitzis_audio_engine_wake_context (FlitzisAudioEngine *self, gboolean was_awaiting)
{
  if (!was_awaiting && self->context != NULL)
    g_main_context_wakeup (self->context);
}

/* Called with the lock held. */
void
_flitzis_audio_engine_detach_source (FlitzisAudioEngine *self)
{
  if (self->reply_source != NULL)
    {
      g_source_destroy (self->reply_source);
      g_clear_pointer (&self->reply_source, g_source_unref);
    }
  g_clear_pointer (&self->context, g_main_context_unref);
}

/* Called with the lock held. */
void
_flitzis_audio_engine_attach_source (FlitzisAudioEngine *self, GMainContext *context)
{
  /* Taken first: @context may be the one detached now. */
  context = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  _flitzis_audio_engine_detach_source (self);
  self->context = context;
  self->reply_source = fz_reply_source_new (&reply_source_funcs, G_OBJECT (self));
  /* Made here, run by the context's thread, which may be another one (a
   * reconnection's worker attaches it): through GLib's lock (fz-tsan.h). */
  fz_tsan_release (self->reply_source);
  g_source_attach (self->reply_source, self->context);
}

/**
 * flitzis_audio_engine_receive_msg:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Takes the oldest message from the audio thread that has not been
 * received yet.  This is the polling view of the messages whose signals
 * are emitted in the main context; it needs no main loop, since it takes
 * new replies from the audio thread itself.  The most recent
 * [const@Flitzis.QUEUE_CAPACITY] messages are kept; older ones are dropped and
 * counted ([method@Flitzis.EngineStats.get_dropped_messages]).
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
  _flitzis_audio_engine_drain_replies (self);
  message = g_queue_pop_head (&self->received);
  fz_mutex_unlock (&self->lock);
  shut_down_if_lost (self);
  return message;
}


/**
 * flitzis_audio_engine_get_levels:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * The newest meter snapshot of this run: the one the last
 * [signal@Flitzis.AudioEngine::levels] carried, or a newer one.  Like
 * [method@Flitzis.AudioEngine.receive_msg] it needs no main loop: it takes
 * what the audio thread left itself.
 *
 * Returns: (transfer full) (nullable): the newest levels, or %NULL when
 *   no meter period has ended since [method@Flitzis.AudioEngine.run]
 *   (the meters are off: [property@Flitzis.AudioEngine:meter-rate])
 *
 * Since: 0.1
 */
FlitzisLevels *
flitzis_audio_engine_get_levels (FlitzisAudioEngine *self)
{
  FlitzisLevels *levels = NULL;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), NULL);

  fz_mutex_lock (&self->lock);
  _flitzis_audio_engine_drain_replies (self);
  if (self->levels != NULL)
    levels = flitzis_levels_ref (self->levels);
  fz_mutex_unlock (&self->lock);
  shut_down_if_lost (self);
  return levels;
}

/* ---- counters ---- */

/* Called with the lock held, once the audio thread has stopped: the core's
 * counts join the totals of earlier runs before it is freed. */
void
_flitzis_audio_engine_keep_counts (FlitzisAudioEngine *self)
{
  self->dropped_voices += fz_core_get_voices_dropped (self->core);
  self->xruns += fz_core_get_xruns (self->core);
  self->underruns += fz_core_get_underruns (self->core);
  /* Pongs the audio thread dropped, and pings it never took. */
  self->dropped_replies += fz_core_get_pongs_dropped (self->core) +
                           _flitzis_audio_engine_pings_unanswered (self);
  self->dropped_events += fz_core_get_events_dropped (self->core);
  self->dropped_levels += fz_core_get_levels_dropped (self->core);
  self->midi_errors += fz_core_get_midi_errors (self->core);
  self->dropped_midi += fz_core_get_midi_dropped (self->core);
}

/**
 * flitzis_audio_engine_get_stats:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Takes a snapshot of everything the engine counts: underruns, and
 * everything it had to drop (triggers, replies, events, messages, signal
 * emissions).  Nothing is lost silently: each drop is counted here.  The
 * counts run from the engine's creation, across runs, and are read at one
 * moment, under one lock, so they agree with each other.
 *
 * Returns: (transfer full): the counters, as they are now
 *
 * Since: 0.1
 */
FlitzisEngineStats *
flitzis_audio_engine_get_stats (FlitzisAudioEngine *self)
{
  FlitzisEngineCounts counts;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), NULL);

  fz_mutex_lock (&self->lock);
  counts = (FlitzisEngineCounts) {
    .xruns = self->xruns,
    .underruns = self->underruns,
    .streams_abandoned = self->streams_abandoned,
    .threads_silenced = self->threads_silenced,
    .dropped_voices = self->dropped_voices,
    .dropped_replies = self->dropped_replies,
    .dropped_events = self->dropped_events,
    .dropped_messages = self->dropped_messages,
    .dropped_signals = self->dropped_signals,
    .dropped_levels = self->dropped_levels,
    .midi_errors = self->midi_errors,
    .dropped_midi = self->dropped_midi,
  };
  if (self->core != NULL)
    {
      counts.frame = fz_core_get_frame_time (self->core);
      counts.xruns += fz_core_get_xruns (self->core);
      counts.underruns += fz_core_get_underruns (self->core);
      counts.dropped_voices += fz_core_get_voices_dropped (self->core);
      counts.dropped_replies += fz_core_get_pongs_dropped (self->core);
      counts.dropped_events += fz_core_get_events_dropped (self->core);
      counts.dropped_levels += fz_core_get_levels_dropped (self->core);
      counts.midi_errors += fz_core_get_midi_errors (self->core);
      counts.dropped_midi += fz_core_get_midi_dropped (self->core);
    }
  fz_mutex_unlock (&self->lock);
  return _flitzis_engine_stats_new (&counts);
}
