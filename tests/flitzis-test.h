/* flitzis-test.h: helpers shared by the test programs
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "flitzis.h"

G_BEGIN_DECLS

typedef gboolean (*FlitzisTestCondition) (gpointer data);

/* Iterates @context until @condition holds or @timeout_ms pass; returns
 * whether it holds.  A 1 ms tick keeps conditions that change on other
 * threads (audio, JACK) from waiting for an unrelated wake-up. */
gboolean flitzis_test_wait_until (GMainContext *context, FlitzisTestCondition condition,
                                  gpointer data, guint timeout_ms);

/* Iterates @context (NULL: the default one) until the engine has rendered
 * @frames more frames; fails the test after 5 s.  Returns the frame time
 * it started from. */
guint64  flitzis_test_wait_frames (GMainContext *context, FlitzisAudioEngine *engine,
                                   guint64 frames);

/* receive_msg() of @engine, passing over xrun events: a JACK dummy server
 * reports late wake-ups of its own now and then (on the 2-core test
 * machines, one every few seconds at 128 frames), and a test that counts
 * pongs must not take one for a lost message. */
FlitzisMessage *flitzis_test_receive_skipping_xruns (FlitzisAudioEngine *engine);

/* receive_msg() of @engine, passing over the messages a test that is not
 * about the clock did not ask for: the transport's beats (reported by
 * default, report-beats) and, as above, xruns. */
FlitzisMessage *flitzis_test_receive_skipping_beats (FlitzisAudioEngine *engine);

/* One count of a fresh flitzis_audio_engine_get_stats() snapshot, e.g.
 * flitzis_test_count (engine, flitzis_engine_stats_get_xruns). */
guint64  flitzis_test_count (FlitzisAudioEngine *engine,
                             guint64 (*count) (const FlitzisEngineStats *stats));
/* Iterates the default main context until that count of @engine is at
 * least @at_least, or @timeout_ms have passed; whether it got there. */
gboolean flitzis_test_wait_count (FlitzisAudioEngine *engine,
                                  guint64 (*count) (const FlitzisEngineStats *stats),
                                  guint64 at_least, guint timeout_ms);

/* A temporary directory, removed with everything in it by
 * flitzis_test_remove_tree(). */
char    *flitzis_test_make_tmpdir (void);
void     flitzis_test_remove_tree (const char *path);

/* Writes @frames frames of @channels interleaved floats as a file of
 * libsndfile @format (e.g. SF_FORMAT_WAV | SF_FORMAT_FLOAT); returns its
 * path inside @dir. */
char    *flitzis_test_write_audio (const char *dir, const char *name, int format,
                                   int rate, int channels, const float *data, gsize frames);
/* Writes a text file (not audio). */
char    *flitzis_test_write_text (const char *dir, const char *name, const char *text);

/* Deterministic test signal: every value non-zero, |x| in [0.05, 0.95].
 * The caller frees it. */
float   *flitzis_test_signal (gsize n, guint32 seed);

/* A "Name:   123 kB" line of /proc/self/status (VmRSS, VmHWM), in bytes. */
gsize    flitzis_test_proc_status_bytes (const char *name);
/* Resets the peak RSS (VmHWM): Linux does when 5 is written to
 * /proc/self/clear_refs. */
void     flitzis_test_reset_peak_rss (void);

/* Whether this program runs instrumented: built with a sanitizer, or under
 * valgrind (FLITZIS_TEST_VALGRIND=1, set by make check-valgrind).  Memory
 * and page-fault measurements would then measure the instrument, and skip. */
gboolean flitzis_test_instrumented (void);

/* How much slower than real time this program runs: under valgrind
 * memcheck, every thread of it is serialised and instrumented, and a
 * device paced by the wall clock would underrun on every period.  The
 * test JACK server then waits this many periods' time between cycles
 * (frames and periods stay those asked for), and every deadline of
 * flitzis_test_wait_until() is stretched by it.  1 otherwise. */
#define FLITZIS_TEST_VALGRIND_SLOWDOWN 8
guint    flitzis_test_slowdown (void);

