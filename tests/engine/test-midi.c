/* test-midi.c: MIDI input on offline engines, exact to the frame: the
 * map's text form and its errors, injected note-ons at their frames,
 * quantized, gates, velocity curves, controllers, banks, the midi-event
 * signal and the counters of malformed input
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <glib/gstdio.h>
#include <jack/jack.h>
#include <jack/midiport.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"
#include "fz-tsan.h"

#define PERIOD 256
#define VALUE 0.5f
#define RATE_FRAMES 48000

typedef FlitzisTestOffline Fixture;

static const char *const map_text =
  "flitzis-midi-map 1\n"
  "# a comment, and blank lines\n"
  "\n"
  "bank-size 2\n"
  "note 36 slot 0\n"
  "note 37 channel 10 slot 1 velocity fixed 0.5 gate\n"
  "note 38 channel any slot 1 velocity curve 2\n"
  "cc 7 volume\n"
  "cc 8 channel 2 gain 1 range 0 2\n"
  "cc 74 eq-low 0 range -60 6\n"
  "cc 20 tempo range 60 180\n"
  "cc 21 speed 0\n"
  "program 1 bank 1\n";

static const char *const map_printed =
  "flitzis-midi-map 1\n"
  "bank-size 2\n"
  "note 36 slot 0\n"
  "note 37 channel 10 slot 1 velocity fixed 0.5 gate\n"
  "note 38 slot 1 velocity curve 2\n"
  "cc 7 volume range 0 1\n"
  "cc 8 channel 2 gain 1 range 0 2\n"
  "cc 74 eq-low 0 range -60 6\n"
  "cc 20 tempo range 60 180\n"
  "cc 21 speed 0 range 0.5 2\n"
  "program 1 bank 1\n";

static void
set_map_ok (FlitzisAudioEngine *engine, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_set_midi_map_from_string (engine, text, &error));
  g_assert_no_error (error);
}

static void
inject_ok (FlitzisAudioEngine *engine, const guint8 *bytes, gsize n, guint64 frame)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_inject_midi (engine, bytes, n, frame, &error));
  g_assert_no_error (error);
}

#define INJECT(engine, frame, ...) \
  inject_ok (engine, (const guint8[]) { __VA_ARGS__ }, \
             sizeof ((const guint8[]) { __VA_ARGS__ }), frame)

static void
test_map_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autofree char *empty = flitzis_audio_engine_dup_midi_map_string (fixture->engine);
  g_autofree char *printed = NULL;
  g_autofree char *again = NULL;

  (void) data;
  g_assert_cmpstr (empty, ==, "flitzis-midi-map 1\n");
  set_map_ok (fixture->engine, map_text);
  printed = flitzis_audio_engine_dup_midi_map_string (fixture->engine);
  g_assert_cmpstr (printed, ==, map_printed);
  set_map_ok (fixture->engine, printed);
  again = flitzis_audio_engine_dup_midi_map_string (fixture->engine);
  g_assert_cmpstr (again, ==, printed);
}

static void
assert_refused (FlitzisAudioEngine *engine, const char *text, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = flitzis_audio_engine_dup_midi_map_string (engine);
  g_autofree char *after = NULL;

  g_assert_false (flitzis_audio_engine_set_midi_map_from_string (engine, text, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_MIDI_MAP);
  g_assert_cmpstr (error->message, ==, message);
  after = flitzis_audio_engine_dup_midi_map_string (engine);
  g_assert_cmpstr (after, ==, before);
}

static void
test_map_errors (Fixture *fixture, gconstpointer data)
{
  FlitzisAudioEngine *engine = fixture->engine;

  (void) data;
  set_map_ok (engine, "flitzis-midi-map 1\nnote 1 slot 1\n");
  assert_refused (engine, "", "MIDI map:1: a MIDI map starts with “flitzis-midi-map 1”");
  assert_refused (engine, "flitzis-midi-map 2\n",
                  "MIDI map:1: a MIDI map starts with “flitzis-midi-map 1”");
  assert_refused (engine, "flitzis-midi-map 1\n\nnote 128 slot 0\n",
                  "MIDI map:3: Note “128” is not allowed: give a whole number from 0 to 127");
  assert_refused (engine, "flitzis-midi-map 1\nnote 36 slot 32\n",
                  "MIDI map:2: slot 32 is not below the engine’s 32 slots");
  assert_refused (engine, "flitzis-midi-map 1\nnote 36 channel 0 slot 1\n",
                  "MIDI map:2: channel 0 is not allowed: channels run from 1 to 16, or “any”");
  assert_refused (engine, "flitzis-midi-map 1\nnote 36 channel 17 slot 1\n",
                  "MIDI map:2: Channel “17” is not allowed: give a whole number from 0 to 16");
  assert_refused (engine, "flitzis-midi-map 1\nnote 36 0\n",
                  "MIDI map:2: a note needs its slot: write “note NOTE [channel C] slot S "
                  "[velocity linear|fixed G|curve E] [gate]”");
  assert_refused (engine, "flitzis-midi-map 1\nnote 36 slot 0 velocity loud\n",
                  "MIDI map:2: “velocity” takes “linear”, “fixed GAIN” or “curve EXPONENT”, "
                  "not “loud”");
  assert_refused (engine, "flitzis-midi-map 1\nnote 36 slot 0 velocity fixed 2\n",
                  "MIDI map:2: Velocity “2” is out of range: it must be from 0 to 1");
  assert_refused (engine, "flitzis-midi-map 1\nnote 36 slot 0 gate extra\n",
                  "MIDI map:2: unexpected “extra”: write “note NOTE [channel C] slot S "
                  "[velocity linear|fixed G|curve E] [gate]”");
  assert_refused (engine, "flitzis-midi-map 1\ncc 7 loudness\n",
                  "MIDI map:2: “loudness” is not a controller’s target: write “cc NUMBER "
                  "[channel C] volume|tempo|gain S|eq-low S|eq-mid S|eq-high S|speed S "
                  "[range MIN MAX]”");
  assert_refused (engine, "flitzis-midi-map 1\ncc 7 tempo range 10 100\n",
                  "MIDI map:2: Range “10” is out of range: it must be from 20 to 400");
  assert_refused (engine, "flitzis-midi-map 1\nprogram 1 bank\n",
                  "MIDI map:2: Bank “” is not allowed: give a whole number from 0 to 31");
  assert_refused (engine, "flitzis-midi-map 1\nsample 1\n",
                  "MIDI map:2: unknown statement “sample”: a map has “note”, “cc”, "
                  "“program” and “bank-size” lines");
}

static void
test_map_files (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "pads.midimap", NULL);
  g_autofree char *bad = flitzis_test_write_text (fixture->dir, "bad.midimap",
                                                  "flitzis-midi-map 1\nnote x slot 0\n");
  g_autofree char *saved = NULL;
  g_autofree char *loaded = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;

  (void) data;
  set_map_ok (fixture->engine, map_text);
  g_assert_true (flitzis_audio_engine_save_midi_map (fixture->engine, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_cmpstr (saved, ==, map_printed);
  set_map_ok (fixture->engine, "flitzis-midi-map 1\n");
  g_assert_true (flitzis_audio_engine_load_midi_map (fixture->engine, path, &error));
  g_assert_no_error (error);
  loaded = flitzis_audio_engine_dup_midi_map_string (fixture->engine);
  g_assert_cmpstr (loaded, ==, map_printed);
  g_assert_false (flitzis_audio_engine_load_midi_map (fixture->engine, bad, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_MIDI_MAP);
  expected = g_strdup_printf ("%s:2: Note “x” is not allowed: give a whole number from 0 "
                              "to 127", bad);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_load_midi_map (fixture->engine, "/nonexistent/map",
                                                      &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* Slots 0 to 3 hold constant samples of VALUE, 4000 frames long. */
