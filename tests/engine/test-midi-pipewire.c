/* test-midi-pipewire.c: MIDI input on the native PipeWire back-end, on a
 * private PipeWire session (flitzis-test-pipewire.h): a MIDI source node
 * of the test's (a pw_filter with a MIDI output port) sends note-ons at
 * known offsets of one cycle to the engine's own node, and the sink's
 * monitor shows each pad starting at exactly that frame, quantized and not
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-pipewire.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD

static FlitzisTestPipewire *session;

/* ---- what the engine reports ---- */

typedef struct {
  guint64 note_frames[128];      /* the midi-event of each note-on, G_MAXUINT64: none */
  guint64 started[4];            /* sample-started of slots 0 to 3 */
  guint notes;
  guint starts;
} Seen;

static void
seen_reset (Seen *seen)
{
  for (guint i = 0; i < G_N_ELEMENTS (seen->note_frames); i++)
    seen->note_frames[i] = G_MAXUINT64;
  for (guint i = 0; i < G_N_ELEMENTS (seen->started); i++)
    seen->started[i] = G_MAXUINT64;
  seen->notes = seen->starts = 0;
}

static void
on_midi_event (FlitzisAudioEngine *engine, guint channel, guint type, guint number, guint value,
               guint64 frame, gpointer data)
{
  Seen *seen = data;

  (void) engine; (void) channel; (void) value;
  if (type == 0x90 && number < 128)
    {
      seen->note_frames[number] = frame;
      seen->notes++;
    }
}

static void
on_sample_started (FlitzisAudioEngine *engine, guint slot, guint64 frame, gpointer data)
{
  Seen *seen = data;

  (void) engine;
  if (slot < G_N_ELEMENTS (seen->started) && seen->started[slot] == G_MAXUINT64)
    {
      seen->started[slot] = frame;
      seen->starts++;
    }
}

typedef struct {
  Seen *seen;
  guint notes, starts;
} SeenTarget;

static gboolean
seen_enough (gpointer data)
{
  SeenTarget *target = data;

  return target->seen->notes >= target->notes && target->seen->starts >= target->starts;
}

typedef struct {
  gsize frames;
} CaptureTarget;

static gboolean
captured_enough (gpointer data)
{
  return flitzis_test_pipewire_capture_frames (session) >= ((CaptureTarget *) data)->frames;
}

/* Records the sink's monitor while @notes are sent at @offsets; returns
 * the capture from the first of it, after @after frames more.  On a
 * loaded machine a node of the graph can be late and the driver go on
 * without it: the cycle that carried the notes is gone.  The engine counts
 * that as an xrun (fz-pipewire.c), and only such an xrun excuses notes not
 * heard: they are sent again, up to FLITZIS_TEST_MAX_CAPTURES times. */
static float *
capture_notes (FlitzisAudioEngine *engine, FlitzisTestPwMidiSource *source, Seen *seen,
               const guint8 *notes, const guint32 *offsets, guint n, gsize after, gsize *frames)
{
  CaptureTarget target = { 4 * PERIOD };
  SeenTarget reported = { seen, n, n };
  guint8 events[FLITZIS_TEST_PW_MIDI_MAX][3];

  for (guint i = 0; i < n; i++)
    {
      events[i][0] = 0x90;
      events[i][1] = notes[i];
      events[i][2] = 127;
    }
  for (guint attempt = 1;; attempt++)
    {
      guint64 xruns;

      seen_reset (seen);
      flitzis_test_pipewire_capture_start (session, 4 * RATE);
      g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &target, 10000));
      xruns = flitzis_test_count (engine, flitzis_engine_stats_get_xruns);
      flitzis_test_pw_midi_source_send (source, events, offsets, n);
      if (flitzis_test_wait_until (NULL, seen_enough, &reported, 5000))
        break;
      g_test_message ("attempt %u: %u of %u notes and %u starts reported, %" G_GUINT64_FORMAT
                      " xruns", attempt, seen->notes, n, seen->starts,
                      flitzis_test_count (engine, flitzis_engine_stats_get_xruns) - xruns);
      g_assert_cmpuint (seen->notes, ==, 0);
      g_assert_cmpuint (flitzis_test_count (engine, flitzis_engine_stats_get_xruns), >, xruns);
      g_assert_cmpuint (attempt, <, FLITZIS_TEST_MAX_CAPTURES);
      g_free (flitzis_test_pipewire_capture_stop (session, frames));
    }
  target.frames = flitzis_test_pipewire_capture_frames (session) + after + 16 * PERIOD;
  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &target, 20000));
  return flitzis_test_pipewire_capture_stop (session, frames);
}

/* ---- the test ---- */

