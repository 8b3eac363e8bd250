/* flitzis-backend.h: which sound server or library an engine plays through
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
 * FlitzisBackend:
 * @FLITZIS_BACKEND_AUTO: a running PipeWire server with a sink, else a
 *   running JACK server, else PortAudio's default output.  As
 *   [property@Flitzis.AudioEngine:active-backend]: nothing is open.
 * @FLITZIS_BACKEND_PIPEWIRE: a native PipeWire stream; the engine's
 *   real-time core runs in PipeWire's data thread
 * @FLITZIS_BACKEND_JACK: a JACK client of the engine's own
 * @FLITZIS_BACKEND_PORTAUDIO: a PortAudio stream (ALSA, OSS; JACK devices
 *   PortAudio lists are played through the engine's JACK client)
 *
 * What [method@Flitzis.AudioEngine.run] plays through: see
 * [property@Flitzis.AudioEngine:backend].
 *
 * Since: 0.1
 */
typedef enum {
  FLITZIS_BACKEND_AUTO,
  FLITZIS_BACKEND_PIPEWIRE,
  FLITZIS_BACKEND_JACK,
  FLITZIS_BACKEND_PORTAUDIO,
} FlitzisBackend;

G_END_DECLS
