/* flitzis-message.c: a message from the audio thread
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Messages are built on the control side, from the fixed-size replies the
 * audio thread leaves in the reply ring: the audio thread never allocates
 * one.  They are immutable, so any thread may hold a reference.
 */
#include "config.h"

#include "flitzis-message.h"
#include "flitzis-message-private.h"

struct _FlitzisMessage {
  gatomicrefcount ref_count;
  FlitzisMessageKind kind;
  guint64 frame;
  guint slot;
  guint64 count;
  GError *error;
};

G_DEFINE_BOXED_TYPE (FlitzisMessage, flitzis_message, flitzis_message_ref, flitzis_message_unref)

FlitzisMessage *
_flitzis_message_new (FlitzisMessageKind kind, guint64 frame, guint slot, guint64 count)
{
  FlitzisMessage *message = g_new0 (FlitzisMessage, 1);

  g_atomic_ref_count_init (&message->ref_count);
  message->kind = kind;
  message->frame = frame;
  message->slot = slot;
  message->count = count;
  return message;
}

FlitzisMessage *
_flitzis_message_new_error (guint64 frame, GError *error)
{
  FlitzisMessage *message = _flitzis_message_new (FLITZIS_MESSAGE_KIND_STREAM_ERROR, frame, 0, 0);

  message->error = error;
  return message;
}

/**
 * flitzis_message_ref:
 * @message: a [struct@Flitzis.Message]
 *
 * Adds a reference to @message.
 *
 * Returns: (transfer full): @message
 *
 * Since: 0.1
 */
FlitzisMessage *
flitzis_message_ref (FlitzisMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  g_atomic_ref_count_inc (&message->ref_count);
  return message;
}

/**
 * flitzis_message_unref:
 * @message: (transfer full): a [struct@Flitzis.Message]
 *
 * Drops a reference to @message, freeing it when it was the last.
 *
 * Since: 0.1
 */
void
flitzis_message_unref (FlitzisMessage *message)
{
  g_return_if_fail (message != NULL);

  if (g_atomic_ref_count_dec (&message->ref_count))
    {
      g_clear_error (&message->error);
      g_free (message);
    }
}

/**
 * flitzis_message_get_kind:
 * @message: a [struct@Flitzis.Message]
 *
 * Gets what @message reports.
 *
 * Returns: what @message reports
 *
 * Since: 0.1
 */
FlitzisMessageKind
flitzis_message_get_kind (const FlitzisMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->kind;
}

/**
 * flitzis_message_get_frame:
 * @message: a [struct@Flitzis.Message]
 *
 * The engine's frame time (frames rendered since [method@Flitzis.AudioEngine.run])
 * at which what @message reports happened, to the frame: the first frame
 * of a started voice, the frame after the last one of a finished voice.
 * For a pong, an xrun or a stream error it is the first frame of the audio
 * period in which the audio thread handled it.
 *
 * Returns: a frame time
 *
 * Since: 0.1
 */
guint64
flitzis_message_get_frame (const FlitzisMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->frame;
}

/**
 * flitzis_message_get_slot:
 * @message: a [struct@Flitzis.Message]
 *
 * Gets the sample slot a message is about: the slot of a
 * [enum@Flitzis.MessageKind.SAMPLE_STARTED], [enum@Flitzis.MessageKind.SAMPLE_FINISHED],
 * [enum@Flitzis.MessageKind.VOICE_DROPPED] or [enum@Flitzis.MessageKind.TRIGGER_LATE]
 * message.
 *
 * Returns: the slot, or 0 for kinds that concern no slot
 *
 * Since: 0.1
 */
guint
flitzis_message_get_slot (const FlitzisMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->slot;
}

/**
 * flitzis_message_get_count:
 * @message: a [struct@Flitzis.Message]
 *
 * Gets the number a message carries: for [enum@Flitzis.MessageKind.XRUN] the
 * xruns counted since [method@Flitzis.AudioEngine.run], for
 * [enum@Flitzis.MessageKind.UNDERRUN] the engine's own underruns, for
 * [enum@Flitzis.MessageKind.TRIGGER_LATE] how many frames late the trigger
 * started, for [enum@Flitzis.MessageKind.PONG] the number of the ping it
 * answers in this run, counting from 0.
 *
 * Returns: the count, or 0 for other kinds
 *
 * Since: 0.1
 */
guint64
flitzis_message_get_count (const FlitzisMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->count;
}

/**
 * flitzis_message_get_error:
 * @message: a [struct@Flitzis.Message]
 *
 * Gets why the stream failed, for a [enum@Flitzis.MessageKind.STREAM_ERROR]
 * message.
 *
 * Returns: (nullable) (transfer none): the error, or %NULL for other kinds
 *
 * Since: 0.1
 */
const GError *
flitzis_message_get_error (const FlitzisMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->error;
}

/**
 * flitzis_message_get_bar:
 * @message: a [struct@Flitzis.Message]
 *
 * Gets the bar of a [enum@Flitzis.MessageKind.BEAT] message: 1 for the bar
 * that starts at [property@Flitzis.AudioEngine:downbeat-frame].
 *
 * Returns: the bar, from 1; 0 for other kinds
 *
 * Since: 0.1
 */
guint
flitzis_message_get_bar (const FlitzisMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->kind == FLITZIS_MESSAGE_KIND_BEAT ? (guint) message->count : 0;
}

/**
 * flitzis_message_get_beat:
 * @message: a [struct@Flitzis.Message]
 *
 * Gets the beat in its bar of a [enum@Flitzis.MessageKind.BEAT] message.
 *
 * Returns: the beat, 1 to [property@Flitzis.AudioEngine:beats-per-bar]; 0
 *   for other kinds
 *
 * Since: 0.1
 */
guint
flitzis_message_get_beat (const FlitzisMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->kind == FLITZIS_MESSAGE_KIND_BEAT ? message->slot : 0;
}