/* Whether the sink's monitor hears every cycle the engine renders.  Under
 * valgrind (make check-valgrind) this process runs some 8 times slower
 * than the private PipeWire paces its graph, so the engine's filter and
 * the monitor both miss cycles and the capture has gaps; under a
 * sanitizer (make check-asan, check-tsan) the capture's own client, in
 * this process, can miss one.  The engine's own frames (midi-event,
 * sample-started) are still checked to the frame, the capture only when
 * nothing is instrumented (make check). */
static gboolean
capture_is_exact (void)
{
  return !flitzis_test_instrumented ();
}

/* Slots 0 to 2 hold 0.125, 0.25 and 0.5 for a second: their sum says which
 * have started. */
static void
test_frame_exact (void)
{
  const float values[] = { 0.125f, 0.25f, 0.5f };
  const guint8 notes[] = { 36, 37, 38 };
  const guint32 offsets[] = { 0, 77, 201 };
  FlitzisAudioEngine *engine = flitzis_audio_engine_new ();
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autoptr (GError) error = NULL;
  g_autofree float *captured = NULL;
  FlitzisTestPwMidiSource *source = flitzis_test_pw_midi_source_new ();
  Seen seen;
  guint64 cycle, grid;
  gssize onset;
  gsize frames;

  seen_reset (&seen);
  flitzis_audio_engine_set_backend (engine, FLITZIS_BACKEND_PIPEWIRE);
  flitzis_audio_engine_set_period_frames (engine, PERIOD);
  flitzis_audio_engine_set_midi_input (engine, TRUE);
  g_assert_true (flitzis_audio_engine_set_tempo (engine, 120.0, NULL));
  g_signal_connect (engine, "midi-event", G_CALLBACK (on_midi_event), &seen);
  g_signal_connect (engine, "sample-started", G_CALLBACK (on_sample_started), &seen);
  flitzis_test_run_ok (engine);
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (engine), ==,
                   FLITZIS_BACKEND_PIPEWIRE);
  for (guint slot = 0; slot < 3; slot++)
    {
      g_autofree char *name = g_strdup_printf ("pad%u.wav", slot);
      g_autofree char *path = flitzis_test_write_constant (dir, name, RATE, values[slot]);

      flitzis_test_load_ok (engine, slot, path);
    }
  g_assert_true (flitzis_audio_engine_set_midi_map_from_string (
    engine, "flitzis-midi-map 1\nnote 36 slot 0 velocity fixed 1\n"
            "note 37 slot 1 velocity fixed 1\nnote 38 slot 2 velocity fixed 1\n", &error));
  g_assert_no_error (error);

  /* Connected by name, as pw-link names ports; a wrong name says so. */
  g_assert_false (flitzis_audio_engine_connect_midi_input (engine, "nobody:here", &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE);
  g_clear_error (&error);
  g_assert_true (flitzis_audio_engine_connect_midi_input (engine, FLITZIS_TEST_PW_MIDI_SOURCE, &error));
  g_assert_no_error (error);
  /* Linked, the source runs in the engine's graph. */
  flitzis_test_pw_midi_source_wait_cycles (source, 8);

  /* Not quantized: each note's frame is its offset in the cycle that took
   * it (the cycle's first frame a multiple of the quantum), its pad starts
   * there, and the capture has each step exactly that many frames apart. */
  captured = capture_notes (engine, source, &seen, notes, offsets, 3, 0, &frames);
  cycle = seen.note_frames[36];
  g_test_message ("notes at %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT,
                  seen.note_frames[36], seen.note_frames[37], seen.note_frames[38]);
  g_assert_cmpuint (cycle % PERIOD, ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (seen.note_frames[notes[i]], ==, cycle + offsets[i]);
      g_assert_cmpuint (seen.started[i], ==, cycle + offsets[i]);
    }
  if (capture_is_exact ())
    {
      onset = flitzis_test_first_sound (captured, frames, 2);
      g_assert_cmpint (onset, >, 0);
      g_assert_cmpuint ((gsize) onset + offsets[2] + PERIOD, <, frames);
      for (guint i = 0; i < 3; i++)
        {
          float sum = 0.0f;

          for (guint j = 0; j <= i; j++)
            sum += values[j];
          g_assert_cmpfloat (captured[2 * (onset + offsets[i])], ==, sum);
          g_assert_cmpfloat (captured[2 * (onset + offsets[i]) + 1], ==, sum);
          if (i > 0)
            g_assert_cmpfloat (captured[2 * (onset + offsets[i] - 1)], ==, sum - values[i]);
        }
    }
  g_clear_pointer (&captured, g_free);

  /* Quantized: the note at offset 77 starts on the sixteenth's grid (6000
   * frames at 120 BPM), from the note's frame. */
  g_assert_true (flitzis_audio_engine_stop_all (engine, NULL));
  flitzis_audio_engine_set_quantize (engine, FLITZIS_QUANTIZE_SIXTEENTH);
  captured = capture_notes (engine, source, &seen, &notes[1], &offsets[1], 1, 6000, &frames);
  grid = flitzis_audio_engine_get_grid_frame (engine, FLITZIS_QUANTIZE_SIXTEENTH,
                                              seen.note_frames[37]);
  g_test_message ("note at %" G_GUINT64_FORMAT ", grid %" G_GUINT64_FORMAT,
                  seen.note_frames[37], grid);
  g_assert_cmpuint ((seen.note_frames[37] - offsets[1]) % PERIOD, ==, 0);
  g_assert_cmpuint (grid % 6000, ==, 0);
  g_assert_cmpuint (grid, >=, seen.note_frames[37]);
  g_assert_cmpuint (seen.started[1], ==, grid);
  if (capture_is_exact ())
    {
      onset = flitzis_test_first_sound (captured, frames, 2);
      g_assert_cmpint (onset, >, 0);
      g_assert_cmpfloat (captured[2 * onset], ==, values[1]);
    }
  g_assert_cmpuint (flitzis_test_count (engine, flitzis_engine_stats_get_midi_errors), ==, 0);
  g_assert_cmpuint (flitzis_test_count (engine, flitzis_engine_stats_get_dropped_midi), ==, 0);

  flitzis_audio_engine_shut_down (engine);
  g_assert_finalize_object (engine);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  flitzis_test_pw_midi_source_free (source);
  flitzis_test_remove_tree (dir);
}

