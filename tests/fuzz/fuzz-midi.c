/* fuzz-midi.c: libFuzzer target: arbitrary bytes as MIDI input
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The bytes go through the parser (fz-midi.h), whose every event must be
 * a channel message with its fields in range, and then, cut into events
 * at frames the input chooses, through a core's MIDI input with a map
 * (notes, gates, controllers of every target, banks) over a few periods:
 * nothing may crash, read out of bounds or leak.  Built by `make fuzz`
 * (clang-22, -fsanitize=fuzzer,address,undefined), and replayed over its
 * corpus (tests/fuzz/midi/) by make check through fuzz-replay.c.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/fz-core.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_parser (const uint8_t *data, size_t size)
{
  FzMidiParser parser;
  FzMidiEvent event;
  uint64_t total = 0;

  fz_midi_parser_init (&parser);
  for (size_t i = 0; i < size; i++)
    if (fz_midi_parse_byte (&parser, data[i], &event))
      {
        total++;
        if (event.type < 0x80 || event.type > 0xe0 || (event.type & 0x0f) != 0 ||
            event.channel > 15 || event.number > 127 ||
            event.value > (event.type == FZ_MIDI_PITCH_BEND ? 16383 : 127))
          abort ();
      }
  /* Every event takes two bytes at least, but a program change with
   * running status, which takes one. */
  if (total > size || parser.errors > size)
    abort ();
}

static FzMidiMap *
make_map (void)
{
  FzMidiMap *map = fz_midi_map_new ();

  map->bank_size = 2;
  for (uint32_t i = 0; i < 8; i++)
    map->notes[map->n_notes++] = (FzMidiNoteMap) {
      .channel = i == 0 ? FZ_MIDI_ANY_CHANNEL : (uint8_t) i, .note = (uint8_t) (36 + i),
      .slot = i % 4, .gate = i % 2 == 0 };
  for (uint32_t v = 0; v < 128; v++)
    map->curves[0][v] = v / 127.0f;
  map->n_curves = 1;
  for (uint32_t t = 0; t <= FZ_MIDI_TARGET_LAST; t++)
    {
      FzMidiCcMap *cc = &map->ccs[map->n_ccs++];

      *cc = (FzMidiCcMap) { .channel = FZ_MIDI_ANY_CHANNEL, .number = (uint8_t) t,
                            .target = (uint8_t) t, .slot = t % 4 };
      for (uint32_t v = 0; v < 128; v++)
        cc->table[v] = t == FZ_MIDI_TARGET_TEMPO ? 20.0f + 3.0f * v : v / 127.0f;
    }
  fz_midi_map_index (map);
  return map;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  FzCore *core = fz_core_new_sized (48000, 2, 4, 8);
  FzSample *sample = fz_sample_new (300, 2, 48000);
  FzMsg load = { .type = FZ_CMD_LOAD, .slot = 0, .sample = sample };
  /* The clock as an engine starts it (a bare core's is all zero, no
   * tempo at all: the engine never runs one so). */
  FzTempo tempo = fz_clock_from_downbeat (0, fz_clock_step (120.0, 48000), 4);
  float out[64 * 2];
  size_t i = 0;
  uint64_t frame = 0;

  check_parser (data, size);
  if (core == NULL || sample == NULL)
    abort ();
  for (size_t f = 0; f < 600; f++)
    sample->data[f] = 0.25f;
  fz_core_init_clock (core, &tempo);
  fz_core_send (core, &load);
  fz_core_set_midi_map (core, make_map ());
  fz_core_set_midi_grid (core, size > 0 ? data[0] % 8u : 0);
  /* Chunks: a length byte (1 to 8), then that many bytes, at the frame
   * the chunk's first byte picks within the next two periods. */
  while (i < size)
    {
      size_t n = 1 + data[i] % 8u;

      if (i + 1 + n > size)
        n = size - i - 1;
      if (n > 0)
        fz_core_midi_input (core, data + i + 1, n, frame + data[i] % 128u);
      i += 1 + n;
      fz_core_process (core, out, 64, 0);
      frame += 64;
    }
  for (uint32_t p = 0; p < 4; p++)
    fz_core_process (core, out, 64, 0);
  fz_core_free (core);
  return 0;
}
