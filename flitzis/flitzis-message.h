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
 *   [method@Flitzis.AudioEngine.ping]; also emitted as [signal@Flitzis.AudioEngine::pong]
 * @FLITZIS_MESSAGE_KIND_SAMPLE_STARTED: a voice of the message's slot
 *   played its first frame, the message's frame;
 *   [signal@Flitzis.AudioEngine::sample-started]
 * @FLITZIS_MESSAGE_KIND_SAMPLE_FINISHED: a voice of the message's slot
 *   ended (played out, or faded out after a stop) just before the
 *   message's frame; [signal@Flitzis.AudioEngine::sample-finished]
 * @FLITZIS_MESSAGE_KIND_VOICE_DROPPED: a trigger of the message's slot found
 *   all [const@Flitzis.MAX_VOICES] voices busy and was dropped;
 *   [signal@Flitzis.AudioEngine::voice-dropped]
 * @FLITZIS_MESSAGE_KIND_TRIGGER_LATE: a trigger of
 *   [method@Flitzis.AudioEngine.play_sample_at] arrived after its frame and
 *   started at the message's frame instead, [method@Flitzis.Message.get_count]
 *   frames late; [signal@Flitzis.AudioEngine::trigger-late]
 * @FLITZIS_MESSAGE_KIND_XRUN: the device or the JACK server reported an
 *   xrun before the message's frame, whichever client of the server caused
 *   it; [method@Flitzis.Message.get_count] is the running count;
 *   [signal@Flitzis.AudioEngine::xrun]
 * @FLITZIS_MESSAGE_KIND_STREAM_ERROR: the stream failed and the engine
 *   stopped; [method@Flitzis.Message.get_error] says why;
 *   [signal@Flitzis.AudioEngine::stream-error]
 * @FLITZIS_MESSAGE_KIND_BEAT: a beat of the engine's clock fell on the
 *   message's frame: beat [method@Flitzis.Message.get_beat] of bar
 *   [method@Flitzis.Message.get_bar] (from 1: a count-in's beats are not
 *   reported), while [property@Flitzis.AudioEngine:report-beats] is set, as
 *   it is by default; [signal@Flitzis.AudioEngine::beat]
 * @FLITZIS_MESSAGE_KIND_RECONNECTED: a lost stream was opened again by
 *   itself ([property@Flitzis.AudioEngine:reconnect]) and the engine runs
 *   with its slots; the message's frame is the new stream's frame time
 *   then; [signal@Flitzis.AudioEngine::reconnected]
 * @FLITZIS_MESSAGE_KIND_UNDERRUN: the engine's own stream underran before
 *   the message's frame: its callback delivered a period too late;
 *   [method@Flitzis.Message.get_count] is the running count;
 *   [signal@Flitzis.AudioEngine::underrun]
 * @FLITZIS_MESSAGE_KIND_MIDI_EVENT: a MIDI channel message reached the audio
 *   thread at the message's frame; [method@Flitzis.Message.get_slot] is
 *   its channel (1 to 16) and [method@Flitzis.Message.get_count] packs
 *   its type, number and value as `type << 24 | number << 16 | value`;
 *   [signal@Flitzis.AudioEngine::midi-event] (Since: 0.1)
 *
 * What a [struct@Flitzis.Message] reports.  Each kind is also emitted as the
 * engine's signal of the same name.
 *
 * Since: 0.1
 */
typedef enum {
  FLITZIS_MESSAGE_KIND_PONG = 1,
  FLITZIS_MESSAGE_KIND_SAMPLE_STARTED,
  FLITZIS_MESSAGE_KIND_SAMPLE_FINISHED,
  FLITZIS_MESSAGE_KIND_VOICE_DROPPED,
  FLITZIS_MESSAGE_KIND_TRIGGER_LATE,
  FLITZIS_MESSAGE_KIND_XRUN,
  FLITZIS_MESSAGE_KIND_STREAM_ERROR,
  FLITZIS_MESSAGE_KIND_BEAT,
  FLITZIS_MESSAGE_KIND_RECONNECTED,
  FLITZIS_MESSAGE_KIND_UNDERRUN,
  FLITZIS_MESSAGE_KIND_MIDI_EVENT,
} FlitzisMessageKind;

/**
 * FlitzisMessage:
 *
 * An immutable, reference-counted message from the audio thread, as
 * returned by [method@Flitzis.AudioEngine.receive_msg].
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
FLITZIS_AVAILABLE_IN_0_1
guint              flitzis_message_get_slot  (const FlitzisMessage *message);
FLITZIS_AVAILABLE_IN_0_1
guint64            flitzis_message_get_count (const FlitzisMessage *message);
FLITZIS_AVAILABLE_IN_0_1
const GError      *flitzis_message_get_error (const FlitzisMessage *message);
FLITZIS_AVAILABLE_IN_0_1
guint              flitzis_message_get_bar   (const FlitzisMessage *message);
FLITZIS_AVAILABLE_IN_0_1
guint              flitzis_message_get_beat  (const FlitzisMessage *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlitzisMessage, flitzis_message_unref)

G_END_DECLS