static void
load_pads (Fixture *fixture)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "pad.wav", 4000, VALUE);

  for (guint slot = 0; slot < 4; slot++)
    flitzis_test_load_ok (fixture->engine, slot, path);
}

static float *
render (Fixture *fixture, gsize frames)
{
  float *left = g_new (float, frames);
  float period[PERIOD * 2];

  for (gsize done = 0; done < frames; done += PERIOD)
    {
      flitzis_test_render_ok (fixture->engine, period, PERIOD);
      for (gsize f = 0; f < PERIOD && done + f < frames; f++)
        left[done + f] = period[2 * f];
    }
  return left;
}

static void
test_frame_exact (Fixture *fixture, gconstpointer data)
{
  const char *const expected[] = { "started 0 300", "started 0 1000", "started 0 1023", NULL };
  g_autofree float *out = NULL;

  (void) data;
  load_pads (fixture);
  set_map_ok (fixture->engine, map_text);
  /* Three note-ons, one inject each, and running status for the last
   * two's: at offsets 44 of period 1, 232 of period 3, 255 of period 3. */
  INJECT (fixture->engine, 300, 0x90, 36, 127);
  INJECT (fixture->engine, 1000, 0x90, 36, 127);
  INJECT (fixture->engine, 1023, 36, 127);
  out = render (fixture, 4 * PERIOD);
  g_assert_cmpint (flitzis_test_first_sound (out, 4 * PERIOD, 1), ==, 300);
  g_assert_cmpfloat (out[299], ==, 0.0f);
  g_assert_cmpfloat (out[300], ==, VALUE);
  g_assert_cmpfloat (out[999], ==, VALUE);
  g_assert_cmpfloat (out[1000], ==, 2 * VALUE);
  g_assert_cmpfloat (out[1023], ==, 3 * VALUE);
  flitzis_test_assert_events (fixture, expected);
}

