/* fz-midi-in.c: MIDI input on the audio thread, see fz-midi-in.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>

#include "fz-core.h"
#include "fz-counter.h"

/* ---- control thread ---- */

void
fz_core_set_midi_map (FzCore *core, FzMidiMap *map)
{
  /* The map the audio thread let go of last time: it never touches it
   * again.  Then the new one replaces any the audio thread has not taken
   * (that one it never saw: the exchange decides who has it). */
  fz_midi_map_free (atomic_exchange (&core->midi.retired, NULL));
  fz_midi_map_free (atomic_exchange (&core->midi.pending, map));
}

void
fz_core_set_midi_grid (FzCore *core, uint32_t grid)
{
  atomic_store_explicit (&core->midi.grid, grid, memory_order_relaxed);
}

/* Once the audio thread has stopped for good. */
void
fz_midi_in_clear (FzCore *core)
{
  fz_midi_map_free (atomic_exchange (&core->midi.retired, NULL));
  fz_midi_map_free (atomic_exchange (&core->midi.pending, NULL));
  fz_midi_map_free ((FzMidiMap *) core->midi.map);
  core->midi.map = NULL;
}

uint64_t
fz_core_get_midi_errors (FzCore *core)
{
  return fz_counter_get (&core->midi.errors);
}

uint64_t
fz_core_get_midi_dropped (FzCore *core)
{
  return fz_counter_get (&core->midi.dropped);
}

/* ---- audio thread ---- */

static void
parse (FzCore *core, FzMidiParser *parser, const uint8_t *bytes, size_t length, uint64_t frame)
{
  FzMidiIn *midi = &core->midi;
  uint64_t errors = parser->errors;
  FzMidiEvent event;

  for (size_t i = 0; i < length; i++)
    {
      if (!fz_midi_parse_byte (parser, bytes[i], &event))
        continue;
      if (midi->n_inbox == FZ_MIDI_INBOX_CAPACITY)
        {
          fz_counter_increment (&midi->dropped);
          continue;
        }
      midi->inbox[midi->n_inbox++] = (FzMidiQueued) { .frame = frame, .event = event };
    }
  if (parser->errors != errors)
    atomic_store_explicit (&midi->errors,
                           fz_counter_get (&midi->errors) + (parser->errors - errors),
                           memory_order_relaxed);
}

void
fz_core_midi_input (FzCore *core, const uint8_t *bytes, size_t length, uint64_t frame)
{
  parse (core, &core->midi.port, bytes, length, frame);
}

void
fz_midi_in_inject (FzCore *core, const FzMsg *command)
{
  uint8_t bytes[FZ_MIDI_CMD_BYTES];
  uint32_t length = command->flag < FZ_MIDI_CMD_BYTES ? command->flag : FZ_MIDI_CMD_BYTES;

  for (uint32_t i = 0; i < 8; i++)
    {
      bytes[i] = (uint8_t) (command->seq >> (8 * i));
      bytes[8 + i] = (uint8_t) (command->start >> (8 * i));
    }
  parse (core, &core->midi.injected, bytes, length, command->frame);
}

/* Takes a newer map, once the last one it let go of has been collected. */
static void
take_map (FzMidiIn *midi)
{
  FzMidiMap *map;

  if (atomic_load_explicit (&midi->pending, memory_order_relaxed) == NULL ||
      atomic_load_explicit (&midi->retired, memory_order_acquire) != NULL)
    return;
  map = atomic_exchange_explicit (&midi->pending, NULL, memory_order_acq_rel);
  if (map == NULL)
    return;
  atomic_store_explicit (&midi->retired, (FzMidiMap *) midi->map, memory_order_release);
  midi->map = map;
}

/* The first frame of the grid from @frame on (itself with no grid). */
static uint64_t
snap (FzCore *core, uint64_t frame)
{
  unsigned grid = atomic_load_explicit (&core->midi.grid, memory_order_relaxed);

  if (grid == FZ_GRID_NONE || grid > FZ_GRID_LAST)
    return frame;
  return fz_clock_grid_frame (&core->tempo, (FzGrid) grid, frame);
}

