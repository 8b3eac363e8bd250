/* fz-midi-map.c: the MIDI map's blocks and lookups, see fz-midi-map.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "fz-midi-map.h"

/* ---- control thread ---- */

FzMidiMap *
fz_midi_map_new (void)
{
  return calloc (1, sizeof (FzMidiMap));
}

FzMidiMap *
fz_midi_map_copy (const FzMidiMap *map)
{
  FzMidiMap *copy = malloc (sizeof (FzMidiMap));

  if (copy != NULL)
    memcpy (copy, map, sizeof (FzMidiMap));
  return copy;
}

void
fz_midi_map_free (FzMidiMap *map)
{
  free (map);
}

/* A counting sort of the entries by key: @channels[i] and @numbers[i] are
 * entry i's; an any-channel entry counts under every channel. */
static void
index_entries (uint16_t *start, uint16_t *list, uint32_t n, const uint8_t *channels,
               const uint8_t *numbers)
{
  uint16_t fill[FZ_MIDI_KEYS];

  memset (start, 0, (FZ_MIDI_KEYS + 1) * sizeof (uint16_t));
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t c = 0; c < 16; c++)
      if (channels[i] == FZ_MIDI_ANY_CHANNEL || channels[i] == c)
        start[c * 128u + numbers[i] + 1]++;
  for (uint32_t key = 0; key < FZ_MIDI_KEYS; key++)
    start[key + 1] = (uint16_t) (start[key + 1] + start[key]);
  memcpy (fill, start, sizeof fill);
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t c = 0; c < 16; c++)
      if (channels[i] == FZ_MIDI_ANY_CHANNEL || channels[i] == c)
        list[fill[c * 128u + numbers[i]]++] = (uint16_t) i;
}

void
fz_midi_map_index (FzMidiMap *map)
{
  uint8_t channels[FZ_MIDI_MAP_MAX_NOTES], numbers[FZ_MIDI_MAP_MAX_NOTES];

  for (uint32_t i = 0; i < map->n_notes; i++)
    {
      channels[i] = map->notes[i].channel;
      numbers[i] = map->notes[i].note;
    }
  index_entries (map->note_start, map->note_list, map->n_notes, channels, numbers);
  for (uint32_t i = 0; i < map->n_ccs; i++)
    {
      channels[i] = map->ccs[i].channel;
      numbers[i] = map->ccs[i].number;
    }
  index_entries (map->cc_start, map->cc_list, map->n_ccs, channels, numbers);
}

/* ---- any thread ---- */

/* With program lines, only theirs select banks; without, with banks on,
 * program P selects bank P. */
int64_t
fz_midi_map_find_bank (const FzMidiMap *map, uint8_t channel, uint8_t program)
{
  if (map->bank_size == 0)
    return -1;
  if (map->n_programs == 0)
    return program;
  for (uint32_t i = 0; i < map->n_programs; i++)
    if ((map->programs[i].channel == FZ_MIDI_ANY_CHANNEL || map->programs[i].channel == channel) &&
        map->programs[i].program == program)
      return map->programs[i].bank;
  return -1;
}