static void
test_quantized (Fixture *fixture, gconstpointer data)
{
  /* 120 BPM at 48 kHz: a beat is 24000 frames, a sixteenth 6000. */
  const char *const expected[] = { "started 0 6000", "finished 0 10000", "started 1 12000",
                                   NULL };
  g_autofree float *out = NULL;

  (void) data;
  load_pads (fixture);
  set_map_ok (fixture->engine, map_text);
  g_assert_true (flitzis_audio_engine_set_tempo (fixture->engine, 120.0, NULL));
  flitzis_audio_engine_set_quantize (fixture->engine, FLITZIS_QUANTIZE_SIXTEENTH);
  INJECT (fixture->engine, 100, 0x90, 36, 127);
  INJECT (fixture->engine, 6001, 0x90, 38, 127);
  out = render (fixture, 12288);
  g_assert_cmpint (flitzis_test_first_sound (out, 12288, 1), ==, 6000);
  flitzis_test_assert_events (fixture, expected);
}

static void
test_gate_and_velocity (Fixture *fixture, gconstpointer data)
{
  const char *const expected[] = { "started 1 100", "finished 1 840", NULL };
  g_autofree float *out = NULL;

  (void) data;
  load_pads (fixture);
  set_map_ok (fixture->engine, map_text);
  /* Note 37 on channel 10: fixed velocity 0.5, gate.  A note-on of
   * velocity 0 is its note-off: the slot fades out over 240 frames (5 ms)
   * from frame 600.  The same on another channel maps nothing. */
  INJECT (fixture->engine, 100, 0x99, 37, 10);
  INJECT (fixture->engine, 200, 0x90, 37, 127);
  INJECT (fixture->engine, 600, 0x99, 37, 0);
  out = render (fixture, 1024);
  g_assert_cmpfloat (out[100], ==, 0.5f * VALUE);
  g_assert_cmpfloat (out[599], ==, 0.5f * VALUE);
  g_assert_cmpfloat (out[700], <, 0.5f * VALUE);
  g_assert_cmpfloat (out[840], ==, 0.0f);
  flitzis_test_assert_events (fixture, expected);
}

static void
test_curve (Fixture *fixture, gconstpointer data)
{
  g_autofree float *out = NULL;
  float velocity = 64.0f / 127.0f;

  (void) data;
  load_pads (fixture);
  set_map_ok (fixture->engine, map_text);
  /* Note 38: (64 / 127)^2; note 36: linear, 64 / 127. */
  INJECT (fixture->engine, 10, 0x90, 38, 64);
  INJECT (fixture->engine, 600, 0x90, 36, 64);
  out = render (fixture, 1024);
  g_assert_cmpfloat_with_epsilon (out[10], VALUE * velocity * velocity, 1e-6);
  g_assert_cmpfloat_with_epsilon (out[600] - out[599], VALUE * velocity, 1e-6);
}

