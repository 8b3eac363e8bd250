/* fz-midi-map.h: what MIDI events do, as the audio thread looks them up
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A map is one flat block, made and indexed on a control thread
 * (flitzis/fz-midi-map-text.c reads and writes its text form and fills its
 * tables), then published to the audio thread whole, by pointer
 * (fz_core_set_midi_map()), and never changed again: the audio thread only
 * reads it.  Every value the audio thread needs is precomputed per MIDI
 * value (0 .. 127) in a table, so that a lookup is an index, not a power
 * or a logarithm (the core calls no libm function).
 *
 * A note (on a channel, or on any) starts a slot at a velocity its curve
 * gives; with gate set, its note-off stops the slot.  A controller sets
 * the master volume, a slot's gain, one band of a slot's isolator, the
 * tempo, or (not yet) a slot's speed.  A program change selects a bank:
 * the notes' slots are offset by bank * bank_size.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define FZ_MIDI_ANY_CHANNEL 0xffu
#define FZ_MIDI_MAP_MAX_NOTES 512u
#define FZ_MIDI_MAP_MAX_CCS 256u
#define FZ_MIDI_MAP_MAX_PROGRAMS 128u
/* Distinct velocity curves in a map (notes with the same one share it). */
#define FZ_MIDI_MAP_MAX_CURVES 32u
#define FZ_MIDI_KEYS (16u * 128u)

typedef enum {
  FZ_MIDI_VELOCITY_LINEAR,      /* velocity / 127 */
  FZ_MIDI_VELOCITY_FIXED,       /* param, whatever the velocity */
  FZ_MIDI_VELOCITY_CURVE,       /* (velocity / 127) ^ param */
} FzMidiVelocity;

typedef enum {
  FZ_MIDI_TARGET_VOLUME,        /* the master volume, linear */
  FZ_MIDI_TARGET_GAIN,          /* a slot's gain, linear */
  FZ_MIDI_TARGET_EQ_LOW,        /* a band of a slot's isolator: dB in the text, */
  FZ_MIDI_TARGET_EQ_MID,        /* linear in the table (-60 dB and below: 0) */
  FZ_MIDI_TARGET_EQ_HIGH,
  FZ_MIDI_TARGET_TEMPO,         /* the clock's tempo, BPM */
  FZ_MIDI_TARGET_SPEED,         /* a slot's speed: parsed and kept, no effect yet */
  FZ_MIDI_TARGET_LAST = FZ_MIDI_TARGET_SPEED,
} FzMidiTarget;

typedef struct {
  uint8_t channel;              /* 0 .. 15, or FZ_MIDI_ANY_CHANNEL */
  uint8_t note;
  uint8_t velocity;             /* FzMidiVelocity */
  bool gate;                    /* its note-off stops the slot */
  uint32_t slot;                /* in bank 0 */
  float param;                  /* the fixed gain, or the curve's exponent */
  uint32_t curve;               /* its table in FzMidiMap.curves */
} FzMidiNoteMap;

typedef struct {
  uint8_t channel;
  uint8_t number;
  uint8_t target;               /* FzMidiTarget */
  uint32_t slot;                /* gain, eq, speed: the slot */
  float min, max;               /* as written: value 0 gives min, 127 max */
  float table[128];             /* what each value sets (linear, or BPM) */
} FzMidiCcMap;

typedef struct {
  uint8_t channel;
  uint8_t program;
  uint32_t bank;
} FzMidiProgramMap;

typedef struct {
  uint32_t bank_size;           /* 0: program changes select no bank */
  uint32_t n_notes, n_ccs, n_programs, n_curves;
  FzMidiNoteMap notes[FZ_MIDI_MAP_MAX_NOTES];
  FzMidiCcMap ccs[FZ_MIDI_MAP_MAX_CCS];
  FzMidiProgramMap programs[FZ_MIDI_MAP_MAX_PROGRAMS];
  float curves[FZ_MIDI_MAP_MAX_CURVES][128];
  /* fz_midi_map_index(): per channel and number, the entries that match
   * (an any-channel entry under each of the 16), in the order written:
   * list[start[key] .. start[key + 1]), key = channel * 128 + number. */
  uint16_t note_start[FZ_MIDI_KEYS + 1];
  uint16_t note_list[FZ_MIDI_MAP_MAX_NOTES * 16u];
  uint16_t cc_start[FZ_MIDI_KEYS + 1];
  uint16_t cc_list[FZ_MIDI_MAP_MAX_CCS * 16u];
} FzMidiMap;

/* Control thread: an empty map (indexed); NULL when memory is short. */
FzMidiMap *fz_midi_map_new (void);
FzMidiMap *fz_midi_map_copy (const FzMidiMap *map);
void       fz_midi_map_free (FzMidiMap *map);
/* Control thread, once the entries are in: builds the lookup lists. */
void       fz_midi_map_index (FzMidiMap *map);

/* Any thread: the entries of @channel's @number, *@n of them (indices
 * into notes or ccs). */
static inline const uint16_t *
fz_midi_map_find_notes (const FzMidiMap *map, uint8_t channel, uint8_t number, uint32_t *n)
{
  uint32_t key = (uint32_t) channel * 128u + number;

  *n = (uint32_t) map->note_start[key + 1] - map->note_start[key];
  return &map->note_list[map->note_start[key]];
}

static inline const uint16_t *
fz_midi_map_find_ccs (const FzMidiMap *map, uint8_t channel, uint8_t number, uint32_t *n)
{
  uint32_t key = (uint32_t) channel * 128u + number;

  *n = (uint32_t) map->cc_start[key + 1] - map->cc_start[key];
  return &map->cc_list[map->cc_start[key]];
}

/* Any thread: the bank @program on @channel selects, or -1 for none. */
int64_t    fz_midi_map_find_bank (const FzMidiMap *map, uint8_t channel, uint8_t program);