/* Makes the next period of the engines of this process come late: the
 * core's test hook, inside fz_core_process() on the audio thread, busy
 * for @ms (times flitzis_test_slowdown()), as a slow plug-in would be.
 * Returns at once; fz_core_set_test_hook (NULL) removes the hook.
 * flitzis_test_stalled_frame() is the frame time of the period that was
 * stalled, G_MAXUINT64 until it has been. */
void     flitzis_test_stall_next_period (guint ms);
guint64  flitzis_test_stalled_frame (void);

/* The number of file descriptors this process has open (/proc/self/fd):
 * a failed call must leave it as it was. */
guint    flitzis_test_count_open_fds (void);

/* qsort() order of doubles. */
int      flitzis_test_compare_doubles (const void *a, const void *b);

/* A benchmark's "KEY VALUE" line: a TAP comment under the test harness
 * (g_test_message()), a line on stdout otherwise (make bench reads it). */
void     flitzis_test_result (const char *key, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* A benchmark's spread: sorts @values (@n of them, n > 0) and prints
 * "KEY-median", "KEY-q1", "KEY-q3" (the quartiles, linear between the
 * order statistics), "KEY-min", "KEY-max" and "KEY-n" with @format (a
 * printf format of one double).  Returns the median. */
double   flitzis_test_spread (const char *key, const char *format, double *values, gsize n);

/* The largest difference between neighbouring values of @values: a cut
 * would show as one step of the whole level, a fade as many small ones. */
float    flitzis_test_largest_step (const float *values, gsize n);

/* The first of @frames frames (each @stride values apart: 1 for one
 * channel alone, 2 for the left channel of stereo) that is not silent;
 * -1 when all are. */
gssize   flitzis_test_first_sound (const float *values, gsize frames, guint stride);

/* load_sample() of @engine, which must succeed. */
void     flitzis_test_load_ok (FlitzisAudioEngine *engine, guint slot, const char *path);

/* One load_sample_async() and how it finished. */
typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;            /* the caller's to free */
} FlitzisTestLoad;

/* Starts load_sample_async() of @path into @slot of @engine; @load says
 * how it finished once the callback has run (in the default main
 * context).  @load must hold no error. */
void     flitzis_test_load_async (FlitzisAudioEngine *engine, guint slot, const char *path,
                                  GCancellable *cancellable, FlitzisTestLoad *load);
/* Iterates the default main context until @load has finished; fails the
 * test after 10 s (stretched by flitzis_test_slowdown()). */
void     flitzis_test_wait_loaded (FlitzisTestLoad *load);

/* A mono float WAV of @frames values of @signal at @rate, inside @dir. */
char    *flitzis_test_write_mono (const char *dir, const char *name, guint rate,
                                  const float *signal, gsize frames);
/* A float WAV of @channels channels at @rate, every channel the same:
 * flitzis_test_signal (@frames, @seed) scaled by @scale. */
char    *flitzis_test_write_sample (const char *dir, const char *name, guint rate,
                                    guint channels, gsize frames, guint32 seed, float scale);

/* The stream the engine suites use: 48 kHz, 256-frame periods (offline
 * engines render in periods of this size; the shared JACK server of
 * flitzis-test-jack.h runs at it). */
#define FLITZIS_TEST_RATE 48000
#define FLITZIS_TEST_PERIOD 256

/* The plays a live capture (JACK's or PipeWire's) may take to record one
 * undisturbed: a capture that a late node of the graph disturbed (an
 * xrun the engine reported, a cycle the capture missed) is taken again.
 * Enough for a machine whose cores carry other suites too: five in a row
 * were seen disturbed beside a ThreadSanitizer build.  Each takes a tenth
 * of a second or so; a fault in the engine's output spoils every one and
 * fails at the last, or sooner at mismatches nothing disturbed (JACK's
 * helper allows none, PipeWire's two). */
#define FLITZIS_TEST_MAX_CAPTURES 20

/* One live play of a test's, captured: returns whether the capture held
 * what was expected, and sets *@disturbed when a late node of the graph
 * may have broken it (an xrun the engine reported, a cycle the capture
 * missed). */