static void
test_controllers (Fixture *fixture, gconstpointer data)
{
  g_autofree float *out = NULL;

  (void) data;
  load_pads (fixture);
  set_map_ok (fixture->engine, map_text);
  INJECT (fixture->engine, 0, 0x90, 36, 127);
  /* cc 7 to 0: the master volume ramps to 0 from the period that takes
   * it; cc 20 sets the tempo (60 to 180 over 0 to 127). */
  INJECT (fixture->engine, 300, 0xb0, 7, 0, 0xb0, 20, 127);
  out = render (fixture, 2048);
  g_assert_cmpfloat (out[255], ==, VALUE);
  g_assert_cmpfloat (out[2047], ==, 0.0f);
  g_assert_cmpfloat (flitzis_audio_engine_get_volume (fixture->engine), ==, 1.0);
  /* From frame 256 on at 180 BPM (16000 frames a beat) instead of 120:
   * the first beat after it, 0.98933 beats on, at 16086 instead of 24000. */
  g_assert_cmpuint (flitzis_audio_engine_get_grid_frame (fixture->engine, FLITZIS_QUANTIZE_BEAT,
                                                         300), ==, 16086);
}

/* cc 21 sets slot 0's speed (0.5 to 2 over 0 to 127): a playing voice
 * sounds as it does with set_sample_speed() of the same value before the
 * period that takes the controller, bit for bit, and not as at speed 1. */
static float *
render_reference (const char *path, double speed)
{
  FlitzisAudioEngine *engine = flitzis_audio_engine_new_offline (RATE_FRAMES, 2);
  g_autoptr (GError) error = NULL;
  float *out;

  flitzis_test_run_ok (engine);
  flitzis_test_load_ok (engine, 0, path);
  flitzis_test_play_ok (engine, 0, 1.0f);
  g_free (flitzis_test_render_left (engine, PERIOD));
  g_assert_true (flitzis_audio_engine_set_sample_speed (engine, 0, speed, &error));
  g_assert_no_error (error);
  out = flitzis_test_render_left (engine, 8 * PERIOD);
  flitzis_audio_engine_shut_down (engine);
  g_assert_finalize_object (engine);
  return out;
}

static void
test_speed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_sample (fixture->dir, "speed.wav", RATE_FRAMES, 1,
                                                     8192, 7, 0.5f);
  g_autofree float *by_midi = NULL;
  g_autofree float *by_call = render_reference (path, 2.0);
  g_autofree float *unsped = render_reference (path, 1.0);

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  set_map_ok (fixture->engine, map_text);
  flitzis_test_play_ok (fixture->engine, 0, 1.0f);
  g_free (render (fixture, PERIOD));
  INJECT (fixture->engine, PERIOD + 100, 0xb0, 21, 127);
  by_midi = render (fixture, 8 * PERIOD);
  g_assert_cmpmem (by_midi, 8 * PERIOD * sizeof (float), by_call, 8 * PERIOD * sizeof (float));
  g_assert_true (memcmp (by_midi, unsped, 8 * PERIOD * sizeof (float)) != 0);
}

static void
test_banks (Fixture *fixture, gconstpointer data)
{
  const char *const expected[] = { "started 0 10", "started 2 300", NULL };
  g_autofree float *out = NULL;

  (void) data;
  load_pads (fixture);
  set_map_ok (fixture->engine, map_text);
  /* Bank 0, then program 1: bank 1 of 2 slots, note 36 plays slot 2. */
  INJECT (fixture->engine, 10, 0x90, 36, 127);
  INJECT (fixture->engine, 200, 0xc0, 1);
  INJECT (fixture->engine, 300, 0x90, 36, 127);
  out = render (fixture, 512);
  flitzis_test_assert_events (fixture, expected);
}

typedef struct {
  GString *seen;
  guint n;
} MidiEvents;

static void
on_midi_event (FlitzisAudioEngine *engine, guint channel, guint type, guint number, guint value,
               guint64 frame, gpointer data)
{
  MidiEvents *events = data;

  (void) engine;
  g_string_append_printf (events->seen, "%u %02x %u %u %" G_GUINT64_FORMAT "; ", channel, type,
                          number, value, frame);
  events->n++;
}

static gboolean
has_events (gpointer data)
{
  return ((MidiEvents *) data)->n >= 6;
}

