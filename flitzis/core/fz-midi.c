/* fz-midi.c: the MIDI byte-stream parser, see fz-midi.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs on the audio thread (and on any thread in the tests and the
 * fuzzer): plain arithmetic on the parser's own fields.
 */
#include <string.h>

#include "fz-midi.h"

void
fz_midi_parser_init (FzMidiParser *parser)
{
  memset (parser, 0, sizeof *parser);
}

/* Data bytes a channel status takes: program change and channel pressure
 * one, the others two. */
static uint8_t
data_length (uint8_t status)
{
  uint8_t type = status & 0xf0u;

  return type == FZ_MIDI_PROGRAM_CHANGE || type == FZ_MIDI_CHANNEL_PRESSURE ? 1 : 2;
}

/* Data bytes of the system common messages: MTC quarter frame and song
 * select one, song position two, tune request none. */
static uint8_t
common_length (uint8_t status)
{
  switch (status)
    {
    case 0xf1:
    case 0xf3:
      return 1;
    case 0xf2:
      return 2;
    default:
      return 0;
    }
}

static void
complete (const FzMidiParser *parser, FzMidiEvent *event)
{
  uint8_t type = parser->status & 0xf0u;

  event->type = type;
  event->channel = parser->status & 0x0fu;
  event->number = parser->data[0];
  event->value = data_length (parser->status) == 2 ? parser->data[1] : 0;
  if (type == FZ_MIDI_PITCH_BEND)
    {
      event->number = 0;
      event->value = (uint16_t) (parser->data[0] | parser->data[1] << 7);
    }
  else if (type == FZ_MIDI_NOTE_ON && event->value == 0)
    event->type = FZ_MIDI_NOTE_OFF;
}

/* A status byte from 0xF0 to 0xF7: system exclusive and common messages
 * cancel running status (MIDI 1.0, section 4). */
static void
take_system (FzMidiParser *parser, uint8_t byte)
{
  parser->status = 0;
  parser->have = 0;
  if (byte == 0xf0)
    {
      parser->in_sysex = true;
      return;
    }
  if (byte == 0xf4 || byte == 0xf5 || byte == 0xf7)
    {
      parser->errors++;         /* undefined, or an end with no start */
      return;
    }
  parser->skip_left = common_length (byte);
  parser->skipping = parser->skip_left > 0;
}

static void
take_status (FzMidiParser *parser, uint8_t byte)
{
  /* An unfinished message, or a SysEx cut short by anything but its end:
   * lost, and counted. */
  if (parser->in_sysex)
    {
      parser->in_sysex = false;
      if (byte == 0xf7)
        {
          parser->sysex++;
          return;
        }
      parser->errors++;
    }
  else if ((parser->status != 0 && parser->have > 0) || parser->skipping)
    parser->errors++;
  parser->skipping = false;
  if (byte >= 0xf0)
    {
      take_system (parser, byte);
      return;
    }
  parser->status = byte;
  parser->have = 0;
}

bool
fz_midi_parse_byte (FzMidiParser *parser, uint8_t byte, FzMidiEvent *event)
{
  if (byte >= 0xf8)
    {
      /* Real time: clock, start, continue, stop, active sensing, reset,
       * between any two bytes; none is a channel message. */
      if (byte == 0xf9 || byte == 0xfd)
        parser->errors++;
      return false;
    }
  if (byte & 0x80u)
    {
      take_status (parser, byte);
      return false;
    }
  if (parser->in_sysex)
    return false;
  if (parser->skipping)
    {
      parser->skipping = --parser->skip_left > 0;
      return false;
    }
  if (parser->status == 0)
    {
      parser->errors++;         /* a data byte with no status to run on */
      return false;
    }
  parser->data[parser->have++] = byte;
  if (parser->have < data_length (parser->status))
    return false;
  parser->have = 0;
  complete (parser, event);
  return true;
}
