/* flitzis-message.h: a message from the audio thread
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__FLITZIS_H_INSIDE__) && !defined(FLITZIS_COMPILATION)
#error "Only <flitzis/flitzis.h> can be included directly."
#endif

#include <glib-object.h>
#include <flitzis/flitzis-version.h>

G_BEGIN_DECLS

/**
 * FlitzisMessageKind:
 * @FLITZIS_MESSAGE_KIND_PONG: the audio thread's answer to
 *   flitzis_audio_engine_ping(); also emitted as #FlitzisAudioEngine::pong
 *
 * What a #FlitzisMessage reports.
 *
 * Since: 0.1
 */
typedef enum {
  FLITZIS_MESSAGE_KIND_PONG = 1,
} FlitzisMessageKind;

/**
 * FlitzisMessage:
 *
 * An immutable, reference-counted message from the audio thread, as
 * returned by flitzis_audio_engine_receive_msg().
 *
 * Since: 0.1
 */
typedef struct _FlitzisMessage FlitzisMessage;

#define FLITZIS_TYPE_MESSAGE (flitzis_message_get_type ())

FLITZIS_AVAILABLE_IN_0_1
GType              flitzis_message_get_type  (void) G_GNUC_CONST;
FLITZIS_AVAILABLE_IN_0_1
FlitzisMessage    *flitzis_message_ref       (FlitzisMessage       *message);
FLITZIS_AVAILABLE_IN_0_1
void               flitzis_message_unref     (FlitzisMessage       *message);
FLITZIS_AVAILABLE_IN_0_1
FlitzisMessageKind flitzis_message_get_kind  (const FlitzisMessage *message);
FLITZIS_AVAILABLE_IN_0_1
guint64            flitzis_message_get_frame (const FlitzisMessage *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlitzisMessage, flitzis_message_unref)

G_END_DECLS
