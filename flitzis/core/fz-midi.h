/* fz-midi.h: a MIDI 1.0 byte-stream parser, for the audio thread
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Bytes in, channel messages out, one byte at a time: running status (a
 * data byte after a channel message repeats its status), real-time bytes
 * (0xF8 to 0xFF) anywhere, even inside another message, passed over;
 * system exclusive (0xF0 ... 0xF7) and the other system common messages
 * skipped whole.  What breaks the grammar is ignored and counted in
 * FzMidiParser.errors: a data byte with no status to run on, a status
 * that interrupts an unfinished message (its bytes are lost), a SysEx cut
 * short by any status but its end (a truncated SysEx), a stray 0xF7, and
 * the undefined statuses 0xF4, 0xF5 (and 0xF9, 0xFD among the real-time
 * ones).  No allocation, no state outside the parser: it runs on the
 * audio thread, and in the fuzzer on arbitrary input.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The channel messages' status nibbles (the type of an FzMidiEvent). */
#define FZ_MIDI_NOTE_OFF 0x80u
#define FZ_MIDI_NOTE_ON 0x90u
#define FZ_MIDI_POLY_PRESSURE 0xA0u
#define FZ_MIDI_CONTROL_CHANGE 0xB0u
#define FZ_MIDI_PROGRAM_CHANGE 0xC0u
#define FZ_MIDI_CHANNEL_PRESSURE 0xD0u
#define FZ_MIDI_PITCH_BEND 0xE0u

/* One channel message.  A note-on of velocity 0 comes out as a note-off
 * of velocity 0; a pitch bend's value is its 14 bits (8192: centre), its
 * number 0; program change and channel pressure carry their one data
 * byte as number, with value 0. */
typedef struct {
  uint8_t type;                 /* FZ_MIDI_NOTE_OFF .. FZ_MIDI_PITCH_BEND */
  uint8_t channel;              /* 0 .. 15 */
  uint8_t number;               /* note, controller or program: 0 .. 127 */
  uint16_t value;               /* velocity, controller value: 0 .. 127; bend 0 .. 16383 */
} FzMidiEvent;

typedef struct {
  uint8_t status;               /* the running channel status, 0: none */
  uint8_t data[2];
  uint8_t have;                 /* data bytes of the message so far */
  bool in_sysex;
  bool skipping;                /* inside a system common message's data */
  uint8_t skip_left;
  uint64_t errors;              /* malformed bytes and messages, see above */
  uint64_t sysex;               /* system exclusive messages skipped whole */
} FzMidiParser;

void fz_midi_parser_init (FzMidiParser *parser);
/* Takes one byte; true when it completed a channel message, into @event. */
bool fz_midi_parse_byte (FzMidiParser *parser, uint8_t byte, FzMidiEvent *event);
