/* test-midi.c: the core's MIDI parser (fz-midi.h) and map lookups
 * (fz-midi-map.h), and MIDI input through fz_core_midi_input(), exact to
 * the frame
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "core/fz-core.h"
#include "core/fz-midi.h"
#include "core/fz-midi-map.h"
#include "core/fz-params.h"

/* Parses @bytes; the events as "TYPE CH NUMBER VALUE" strings, space
 * separated. */
static char *
parse_all (FzMidiParser *parser, const guint8 *bytes, gsize n)
{
  GString *out = g_string_new (NULL);
  FzMidiEvent event;

  for (gsize i = 0; i < n; i++)
    if (fz_midi_parse_byte (parser, bytes[i], &event))
      g_string_append_printf (out, "%s%02x %u %u %u", out->len > 0 ? ", " : "", event.type,
                              event.channel, event.number, event.value);
  return g_string_free (out, FALSE);
}

#define PARSE(parser, ...) \
  parse_all (parser, (const guint8[]) { __VA_ARGS__ }, sizeof ((const guint8[]) { __VA_ARGS__ }))

static void
test_channel_messages (void)
{
  FzMidiParser parser;
  g_autofree char *events = NULL;

  fz_midi_parser_init (&parser);
  events = PARSE (&parser, 0x90, 36, 100, 0x81, 40, 3, 0xa2, 1, 2, 0xb3, 7, 127, 0xc4, 5,
                  0xd5, 66, 0xe6, 0x00, 0x40, 0xef, 0x7f, 0x7f, 0x9f, 60, 0);
  g_assert_cmpstr (events, ==, "90 0 36 100, 80 1 40 3, a0 2 1 2, b0 3 7 127, c0 4 5 0, "
                               "d0 5 66 0, e0 6 0 8192, e0 15 0 16383, 80 15 60 0");
  g_assert_cmpuint (parser.errors, ==, 0);
}

static void
test_running_status (void)
{
  FzMidiParser parser;
  g_autofree char *events = NULL;

  fz_midi_parser_init (&parser);
  /* Running status, real-time bytes inside a message, a program change's
   * running status. */
  events = PARSE (&parser, 0x99, 36, 100, 38, 90, 0xf8, 40, 0xfe, 0, 0xc1, 3, 4);
  g_assert_cmpstr (events, ==, "90 9 36 100, 90 9 38 90, 80 9 40 0, c0 1 3 0, c0 1 4 0");
  g_assert_cmpuint (parser.errors, ==, 0);
}

static void
test_sysex_skipped (void)
{
  FzMidiParser parser;
  g_autofree char *events = NULL;

  fz_midi_parser_init (&parser);
  /* A whole SysEx (with a clock byte inside), then a note: no error; a
   * system common message (song position) cancels running status. */
  events = PARSE (&parser, 0xf0, 0x7e, 0x00, 0xf8, 0x06, 0x01, 0xf7, 0x90, 36, 1,
                  0xf2, 0x10, 0x20, 0xf6, 0x90, 37, 2);
  g_assert_cmpstr (events, ==, "90 0 36 1, 90 0 37 2");
  g_assert_cmpuint (parser.errors, ==, 0);
  g_assert_cmpuint (parser.sysex, ==, 1);
}

static void
test_malformed_counted (void)
{
  FzMidiParser parser;
  g_autofree char *events = NULL;

  fz_midi_parser_init (&parser);
  /* A data byte with nothing to run on (1); a SysEx truncated by a note-on
   * (2), which then plays; a note cut short by a CC (3); a stray end of
   * SysEx (4); undefined 0xf4, 0xf5, 0xf9, 0xfd (5 to 8). */
  events = PARSE (&parser, 0x40, 0xf0, 1, 2, 0x90, 36, 100, 0x90, 37, 0xb0, 7, 1,
                  0xf7, 0xf4, 0xf5, 0xf9, 0xfd, 0x90, 38, 3);
  g_assert_cmpstr (events, ==, "90 0 36 100, b0 0 7 1, 90 0 38 3");
  g_assert_cmpuint (parser.errors, ==, 8);
  g_assert_cmpuint (parser.sysex, ==, 0);
}

