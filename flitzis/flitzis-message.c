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
#include "flitzis-private.h"

struct _FlitzisMessage {
  gatomicrefcount ref_count;
  FlitzisMessageKind kind;
  guint64 frame;
};

G_DEFINE_BOXED_TYPE (FlitzisMessage, flitzis_message, flitzis_message_ref, flitzis_message_unref)

FlitzisMessage *
flitzis_message_new (FlitzisMessageKind kind, guint64 frame)
{
  FlitzisMessage *message = g_new0 (FlitzisMessage, 1);

  g_atomic_ref_count_init (&message->ref_count);
  message->kind = kind;
  message->frame = frame;
  return message;
}

/**
 * flitzis_message_ref:
 * @message: a #FlitzisMessage
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
 * @message: (transfer full): a #FlitzisMessage
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
    g_free (message);
}

/**
 * flitzis_message_get_kind:
 * @message: a #FlitzisMessage
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
 * @message: a #FlitzisMessage
 *
 * The engine's frame time (frames rendered since flitzis_audio_engine_run())
 * at the start of the audio period in which the audio thread produced
 * @message.  For a pong, that is the period in which the ping was handled.
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
