/* fz-midi-in.h: MIDI input on the audio thread, exact to the frame
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * MIDI reaches the core two ways, both parsed on the audio thread:
 * - a back-end's MIDI port, read in the same process cycle as the audio
 *   it goes with: fz_core_midi_input(), called by the back-end's callback
 *   with each event's frame in the stream, before fz_core_process();
 * - FZ_CMD_MIDI on the command ring (inject_midi(), offline engines and
 *   tests), carried out with the period's commands.
 * Each has its own parser (fz-midi.h), so that running status of one is
 * never broken by the other.  Parsed events wait in an inbox until the
 * period that holds their frame: there, after the commands and before the
 * waiting triggers start, each is reported (FZ_REPLY_MIDI) and mapped
 * (fz-midi-map.h): a note-on becomes a trigger at its own frame (or at the
 * first grid frame from it, with a quantize grid set), which the core's
 * schedule starts at that offset of the period.  An event whose frame has
 * passed plays at the period's first frame.  A full inbox drops the
 * event, counted.
 *
 * The map is published by pointer, latest wins, through two mailboxes:
 * the control thread puts a new map in pending; the audio thread takes
 * it at the start of a period, but only once retired is empty, and then
 * leaves the map it replaced in retired, for the control thread to free
 * (fz_core_set_midi_map() empties it first).  Nothing is ever freed on the
 * audio thread, and a map it reads is never freed under it.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fz-midi.h"
#include "fz-midi-map.h"

/* Events that wait for their period; one more is dropped, counted. */
#define FZ_MIDI_INBOX_CAPACITY 256u
/* Bytes one FZ_CMD_MIDI carries (in its seq and start fields). */
#define FZ_MIDI_CMD_BYTES 16u

typedef struct {
  uint64_t frame;
  FzMidiEvent event;
} FzMidiQueued;

typedef struct {
  FzMidiParser port;            /* audio thread only */
  FzMidiParser injected;        /* audio thread only */
  FzMidiQueued inbox[FZ_MIDI_INBOX_CAPACITY];
  uint32_t n_inbox;
  uint32_t bank;                /* the bank the last program change selected */
  const FzMidiMap *map;         /* the audio thread's, or NULL */
  _Atomic (FzMidiMap *) pending;
  _Atomic (FzMidiMap *) retired;
  atomic_uint grid;             /* FzGrid: quantize note triggers and gates */
  /* Written by the audio thread only. */
  atomic_uint_fast64_t errors;  /* malformed input, both parsers */
  atomic_uint_fast64_t dropped; /* events the inbox had no room for */
} FzMidiIn;