static void
test_map_lookup (void)
{
  FzMidiMap *map = fz_midi_map_new ();
  uint32_t n;
  const uint16_t *found;

  map->notes[0] = (FzMidiNoteMap) { .channel = FZ_MIDI_ANY_CHANNEL, .note = 36, .slot = 0 };
  map->notes[1] = (FzMidiNoteMap) { .channel = 9, .note = 36, .slot = 1 };
  map->notes[2] = (FzMidiNoteMap) { .channel = 2, .note = 40, .slot = 2 };
  map->n_notes = 3;
  map->ccs[0] = (FzMidiCcMap) { .channel = FZ_MIDI_ANY_CHANNEL, .number = 7 };
  map->n_ccs = 1;
  fz_midi_map_index (map);
  found = fz_midi_map_find_notes (map, 9, 36, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (found[0], ==, 0);
  g_assert_cmpuint (found[1], ==, 1);
  found = fz_midi_map_find_notes (map, 0, 36, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (found[0], ==, 0);
  fz_midi_map_find_notes (map, 0, 40, &n);
  g_assert_cmpuint (n, ==, 0);
  found = fz_midi_map_find_notes (map, 2, 40, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (found[0], ==, 2);
  fz_midi_map_find_ccs (map, 15, 7, &n);
  g_assert_cmpuint (n, ==, 1);
  fz_midi_map_find_ccs (map, 15, 8, &n);
  g_assert_cmpuint (n, ==, 0);
  /* Banks: none without a bank size; program P is bank P without program
   * lines; only the listed ones with them. */
  g_assert_cmpint (fz_midi_map_find_bank (map, 0, 3), ==, -1);
  map->bank_size = 4;
  g_assert_cmpint (fz_midi_map_find_bank (map, 0, 3), ==, 3);
  map->programs[0] = (FzMidiProgramMap) { .channel = 1, .program = 5, .bank = 2 };
  map->n_programs = 1;
  g_assert_cmpint (fz_midi_map_find_bank (map, 1, 5), ==, 2);
  g_assert_cmpint (fz_midi_map_find_bank (map, 0, 5), ==, -1);
  g_assert_cmpint (fz_midi_map_find_bank (map, 1, 3), ==, -1);
  fz_midi_map_free (map);
}

/* A core whose slot 0 holds a constant sample, mapped from note 36 (any
 * channel, linear) with gate; the note-ons' frames come out exactly. */
static FzCore *
mapped_core (void)
{
  FzCore *core = fz_core_new (48000, 1);
  FzSample *sample = fz_sample_new (4096, 1, 48000);
  FzMidiMap *map = fz_midi_map_new ();
  FzMsg load = { .type = FZ_CMD_LOAD, .slot = 0 };

  for (gsize i = 0; i < 4096; i++)
    sample->data[i] = 0.5f;
  load.sample = sample;
  g_assert_true (fz_core_send (core, &load));
  map->notes[0] = (FzMidiNoteMap) { .channel = FZ_MIDI_ANY_CHANNEL, .note = 36, .gate = true };
  for (guint v = 0; v < 128; v++)
    map->curves[0][v] = v / 127.0f;
  map->n_notes = 1;
  map->n_curves = 1;
  fz_midi_map_index (map);
  fz_core_set_midi_map (core, map);
  return core;
}

static gssize
first_nonzero (const float *out, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (out[i] != 0.0f)
      return (gssize) i;
  return -1;
}

static void
test_core_frame_exact (void)
{
  FzCore *core = mapped_core ();
  float out[256];
  const guint8 note_on[] = { 0x90, 36, 127 };
  FzMsg reply;
  guint started = 0, midi = 0;

  fz_core_process (core, out, 256, 0);
  /* Offset 77 of the second period: the voice's first frame is 256 + 77. */
  fz_core_midi_input (core, note_on, sizeof note_on, 256 + 77);
  fz_core_process (core, out, 256, 0);
  g_assert_cmpint (first_nonzero (out, 256), ==, 77);
  g_assert_cmpfloat (out[77], ==, 0.5f);
  while (fz_core_receive (core, &reply))
    {
      if (reply.type == FZ_REPLY_STARTED)
        {
          g_assert_cmpuint (reply.frame, ==, 256 + 77);
          started++;
        }
      if (reply.type == FZ_REPLY_MIDI)
        {
          g_assert_cmpuint (reply.frame, ==, 256 + 77);
          g_assert_cmpuint (reply.slot, ==, 1);
          g_assert_cmpuint (reply.seq, ==, (0x90u << 24) | (36u << 16) | 127u);
          midi++;
        }
      fz_sample_unref (reply.sample);
    }
  g_assert_cmpuint (started, ==, 1);
  g_assert_cmpuint (midi, ==, 1);
  fz_core_free (core);
}

static void
test_core_inbox_full (void)
{
  FzCore *core = mapped_core ();
  const guint8 cc[] = { 0xb0, 1, 1 };
  float out[64];

  for (guint i = 0; i < FZ_MIDI_INBOX_CAPACITY + 5; i++)
    fz_core_midi_input (core, cc, sizeof cc, 0);
  g_assert_cmpuint (fz_core_get_midi_dropped (core), ==, 5);
  fz_core_process (core, out, 64, 0);
  /* A later event waits for its period. */
  fz_core_midi_input (core, cc, sizeof cc, 1000);
  fz_core_process (core, out, 64, 0);
  g_assert_cmpuint (core->midi.n_inbox, ==, 1);
  fz_core_free (core);
}

/* A controller moves a slot's gain, isolator and speed on the audio
 * thread (fz-midi-in.c); a parameter set later through the API for
 * another of the slot's values (its loop, its retrigger policy, its
 * isolator) takes only that value: the controller's others stay where
 * the controller left them.  (Every value of a marked cell used to be
 * applied again: a loop set from the UI snapped a gain knob back.) */
static void
test_core_controllers_kept (void)
{
  FzCore *core = mapped_core ();
  FzMidiMap *map = fz_midi_map_new ();
  const FzMidiTarget targets[] = { FZ_MIDI_TARGET_GAIN, FZ_MIDI_TARGET_EQ_LOW,
                                   FZ_MIDI_TARGET_SPEED };
  const guint8 ccs[] = { 0xb0, 20, 64, 0xb0, 21, 64, 0xb0, 22, 64 };
  const FzSlot *slot = &core->mixer.slots[0];
  float out[64];

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      FzMidiCcMap *cc = &map->ccs[i];

      *cc = (FzMidiCcMap) { .channel = FZ_MIDI_ANY_CHANNEL, .number = 20 + i,
                            .target = targets[i], .slot = 0 };
      for (guint v = 0; v < 128; v++)
        cc->table[v] = 0.25f + v / 254.0f;
    }
  map->n_ccs = G_N_ELEMENTS (targets);
  fz_midi_map_index (map);
  fz_core_set_midi_map (core, map);
  fz_params_set_eq (&core->params, 0, 1.0f, 0.5f, 1.0f);
  fz_core_process (core, out, 64, 0);
  g_assert_cmpfloat (core->eq.slots[0].mid, ==, 0.5f);

  fz_core_midi_input (core, ccs, sizeof ccs, 64);
  fz_core_process (core, out, 64, 0);
  g_assert_cmpfloat (slot->gain.target, ==, 0.25f + 64 / 254.0f);
  g_assert_cmpfloat (core->eq.slots[0].low, ==, 0.25f + 64 / 254.0f);
  g_assert_cmpfloat (slot->speed, ==, (double) (0.25f + 64 / 254.0f));

  fz_params_set_loop (&core->params, 0, true, 0, 1024);
  fz_params_set_retrigger (&core->params, 0, FZ_RETRIGGER_RESTART);
  fz_core_process (core, out, 64, 0);
  g_assert_true (slot->loop);
  g_assert_cmpuint (slot->retrigger, ==, FZ_RETRIGGER_RESTART);
  g_assert_cmpfloat (slot->gain.target, ==, 0.25f + 64 / 254.0f);
  g_assert_cmpfloat (core->eq.slots[0].low, ==, 0.25f + 64 / 254.0f);
  g_assert_cmpfloat (slot->speed, ==, (double) (0.25f + 64 / 254.0f));

  /* The isolator set again takes all three of its bands, as set. */
  fz_params_set_eq (&core->params, 0, 1.0f, 0.5f, 1.0f);
  fz_core_process (core, out, 64, 0);
  g_assert_cmpfloat (core->eq.slots[0].low, ==, 1.0f);
  g_assert_cmpfloat (slot->gain.target, ==, 0.25f + 64 / 254.0f);
  fz_core_free (core);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/midi/channel-messages", test_channel_messages);
  g_test_add_func ("/core/midi/running-status", test_running_status);
  g_test_add_func ("/core/midi/sysex-skipped", test_sysex_skipped);
  g_test_add_func ("/core/midi/malformed-counted", test_malformed_counted);
  g_test_add_func ("/core/midi/map-lookup", test_map_lookup);
  g_test_add_func ("/core/midi/frame-exact", test_core_frame_exact);
  g_test_add_func ("/core/midi/inbox-full", test_core_inbox_full);
  g_test_add_func ("/core/midi/controllers-kept", test_core_controllers_kept);
  return g_test_run ();
}