static void
test_signal (Fixture *fixture, gconstpointer data)
{
  MidiEvents events = { g_string_new (NULL), 0 };
  g_autoptr (FlitzisEngineStats) stats = NULL;
  g_autofree float *out = NULL;

  (void) data;
  g_signal_connect (fixture->engine, "midi-event", G_CALLBACK (on_midi_event), &events);
  /* No map: every event is still reported, in order, at its frame (one
   * that has passed: the first frame of the period that takes it);
   * SysEx and clock bytes are not; the last data byte runs on channel
   * pressure's status. */
  out = render (fixture, PERIOD);
  INJECT (fixture->engine, 10, 0x95, 60, 1, 0xf0, 1, 2, 0xf7, 0xf8, 0xe1, 0, 0x40);
  INJECT (fixture->engine, 300, 0xb2, 1, 2, 0xcf, 9, 0xdf, 100, 0x33);
  g_free (render (fixture, 2 * PERIOD));
  g_assert_true (flitzis_test_wait_until (NULL, has_events, &events, 5000));
  g_assert_cmpstr (events.seen->str, ==,
                   "6 90 60 1 256; 2 e0 0 8192 256; 3 b0 1 2 300; 16 c0 9 0 300; "
                   "16 d0 100 0 300; 16 d0 51 0 300; ");
  stats = flitzis_audio_engine_get_stats (fixture->engine);
  g_assert_cmpuint (flitzis_engine_stats_get_midi_errors (stats), ==, 0);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_midi (stats), ==, 0);
  g_string_free (events.seen, TRUE);
}

