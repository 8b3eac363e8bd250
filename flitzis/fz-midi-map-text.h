/* fz-midi-map-text.h: the MIDI map's text form (docs/midi.md)
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Control thread: reads a map's text into the core's flat map
 * (core/fz-midi-map.h), computing its tables, and writes a map back as
 * text that reads into the same map.
 */
#pragma once

#include <glib.h>

#include "core/fz-midi-map.h"

G_BEGIN_DECLS

/* A map of @n_slots slots' engine, indexed; NULL with @error
 * (FLITZIS_ENGINE_ERROR_INVALID_MIDI_MAP, naming @name's line) otherwise. */
FzMidiMap *fz_midi_map_parse (const char *text, const char *name, guint n_slots,
                              GError **error);
char      *fz_midi_map_print (const FzMidiMap *map);

G_END_DECLS
