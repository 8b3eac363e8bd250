/* flitzis-test-pipewire.h: a private PipeWire session with a null sink,
 * and capturing what is played into it, frame by frame
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "flitzis.h"

G_BEGIN_DECLS

/* The session's sink: node.name and node.description. */
#define FLITZIS_TEST_PW_SINK "flitzis-test-sink"
#define FLITZIS_TEST_PW_SINK_DESCRIPTION "Flitzis test sink"

typedef struct FlitzisTestPipewire FlitzisTestPipewire;

/* Starts, in a runtime directory of its own: a D-Bus session bus
 * (dbus-daemon), PipeWire with one null sink at @rate and a default
 * quantum of @quantum frames, and WirePlumber; points this process's
 * PIPEWIRE_RUNTIME_DIR at it, and waits until the sink is the session's
 * default.  Fails the test (it does not skip) when a program is missing or
 * the session does not come up.  Several sessions (of other test
 * programs) run side by side: none sees another's. */
FlitzisTestPipewire *flitzis_test_pipewire_start (guint rate, guint quantum);
/* Stops WirePlumber, PipeWire and the bus by their PIDs, and removes the
 * directory.  PIPEWIRE_RUNTIME_DIR is left pointing at it: nothing
 * answers there any more. */
void                 flitzis_test_pipewire_stop (FlitzisTestPipewire *pw);
/* SIGKILLs PipeWire and WirePlumber (a crash), and waits for them. */
void                 flitzis_test_pipewire_kill (FlitzisTestPipewire *pw);
/* Starts them again (after _kill()), and waits as _start() does. */
void                 flitzis_test_pipewire_restart (FlitzisTestPipewire *pw);
/* Sends @signum to the PipeWire daemon (SIGSTOP freezes it: a server
 * that stops answering; SIGCONT before stopping or killing it). */
void                 flitzis_test_pipewire_signal (FlitzisTestPipewire *pw, int signum);
/* The daemon's PID, for an abort handler (kill() is async-signal-safe)
 * or a subprocess of the test. */
int                  flitzis_test_pipewire_get_pid (FlitzisTestPipewire *pw);

/* Records the sink's monitor (what every stream played into the sink),
 * in a capture stream of this process: up to @max_frames stereo frames.
 * Returns once the capture streams. */
void                 flitzis_test_pipewire_capture_start (FlitzisTestPipewire *pw, gsize max_frames);
/* Frames recorded so far (any thread). */
gsize                flitzis_test_pipewire_capture_frames (FlitzisTestPipewire *pw);
/* When the first non-zero frame (left channel) of this capture reached
 * the capture stream, g_get_monotonic_time()'s clock: the start of its
 * period as the capture's callback saw it, plus its place in the period;
 * -1 until then (any thread). */
gint64               flitzis_test_pipewire_capture_first_sound_time (FlitzisTestPipewire *pw);
/* Stops recording; returns the interleaved stereo frames (@n_frames). */
float               *flitzis_test_pipewire_capture_stop (FlitzisTestPipewire *pw, gsize *n_frames);

/* Triggers @slot of @engine (running on this session's default sink) at
 * @velocity, and asserts that the sink's monitor receives silence, then
 * exactly the @n stereo frames of @expected.  The capture is a second
 * client of the graph, in this process: on a loaded build machine (a
 * sanitizer's build, other suites beside this one) it, or the sink, can
 * miss a cycle that the engine did not.  So the play is captured up to
 * five times, each mismatch is logged with where it parts and with what
 * explains it (cycles of the graph the capture missed, xruns the engine
 * reported), at most two mismatches may go unexplained (a late node of the
 * graph, which neither sees), and one capture must match to the sample: a
 * fault in the engine's output shows in every one. */
void                 flitzis_test_pipewire_assert_plays (FlitzisTestPipewire *pw,
                                                         FlitzisAudioEngine *engine, guint slot,
                                                         float velocity, const float *expected,
                                                         gsize n);

/* Stalls @engine's next period (@engine running on PipeWire) for some
 * four of the graph's cycles: the graph goes on without it, and the
 * cycles it missed must be counted as an xrun and signalled, and it must
 * play on. */
void                 flitzis_test_pipewire_assert_stall_counted (FlitzisAudioEngine *engine);

/* Adds a null sink named @name (node.name and node.description), owned
 * by this process's connection: it goes when removed, or with the
 * connection. */
void                 flitzis_test_pipewire_add_sink (FlitzisTestPipewire *pw, const char *name);
void                 flitzis_test_pipewire_remove_sink (FlitzisTestPipewire *pw, const char *name);
/* The same with @channels (1: mono, or 2) channels. */
void                 flitzis_test_pipewire_add_sink_channels (FlitzisTestPipewire *pw,
                                                              const char *name, guint channels);

/* A MIDI source of the test's: a node of its own connection (a pw_filter,
 * not linked by anyone) with one MIDI output port, FLITZIS_TEST_PW_MIDI_SOURCE
 * ("node.name:port.name"), to link to an engine's MIDI input. */
#define FLITZIS_TEST_PW_MIDI_SOURCE "flitzis-test-midi-source:out"
#define FLITZIS_TEST_PW_MIDI_MAX 4
typedef struct FlitzisTestPwMidiSource FlitzisTestPwMidiSource;

FlitzisTestPwMidiSource *flitzis_test_pw_midi_source_new (void);
void                 flitzis_test_pw_midi_source_free (FlitzisTestPwMidiSource *source);
/* Writes @n (at most FLITZIS_TEST_PW_MIDI_MAX) three-byte @events at
 * @offsets into the port's next cycle; returns once written (fails the
 * test after 5 s: the source is not linked). */
void                 flitzis_test_pw_midi_source_send (FlitzisTestPwMidiSource *source,
                                                       const guint8 (*events)[3],
                                                       const guint32 *offsets, guint n);
/* Busy: from now on every cycle carries a note-on (36 to 38, at a varying
 * offset), a controller (7) at the last frame, and every fifth malformed
 * bytes (a stray data byte, a SysEx cut short). */
void                 flitzis_test_pw_midi_source_set_busy (FlitzisTestPwMidiSource *source,
                                                           gboolean busy);
/* Iterates the default main context until the source has run @cycles
 * more cycles (it runs once linked into a driven graph); 5 s at most. */
void                 flitzis_test_pw_midi_source_wait_cycles (FlitzisTestPwMidiSource *source,
                                                              guint cycles);

/* An ALSA_CONFIG_PATH value with pipewire-alsa's configuration
 * (tests/alsa/pipewire-alsa.conf, the package's own files) over the
 * system's alsa.conf, and where its plug-in is (a file written in @dir):
 * FLITZIS_TEST_PIPEWIRE_ALSA_DIR, or ALSA's plug-in directory beside
 * libasound.  Without the plug-in: marks the test skipped and returns
 * NULL, or fails it when FLITZIS_TEST_REQUIRE_PIPEWIRE_ALSA=1 (CI).
 * Instrumented (valgrind, sanitizers) it skips too: memcheck reports
 * alsa-lib's own uninitialised reads on this path, ThreadSanitizer a lock
 * order inversion between alsa-lib and the plug-in. */
char                *flitzis_test_pipewire_alsa_config (const char *dir);

G_END_DECLS