/* With MIDI the engine is a filter, which PipeWire tells of no xrun: a
 * period that comes late makes the graph go on without it, and the
 * cycles it missed (and their MIDI) are counted as an xrun, and
 * signalled. */
static void
test_missed_cycles (void)
{
  FlitzisAudioEngine *engine = flitzis_audio_engine_new ();

  flitzis_audio_engine_set_backend (engine, FLITZIS_BACKEND_PIPEWIRE);
  flitzis_audio_engine_set_period_frames (engine, PERIOD);
  flitzis_audio_engine_set_midi_input (engine, TRUE);
  flitzis_test_run_ok (engine);
  flitzis_test_pipewire_assert_stall_counted (engine);
  flitzis_audio_engine_shut_down (engine);
  g_assert_finalize_object (engine);
}

/* flitzis play --midi PORT with FLITZIS_BACKEND=pipewire: the tool's
 * engine gets the node's MIDI port, links the source to it, and a note-on
 * of the source plays the file (its value in the sink's monitor); Ctrl-C
 * ends it cleanly. */
static void
test_tool (void)
{
  g_autofree char *tool = g_test_build_filename (G_TEST_BUILT, "..", "tools", "flitzis", NULL);
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = flitzis_test_write_constant (dir, "pad.wav", RATE, 0.25f);
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree float *captured = NULL;
  FlitzisTestPwMidiSource *source = flitzis_test_pw_midi_source_new ();
  const guint8 note[1][3] = { { 0x90, 36, 127 } };
  const guint32 offset[1] = { 100 };
  CaptureTarget target = { 4 * PERIOD };
  gssize onset;
  gsize frames;

  g_subprocess_launcher_setenv (launcher, "FLITZIS_BACKEND", "pipewire", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, tool, "play", "--midi",
                                         FLITZIS_TEST_PW_MIDI_SOURCE, path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "flitzis play: notes 36 to 36 of "));
  /* Linked by the tool's engine, the source runs in its graph. */
  flitzis_test_pw_midi_source_wait_cycles (source, 8);
  flitzis_test_pipewire_capture_start (session, 2 * RATE);
  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &target, 10000));
  flitzis_test_pw_midi_source_send (source, note, offset, 1);
  target.frames = flitzis_test_pipewire_capture_frames (session) + 32 * PERIOD;
  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &target, 20000));
  captured = flitzis_test_pipewire_capture_stop (session, &frames);
  onset = flitzis_test_first_sound (captured, frames, 2);
  g_assert_cmpint (onset, >, 0);
  g_assert_cmpfloat (captured[2 * onset], ==, 0.25f);
  g_subprocess_send_signal (process, SIGINT);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  flitzis_test_pw_midi_source_free (source);
  flitzis_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  session = flitzis_test_pipewire_start (RATE, PERIOD);
  g_test_add_func ("/engine/midi/pipewire/frame-exact", test_frame_exact);
  g_test_add_func ("/engine/midi/pipewire/tool", test_tool);
  g_test_add_func ("/engine/midi/pipewire/missed-cycles", test_missed_cycles);
  status = g_test_run ();
  flitzis_test_pipewire_stop (session);
  return status;
}
