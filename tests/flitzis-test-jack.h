/* flitzis-test-jack.h: a private JACK dummy server, and capturing what
 * PortAudio plays into it, frame by frame
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "flitzis.h"

G_BEGIN_DECLS

typedef struct FlitzisTestJack FlitzisTestJack;

/* Starts `jackd -n NAME -d dummy -r RATE -p PERIOD` with a name of its
 * own, points JACK_DEFAULT_SERVER at it, and waits until it accepts
 * clients.  Fails the test (it does not skip) when jackd is missing or
 * does not come up. */
FlitzisTestJack *flitzis_test_jack_start (guint rate, guint period);
/* The same, started with --no-realtime: its clients' process threads are
 * not real-time (SCHED_OTHER). */
FlitzisTestJack *flitzis_test_jack_start_no_realtime (guint rate, guint period);
/* Sends SIGTERM to the server's PID and waits for it to exit. */
void             flitzis_test_jack_stop (FlitzisTestJack *jack);
const char      *flitzis_test_jack_get_name (FlitzisTestJack *jack);
/* Sends @signum to the server: SIGSTOP freezes it, SIGCONT thaws it. */
void             flitzis_test_jack_signal (FlitzisTestJack *jack, int signum);
/* The same from a signal handler: kill() alone (async-signal-safe). */
void             flitzis_test_jack_signal_unsafe (FlitzisTestJack *jack, int signum);
/* Makes the test's own client take @ms in its next cycle: the graph runs
 * late, and the server reports an xrun to every client. */
void             flitzis_test_jack_stall_next_cycle (FlitzisTestJack *jack, guint ms);
/* Calls @hook (@data) on JACK's notification thread for each xrun the
 * server reports to the test's own client (it reports one to every client
 * of its graph); NULL: none. */
typedef void (*FlitzisTestXrunHook) (gpointer data);
void             flitzis_test_jack_set_xrun_hook (FlitzisTestJack *jack, FlitzisTestXrunHook hook,
                                                  gpointer data);

/* Starts recording what PortAudio (in this process) plays: connects its
 * output ports to this test's input ports and waits until the connection
 * is live.  Call while an engine runs on the server. */
gboolean         flitzis_test_jack_wait_for_engine (FlitzisTestJack *jack, guint timeout_ms);
void             flitzis_test_jack_capture_start (FlitzisTestJack *jack, gsize max_frames);
/* Frames recorded so far (any thread). */
gsize            flitzis_test_jack_capture_frames (FlitzisTestJack *jack);
/* Stops recording; returns the interleaved frames (@n_frames of them, of
 * @n_channels channels). */
float           *flitzis_test_jack_capture_stop (FlitzisTestJack *jack, guint *n_channels,
                                                 gsize *n_frames);
/* The JACK frame time of the first frame recorded (valid once
 * flitzis_test_jack_capture_frames() > 0): frame i of the capture is
 * frame first + i of the server's clock, when no cycle was missed. */
guint64          flitzis_test_jack_capture_first_frame (FlitzisTestJack *jack);
/* The cycles of the server that the capture missed since it started: each
 * one a jump of the server's clock between two cycles recorded (any
 * thread).  A capture with none has frame first + i at its frame i. */
guint            flitzis_test_jack_capture_gaps (FlitzisTestJack *jack);
/* Whether a late node of the graph may have spoilt what @jack captured
 * since @engine's xrun count was @xruns_before: the engine reported an
 * xrun since, or the capture missed a cycle.  Says which in a test
 * message.  What a FlitzisTestPlay sets its *disturbed from. */
gboolean         flitzis_test_jack_disturbed_since (FlitzisTestJack *jack,
                                                    FlitzisAudioEngine *engine,
                                                    guint64 xruns_before);
/* The server's clock, in frames: now (estimated), and the start of the
 * current cycle. */
guint64          flitzis_test_jack_frame_time (FlitzisTestJack *jack);
guint64          flitzis_test_jack_last_frame_time (FlitzisTestJack *jack);