typedef gboolean (*FlitzisTestPlay) (gpointer data, gboolean *disturbed);
/* Plays @play until one matches.  Only a disturbed play excuses a
 * mismatch, FLITZIS_TEST_MAX_CAPTURES - 1 times at most: a fault of the
 * engine's shows in every play, disturbed or not. */
void     flitzis_test_play_until_matched (FlitzisTestPlay play, gpointer data);

/* A stereo float WAV at @rate, @left/@right NULL for silence. */
char    *flitzis_test_write_stereo (const char *dir, const char *name, guint rate,
                                    const float *left, const float *right, gsize frames);
/* A mono float WAV at FLITZIS_TEST_RATE of @frames frames of @value. */
char    *flitzis_test_write_constant (const char *dir, const char *name, gsize frames,
                                      float value);

/* run(), play_sample(), ping() of @engine, which must succeed; @n pings. */
void     flitzis_test_run_ok (FlitzisAudioEngine *engine);
void     flitzis_test_play_ok (FlitzisAudioEngine *engine, guint slot, float velocity);
void     flitzis_test_ping_ok (FlitzisAudioEngine *engine);
void     flitzis_test_send_pings (FlitzisAudioEngine *engine, guint n);

/* render() of an offline @engine, which must succeed. */
void     flitzis_test_render_ok (FlitzisAudioEngine *engine, float *out, gsize frames);
/* Renders @frames frames, period by period; returns the left channel. */
float   *flitzis_test_render_left (FlitzisAudioEngine *engine, gsize frames);
/* What a device engine plays, rendered offline: @path loaded into @slot
 * and played at @velocity in a new stereo engine, @frames frames in
 * periods of FLITZIS_TEST_PERIOD (interleaved, to be freed); a live
 * capture of the same trigger matches it bit for bit. */
float   *flitzis_test_render_played (const char *path, guint slot, float velocity, gsize frames);

/* An offline engine (FLITZIS_TEST_RATE, stereo), running, and a temporary
 * directory, for g_test_add():
 * - flitzis_test_offline_setup()/_teardown(): that alone; the teardown
 *   drops the engine.
 * - flitzis_test_events_setup()/_teardown(): with the engine's
 *   sample-started, sample-finished, voice-dropped and trigger-late
 *   signals recorded in @events, as "kind slot frame [late]" strings, in
 *   order; the teardown checks that the engine is finalised and that every
 *   sample was freed. */
typedef struct {
  char *dir;
  FlitzisAudioEngine *engine;
  GPtrArray *events;
} FlitzisTestOffline;

void     flitzis_test_offline_setup (FlitzisTestOffline *fixture, gconstpointer data);
void     flitzis_test_offline_teardown (FlitzisTestOffline *fixture, gconstpointer data);
void     flitzis_test_events_setup (FlitzisTestOffline *fixture, gconstpointer data);
void     flitzis_test_events_teardown (FlitzisTestOffline *fixture, gconstpointer data);
/* The events fixture's engine is @engine from now on (taken; the one
 * before must be gone): its events are recorded, and it runs. */
void     flitzis_test_events_attach (FlitzisTestOffline *fixture, FlitzisAudioEngine *engine);
/* Runs the main context until as many events as @expected (NULL-terminated)
 * arrived and no other is pending, compares them, and forgets them. */
void     flitzis_test_assert_events (FlitzisTestOffline *fixture, const char *const *expected);

/* g_test_add() of @func (FlitzisTestOffline *, gconstpointer) with either
 * fixture. */
#define FLITZIS_TEST_ADD_OFFLINE(path, func) \
  g_test_add (path, FlitzisTestOffline, NULL, flitzis_test_offline_setup, func, \
              flitzis_test_offline_teardown)
#define FLITZIS_TEST_ADD_EVENTS(path, func) \
  g_test_add (path, FlitzisTestOffline, NULL, flitzis_test_events_setup, func, \
              flitzis_test_events_teardown)

/* A "notify" handler that counts: @data is a guint. */
void     flitzis_test_count_notify (GObject *object, GParamSpec *pspec, gpointer data);

G_END_DECLS