static void
test_malformed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FlitzisEngineStats) stats = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree float *out = NULL;

  (void) data;
  /* A stray data byte, a truncated SysEx, an undefined status. */
  INJECT (fixture->engine, 0, 0x33, 0xf0, 1, 0x90, 36, 1, 0xf4);
  out = render (fixture, PERIOD);
  stats = flitzis_audio_engine_get_stats (fixture->engine);
  g_assert_cmpuint (flitzis_engine_stats_get_midi_errors (stats), ==, 3);
  g_assert_false (flitzis_audio_engine_inject_midi (fixture->engine, (const guint8 *) "", 0, 0,
                                                    &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_false (flitzis_audio_engine_inject_midi (fixture->engine, (const guint8 *) "\x90", 1,
                                                    0, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  /* The counts of a run stay once it ends. */
  g_clear_pointer (&stats, flitzis_engine_stats_unref);
  stats = flitzis_audio_engine_get_stats (fixture->engine);
  g_assert_cmpuint (flitzis_engine_stats_get_midi_errors (stats), ==, 3);
  g_assert_false (flitzis_audio_engine_connect_midi_input (fixture->engine, "x:y", &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
}

static void
test_property (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  guint notified = 0;
  gboolean on;

  g_assert_false (flitzis_audio_engine_get_midi_input (engine));
  g_signal_connect (engine, "notify::midi-input", G_CALLBACK (flitzis_test_count_notify),
                    &notified);
  flitzis_audio_engine_set_midi_input (engine, TRUE);
  flitzis_audio_engine_set_midi_input (engine, TRUE);
  g_object_get (engine, "midi-input", &on, NULL);
  g_assert_true (on);
  g_assert_cmpuint (notified, ==, 1);
}

/* ---- live: a JACK client of the test's sends MIDI to the engine's port ---- */

#define MAX_SENT 4

/* The test's MIDI source: armed by the test with events at offsets, it
 * writes them into its next cycle's buffer and says which cycle that was
 * (its first frame, on the server's clock). */
typedef struct {
  jack_client_t *client;
  jack_port_t *port;
  guint8 events[MAX_SENT][3];
  jack_nframes_t offsets[MAX_SENT];
  guint n;
  atomic_bool armed;
  atomic_bool sent;
  _Atomic guint64 cycle;
} Sender;

static int
on_sender_process (jack_nframes_t frames, void *data)
{
  Sender *sender = data;
  void *buffer = jack_port_get_buffer (sender->port, frames);

  /* The engine's client reads this buffer later in the cycle, and this
   * one writes it again in the next: JACK orders both (in libjack, which
   * ThreadSanitizer does not see; flitzis/fz-tsan.h). */
  fz_tsan_acquire (buffer);
  jack_midi_clear_buffer (buffer);
  if (atomic_load (&sender->armed) && !atomic_load (&sender->sent))
    {
      for (guint i = 0; i < sender->n; i++)
        jack_midi_event_write (buffer, sender->offsets[i], sender->events[i], 3);
      atomic_store (&sender->cycle, jack_last_frame_time (sender->client));
      atomic_store (&sender->sent, true);
    }
  fz_tsan_release (buffer);
  return 0;
}

static Sender *
sender_open (void)
{
  Sender *sender = g_new0 (Sender, 1);

  sender->client = jack_client_open ("midi-sender", JackNoStartServer, NULL);
  g_assert_nonnull (sender->client);
  sender->port = jack_port_register (sender->client, "out", JACK_DEFAULT_MIDI_TYPE,
                                     JackPortIsOutput, 0);
  g_assert_nonnull (sender->port);
  jack_set_process_callback (sender->client, on_sender_process, sender);
  g_assert_cmpint (jack_activate (sender->client), ==, 0);
  return sender;
}

static void
sender_close (Sender *sender)
{
  jack_client_close (sender->client);
  g_free (sender);
}

static gboolean
sender_done (gpointer data)
{
  return atomic_load (&((Sender *) data)->sent);
}

/* Sends note-ons of @notes at @offsets of one cycle; returns its frame. */
static guint64
send_notes (Sender *sender, const guint8 *notes, const jack_nframes_t *offsets, guint n)
{
  atomic_store (&sender->sent, false);
  for (guint i = 0; i < n; i++)
    {
      sender->events[i][0] = 0x90;
      sender->events[i][1] = notes[i];
      sender->events[i][2] = 127;
      sender->offsets[i] = offsets[i];
    }
  sender->n = n;
  atomic_store (&sender->armed, true);
  g_assert_true (flitzis_test_wait_until (NULL, sender_done, sender, 5000));
  atomic_store (&sender->armed, false);
  return atomic_load (&sender->cycle);
}

/* What the engine reported of one play, from its messages: the frame its
 * first note-on was taken at, the first start of @slot, and whether the
 * server reported an xrun (on a loaded machine a period the engine's
 * client missed moves the engine's frames against the server's). */
typedef struct {
  guint64 note;
  guint64 started;
  gboolean xrun;
} Heard;

static Heard
hear (FlitzisAudioEngine *engine, guint slot)
{
  Heard heard = { G_MAXUINT64, G_MAXUINT64, FALSE };
  FlitzisMessage *message;

  while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
    {
      guint64 frame = flitzis_message_get_frame (message);

      FlitzisMessageKind kind = flitzis_message_get_kind (message);

      if (kind == FLITZIS_MESSAGE_KIND_MIDI_EVENT &&
          flitzis_message_get_count (message) >> 24 == 0x90 && heard.note == G_MAXUINT64)
        heard.note = frame;
      else if (kind == FLITZIS_MESSAGE_KIND_SAMPLE_STARTED &&
               flitzis_message_get_slot (message) == slot && heard.started == G_MAXUINT64)
        heard.started = frame;
      else if (kind == FLITZIS_MESSAGE_KIND_XRUN || kind == FLITZIS_MESSAGE_KIND_UNDERRUN)
        heard.xrun = TRUE;
      flitzis_message_unref (message);
    }
  return heard;
}

/* Slots 0 to 2 hold 0.125, 0.25 and 0.5 for a second: their sum says which
 * have started.  The capture's frame i is the server's frame first + i. */
static const float values[] = { 0.125f, 0.25f, 0.5f };
static const guint8 notes[] = { 36, 37, 38 };
static const jack_nframes_t offsets[] = { 0, 77, 201 };

/* Ends the last play's voices at once (stops are quantized too; a 5 ms
 * fade, from the next period) and forgets its messages. */
static void
end_voices (FlitzisAudioEngine *engine)
{
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_NONE);
  g_assert_true (flitzis_audio_engine_stop_all (engine, NULL));
  flitzis_test_wait_frames (NULL, engine, 4 * FLITZIS_TEST_PERIOD);
  (void) hear (engine, 0);
}

static gboolean
heard_level (const float *captured, guint64 frame, float expected)
{
  if (captured[2 * frame] == expected)
    return TRUE;
  g_test_message ("frame %" G_GUINT64_FORMAT " of the capture is %g, not %g", frame,
                  (double) captured[2 * frame], (double) expected);
  return FALSE;
}

/* Not quantized: each pad at its own offset of the cycle, to the frame.
 * Returns whether the capture matched; what the engine reported is in
 * @heard. */
static gboolean
play_at_offsets (FlitzisAudioEngine *engine, Sender *sender, Heard *heard)
{
  FlitzisTestJack *jack = flitzis_test_jack_shared (FLITZIS_TEST_RATE, FLITZIS_TEST_PERIOD);
  g_autofree float *captured = NULL;
  guint64 cycle, first, onset;
  gboolean matched = TRUE;
  gsize frames;

  end_voices (engine);
  flitzis_test_start_capture_with_silence (2 * RATE_FRAMES);
  cycle = send_notes (sender, notes, offsets, 3);
  /* Under valgrind the notes go out some cycles later than at full speed. */
  captured = flitzis_test_capture_for (8 * FLITZIS_TEST_PERIOD * flitzis_test_slowdown (), &frames);
  first = flitzis_test_jack_capture_first_frame (jack);
  *heard = hear (engine, 0);
  g_test_message ("cycle %" G_GUINT64_FORMAT ", capture from %" G_GUINT64_FORMAT
                  ", note taken at stream frame %" G_GUINT64_FORMAT, cycle, first, heard->note);
  g_assert_cmpuint (cycle, >, first);
  g_assert_cmpuint (cycle - first + 256, <, frames);
  /* The note at offset 0 starts its pad at the frame it was taken. */
  g_assert_cmpuint (heard->note, !=, G_MAXUINT64);
  g_assert_cmpuint (heard->started, ==, heard->note);
  onset = flitzis_test_onset (captured, frames, 0);
  if (onset != cycle - first)
    {
      g_test_message ("the capture starts at %" G_GUINT64_FORMAT ", not %" G_GUINT64_FORMAT,
                      onset, cycle - first);
      return FALSE;
    }
  for (guint i = 0; i < 3 && matched; i++)
    {
      float sum = 0.0f;

      for (guint j = 0; j <= i; j++)
        sum += values[j];
      matched = heard_level (captured, cycle - first + offsets[i], sum);
      if (matched && offsets[i] > 0)
        matched = heard_level (captured, cycle - first + offsets[i] - 1, sum - values[i]);
    }
  return matched;
}

/* Quantized: the note at offset 77 starts on the sixteenth's grid (6000
 * frames at 120 BPM), in the engine's frames, from the frame the note was
 * taken at; the capture hears it there. */
static gboolean
play_on_grid (FlitzisAudioEngine *engine, Sender *sender, Heard *heard)
{
  FlitzisTestJack *jack = flitzis_test_jack_shared (FLITZIS_TEST_RATE, FLITZIS_TEST_PERIOD);
  g_autofree float *captured = NULL;
  guint64 cycle, first, grid, stream_minus_jack, onset;
  gsize frames;

  end_voices (engine);
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_SIXTEENTH);
  flitzis_test_start_capture_with_silence (2 * RATE_FRAMES);
  cycle = send_notes (sender, &notes[1], &offsets[1], 1);
  captured = flitzis_test_capture_for (8 * FLITZIS_TEST_PERIOD * flitzis_test_slowdown () + 6000,
                                       &frames);
  first = flitzis_test_jack_capture_first_frame (jack);
  *heard = hear (engine, 1);
  g_assert_cmpuint (heard->note, !=, G_MAXUINT64);
  stream_minus_jack = heard->note - (cycle + offsets[1]);
  grid = flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_SIXTEENTH, heard->note);
  g_test_message ("note at stream frame %" G_GUINT64_FORMAT ", grid %" G_GUINT64_FORMAT,
                  heard->note, grid);
  g_assert_cmpuint (grid % 6000, ==, 0);
  g_assert_cmpuint (heard->started, ==, grid);
  g_assert_cmpuint (grid - stream_minus_jack - first + 1, <, frames);
  onset = flitzis_test_onset (captured, frames, 0);
  if (onset != grid - stream_minus_jack - first)
    {
      g_test_message ("the capture starts at %" G_GUINT64_FORMAT ", not %" G_GUINT64_FORMAT,
                      onset, grid - stream_minus_jack - first);
      return FALSE;
    }
  return heard_level (captured, onset, values[1]);
}

/* One play of test_live(): @play with @engine and @sender. */
typedef struct {
  FlitzisAudioEngine *engine;
  Sender *sender;
  gboolean (*play) (FlitzisAudioEngine *engine, Sender *sender, Heard *heard);
} LivePlay;

/* A FlitzisTestPlay: disturbed when the engine reported an xrun or an
 * underrun meanwhile, or the capture missed a cycle. */
static gboolean
play_live (gpointer data, gboolean *disturbed)
{
  const LivePlay *live = data;
  guint64 xruns = flitzis_test_count (live->engine, flitzis_engine_stats_get_xruns);
  Heard heard;
  gboolean matched = live->play (live->engine, live->sender, &heard);

  *disturbed = flitzis_test_jack_disturbed_since (flitzis_test_jack_shared (FLITZIS_TEST_RATE,
                                                                            FLITZIS_TEST_PERIOD),
                                                  live->engine, xruns) ||
               heard.xrun;
  return matched;
}

static void
assert_plays_live (FlitzisAudioEngine *engine, Sender *sender,
                   gboolean (*play) (FlitzisAudioEngine *, Sender *, Heard *))
{
  LivePlay live = { engine, sender, play };

  flitzis_test_play_until_matched (play_live, &live);
}

static void
test_live (FlitzisTestLive *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Sender *sender = sender_open ();

  (void) data;
  flitzis_audio_engine_set_midi_input (fixture->engine, TRUE);
  g_assert_true (flitzis_audio_engine_set_tempo (fixture->engine, 120.0, NULL));
  flitzis_test_run_ok (fixture->engine);
  for (guint slot = 0; slot < 3; slot++)
    {
      g_autofree char *name = g_strdup_printf ("pad%u.wav", slot);
      g_autofree char *path = flitzis_test_write_constant (fixture->dir, name, RATE_FRAMES,
                                                           values[slot]);

      flitzis_test_load_ok (fixture->engine, slot, path);
    }
  set_map_ok (fixture->engine, "flitzis-midi-map 1\nnote 36 slot 0 velocity fixed 1\n"
                               "note 37 slot 1 velocity fixed 1\nnote 38 slot 2 velocity fixed 1\n"
                               "note 39 slot 3\n");
  g_assert_true (flitzis_audio_engine_connect_midi_input (fixture->engine, "midi-sender:out",
                                                          &error));
  g_assert_no_error (error);
  g_assert_false (flitzis_audio_engine_connect_midi_input (fixture->engine, "nobody:here",
                                                           &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE);
  g_clear_error (&error);

  assert_plays_live (fixture->engine, sender, play_at_offsets);
  assert_plays_live (fixture->engine, sender, play_on_grid);
  flitzis_audio_engine_shut_down (fixture->engine);
  sender_close (sender);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/midi/map/round-trip", test_map_round_trip);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/midi/map/errors", test_map_errors);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/midi/map/files", test_map_files);
  FLITZIS_TEST_ADD_EVENTS ("/engine/midi/frame-exact", test_frame_exact);
  FLITZIS_TEST_ADD_EVENTS ("/engine/midi/quantized", test_quantized);
  FLITZIS_TEST_ADD_EVENTS ("/engine/midi/gate-and-velocity", test_gate_and_velocity);
  FLITZIS_TEST_ADD_EVENTS ("/engine/midi/curve", test_curve);
  FLITZIS_TEST_ADD_EVENTS ("/engine/midi/controllers", test_controllers);
  FLITZIS_TEST_ADD_EVENTS ("/engine/midi/banks", test_banks);
  FLITZIS_TEST_ADD_EVENTS ("/engine/midi/speed", test_speed);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/midi/signal", test_signal);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/midi/malformed", test_malformed);
  g_test_add_func ("/engine/midi/property", test_property);
  FLITZIS_TEST_ADD_LIVE ("/engine/midi/jack/frame-exact", test_live);
  status = g_test_run ();
  flitzis_test_jack_shared_stop ();
  return status;
}