static void
map_note (FzCore *core, const FzMidiMap *map, const FzMidiEvent *event, uint64_t frame)
{
  uint64_t bank_offset = (uint64_t) core->midi.bank * map->bank_size;
  uint32_t n;
  const uint16_t *found = fz_midi_map_find_notes (map, event->channel, event->number, &n);

  for (uint32_t i = 0; i < n; i++)
    {
      const FzMidiNoteMap *note = &map->notes[found[i]];
      uint64_t slot = note->slot + bank_offset;

      if (slot >= core->mixer.n_slots)
        continue;
      if (event->type == FZ_MIDI_NOTE_ON)
        fz_core_schedule_play (core, (uint32_t) slot,
                               map->curves[note->curve][event->value & 0x7fu], snap (core, frame));
      else if (note->gate)
        fz_core_stop_from (core, (uint32_t) slot, snap (core, frame));
    }
}

static void
set_band (FzCore *core, uint32_t slot, uint8_t target, float gain)
{
  const FzEqSlot *eq = &core->eq.slots[slot];
  float low = target == FZ_MIDI_TARGET_EQ_LOW ? gain : eq->low;
  float mid = target == FZ_MIDI_TARGET_EQ_MID ? gain : eq->mid;
  float high = target == FZ_MIDI_TARGET_EQ_HIGH ? gain : eq->high;

  fz_eq_set (&core->mixer, slot, low, mid, high);
}

/* Controllers act from the period's first frame: gains ramp from there,
 * the tempo changes there. */
static void
map_cc (FzCore *core, const FzMidiMap *map, const FzMidiEvent *event)
{
  uint32_t n;
  const uint16_t *found = fz_midi_map_find_ccs (map, event->channel, event->number, &n);

  for (uint32_t i = 0; i < n; i++)
    {
      const FzMidiCcMap *cc = &map->ccs[found[i]];
      float value = cc->table[event->value & 0x7fu];
      FzMsg tempo;

      if (cc->target != FZ_MIDI_TARGET_VOLUME && cc->target != FZ_MIDI_TARGET_TEMPO &&
          cc->slot >= core->mixer.n_slots)
        continue;
      switch ((FzMidiTarget) cc->target)
        {
        case FZ_MIDI_TARGET_VOLUME:
          fz_mixer_set_gain (&core->mixer, FZ_MASTER, value);
          break;
        case FZ_MIDI_TARGET_GAIN:
          fz_mixer_set_gain (&core->mixer, cc->slot, value);
          break;
        case FZ_MIDI_TARGET_EQ_LOW:
        case FZ_MIDI_TARGET_EQ_MID:
        case FZ_MIDI_TARGET_EQ_HIGH:
          set_band (core, cc->slot, cc->target, value);
          break;
        case FZ_MIDI_TARGET_TEMPO:
          tempo = (FzMsg) { .type = FZ_CMD_SET_TEMPO,
                            .start = fz_clock_step (value, core->sample_rate) };
          fz_transport_apply (core, &tempo);
          break;
        case FZ_MIDI_TARGET_SPEED:
          /* The slot's speed, as set_sample_speed() sets it, from this
           * period on (its voices glide there, fz-varispeed.c). */
          fz_mixer_set_speed (&core->mixer, cc->slot, value);
          break;
        default:
          break;
        }
    }
}

static void
map_event (FzCore *core, const FzMidiEvent *event, uint64_t frame)
{
  const FzMidiMap *map = core->midi.map;
  int64_t bank;

  if (map == NULL)
    return;
  switch (event->type)
    {
    case FZ_MIDI_NOTE_ON:
    case FZ_MIDI_NOTE_OFF:
      map_note (core, map, event, frame);
      break;
    case FZ_MIDI_CONTROL_CHANGE:
      map_cc (core, map, event);
      break;
    case FZ_MIDI_PROGRAM_CHANGE:
      bank = fz_midi_map_find_bank (map, event->channel, event->number);
      if (bank >= 0)
        core->midi.bank = (uint32_t) bank;
      break;
    default:
      break;
    }
}

void
fz_midi_in_run (FzCore *core, size_t frames)
{
  FzMidiIn *midi = &core->midi;
  uint64_t end = core->period_start + frames;
  uint32_t kept = 0;

  take_map (midi);
  if (midi->n_inbox == 0)
    return;
  for (uint32_t i = 0; i < midi->n_inbox; i++)
    {
      const FzMidiQueued queued = midi->inbox[i];
      uint64_t frame = queued.frame < core->period_start ? core->period_start : queued.frame;
      const FzMidiEvent *event = &queued.event;

      if (frame >= end)
        {
          midi->inbox[kept++] = queued;
          continue;
        }
      fz_core_reply (core, FZ_REPLY_MIDI, event->channel + 1u, frame,
                     (uint64_t) event->type << 24 | (uint64_t) event->number << 16 |
                     event->value);
      map_event (core, event, frame);
    }
  midi->n_inbox = kept;
}
