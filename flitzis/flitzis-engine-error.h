/* flitzis-engine-error.h: the engine's error domain
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__FLITZIS_H_INSIDE__) && !defined(FLITZIS_COMPILATION)
#error "Only <flitzis/flitzis.h> can be included directly."
#endif

#include <glib.h>
#include <flitzis/flitzis-version.h>

G_BEGIN_DECLS

/**
 * FLITZIS_ENGINE_ERROR:
 *
 * Error domain for [class@Flitzis.AudioEngine]. Errors in this domain are from the
 * [error@Flitzis.EngineError] enumeration. See [struct@GLib.Error] for information on error
 * domains.
 *
 * Since: 0.1
 */
#define FLITZIS_ENGINE_ERROR (flitzis_engine_error_quark ())

/**
 * FlitzisEngineError:
 * @FLITZIS_ENGINE_ERROR_NOT_RUNNING: the engine must be running
 *   (see [method@Flitzis.AudioEngine.run]) for this call
 * @FLITZIS_ENGINE_ERROR_ALREADY_RUNNING: [method@Flitzis.AudioEngine.run] was
 *   called on a running engine
 * @FLITZIS_ENGINE_ERROR_INVALID_SLOT: a sample slot id was not below the
 *   engine's [property@Flitzis.AudioEngine:slots]
 * @FLITZIS_ENGINE_ERROR_INVALID_VELOCITY: a velocity was NaN, infinite or
 *   outside 0.0 to 1.0
 * @FLITZIS_ENGINE_ERROR_QUEUE_FULL: the command queue to the audio thread
 *   is full; nothing was queued and the call can be retried
 * @FLITZIS_ENGINE_ERROR_NO_DEVICE: no output device was found, or none of
 *   the requested name
 * @FLITZIS_ENGINE_ERROR_DEVICE_FAILED: the audio device could not be
 *   opened or started
 * @FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT: a file is not audio that
 *   libflitzis can decode, or not in a form the stream can play
 * @FLITZIS_ENGINE_ERROR_NOT_OFFLINE: [method@Flitzis.AudioEngine.render] was
 *   called on an engine that plays on a device
 * @FLITZIS_ENGINE_ERROR_INVALID_GAIN: a gain or volume is out of range
 *   (0.0 to [const@Flitzis.MAX_GAIN]) or not a number
 * @FLITZIS_ENGINE_ERROR_EMPTY_SLOT: the command needs a loaded sample, and
 *   the slot holds none
 * @FLITZIS_ENGINE_ERROR_INVALID_LOOP: a loop end (other than 0) not after
 *   the loop's start
 * @FLITZIS_ENGINE_ERROR_DEVICE_LOST: the running stream failed (the device
 *   went away, the JACK server stopped); see
 *   [signal@Flitzis.AudioEngine::stream-error]
 * @FLITZIS_ENGINE_ERROR_INVALID_GROUP: a choke group above
 *   [const@Flitzis.MAX_CHOKE_GROUP]
 * @FLITZIS_ENGINE_ERROR_INVALID_FRAME: a frame past the end of the slot's
 *   sample
 * @FLITZIS_ENGINE_ERROR_INVALID_POLICY: a value that is not a
 *   [enum@Flitzis.Retrigger]
 * @FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT: a value outside what the call
 *   allows (a meter rate, a waveform's frames or bucket count); the
 *   message says what is allowed
 * @FLITZIS_ENGINE_ERROR_INVALID_TEMPO: a tempo outside
 *   [const@Flitzis.MIN_TEMPO] to [const@Flitzis.MAX_TEMPO] beats per minute,
 *   or not a number (a sample's tempo may also be 0, for unknown)
 * @FLITZIS_ENGINE_ERROR_INVALID_METER: beats per bar outside 1 to
 *   [const@Flitzis.MAX_BEATS_PER_BAR]
 * @FLITZIS_ENGINE_ERROR_STALLED: the running stream stopped advancing for
 *   longer than [property@Flitzis.AudioEngine:stall-timeout] (a frozen sound
 *   server or driver); see [signal@Flitzis.AudioEngine::stream-error]
 * @FLITZIS_ENGINE_ERROR_FILE_CHANGED: a file changed while it was being
 *   loaded (its size or modification time changed, or it delivered fewer
 *   frames than its size implies): nothing was loaded
 * @FLITZIS_ENGINE_ERROR_INVALID_MIDI_MAP: a MIDI map's text is not in the
 *   format (docs/midi.md); the message names the line and what is allowed
 *   (Since: 0.1)
 * @FLITZIS_ENGINE_ERROR_NOT_SUPPORTED: this build of the library cannot do
 *   it (key lock and pitch shift without Rubber Band)
 *
 * Error codes in the `FLITZIS_ENGINE_ERROR` domain.
 *
 * Since: 0.1
 */
typedef enum {
  FLITZIS_ENGINE_ERROR_NOT_RUNNING,
  FLITZIS_ENGINE_ERROR_ALREADY_RUNNING,
  FLITZIS_ENGINE_ERROR_INVALID_SLOT,
  FLITZIS_ENGINE_ERROR_INVALID_VELOCITY,
  FLITZIS_ENGINE_ERROR_QUEUE_FULL,
  FLITZIS_ENGINE_ERROR_NO_DEVICE,
  FLITZIS_ENGINE_ERROR_DEVICE_FAILED,
  FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
  FLITZIS_ENGINE_ERROR_NOT_OFFLINE,
  FLITZIS_ENGINE_ERROR_INVALID_GAIN,
  FLITZIS_ENGINE_ERROR_EMPTY_SLOT,
  FLITZIS_ENGINE_ERROR_INVALID_LOOP,
  FLITZIS_ENGINE_ERROR_DEVICE_LOST,
  FLITZIS_ENGINE_ERROR_INVALID_GROUP,
  FLITZIS_ENGINE_ERROR_INVALID_FRAME,
  FLITZIS_ENGINE_ERROR_INVALID_POLICY,
  FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
  FLITZIS_ENGINE_ERROR_INVALID_TEMPO,
  FLITZIS_ENGINE_ERROR_INVALID_METER,
  FLITZIS_ENGINE_ERROR_STALLED,
  FLITZIS_ENGINE_ERROR_FILE_CHANGED,
  FLITZIS_ENGINE_ERROR_INVALID_MIDI_MAP,
  FLITZIS_ENGINE_ERROR_NOT_SUPPORTED,
} FlitzisEngineError;

FLITZIS_AVAILABLE_IN_0_1
GQuark flitzis_engine_error_quark (void);

G_END_DECLS