/* One server for the whole program, at @rate and @period, started by the
 * first call (later calls return it, and must ask for the same), so that a
 * program whose live tests are not selected (-p, -s) starts none.  NULL in
 * a child of g_test_trap_subprocess(): the child inherits
 * JACK_DEFAULT_SERVER, and uses its parent's server.
 * flitzis_test_jack_shared_stop() stops it (main(), after g_test_run()),
 * and may be called before a test starts a server of its own. */
FlitzisTestJack *flitzis_test_jack_shared (guint rate, guint period);
void             flitzis_test_jack_shared_stop (void);

/* A device engine (not running) on the shared server at FLITZIS_TEST_RATE
 * and FLITZIS_TEST_PERIOD, and a temporary directory, for g_test_add().
 * The teardown checks that the engine is finalised and that every sample
 * was freed, exactly once. */
typedef struct {
  FlitzisAudioEngine *engine;
  char *dir;
  guint pongs;
} FlitzisTestLive;

void             flitzis_test_live_setup (FlitzisTestLive *fixture, gconstpointer data);
void             flitzis_test_live_teardown (FlitzisTestLive *fixture, gconstpointer data);
#define FLITZIS_TEST_ADD_LIVE(path, func) \
  g_test_add (path, FlitzisTestLive, NULL, flitzis_test_live_setup, func, flitzis_test_live_teardown)

/* Capturing what a live engine plays into the shared server. */
/* Waits (20 s at most) until @frames frames are captured, then stops;
 * returns the stereo capture, @n_frames long. */
float           *flitzis_test_capture_for (gsize frames, gsize *n_frames);
/* Starts capturing, and returns once a period of silence is recorded:
 * a sound that follows must then start after frame 0 of the capture, which
 * proves that its beginning was not lost. */
void             flitzis_test_start_capture_with_silence (gsize max_frames);
/* Waits until @frames more frames are captured. */
void             flitzis_test_wait_captured_from_now (gsize frames);
/* First frame in which @channel of a stereo capture is not silent; fails
 * the test when it stays silent. */
gsize            flitzis_test_onset (const float *captured, gsize frames, guint channel);
/* Channel @channel of the capture is silence (at least a period of it),
 * then exactly @expected, then silence again. */
/* The same as a test: whether it does; if not, says where it parts. */
gboolean         flitzis_test_channel_matches (const float *captured, gsize frames,
                                               guint channel, const float *expected,
                                               gsize length);
void             flitzis_test_assert_channel_plays (const float *captured, gsize frames,
                                                    guint channel, const float *expected,
                                                    gsize length);

/* A JACK client of the test's, NAME with one MIDI output port, NAME:out,
 * on the server the program's clients find: a MIDI source for an engine's
 * MIDI input.  Each cycle, on the client's process thread, the port's
 * buffer is cleared and @write fills it (jack_midi_event_write(), at
 * offsets below @frames); @cycle counts the cycles before this one.
 * Opened and activated (failing the test where it cannot be); closed by
 * flitzis_test_jack_midi_source_close(). */
typedef void (*FlitzisTestJackMidiWrite) (void *buffer, guint32 frames, guint cycle);
typedef struct FlitzisTestJackMidiSource FlitzisTestJackMidiSource;

FlitzisTestJackMidiSource *flitzis_test_jack_midi_source_open (const char *name,
                                                               FlitzisTestJackMidiWrite write);
void             flitzis_test_jack_midi_source_close (FlitzisTestJackMidiSource *source);

/* Triggers @slot of @engine (running on the shared server) at @velocity,
 * and asserts that the capture holds silence, then exactly the @n stereo
 * frames of @expected (interleaved; its first frame not silent on the
 * left), then silence.  A period the engine's client or the capture
 * missed (the server reports an xrun; the capture sees its clock jump)
 * breaks the sound apart in the capture: such a mismatch is excused, and
 * the play captured again, twice at most. */
void             flitzis_test_jack_assert_plays (FlitzisAudioEngine *engine, guint slot,
                                                 float velocity, const float *expected, gsize n);

G_END_DECLS
