/* test-watchdog-pipewire.c: the watchdog and the bounded close on a
 * private PipeWire session, natively and through PortAudio's ALSA device
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two faults of a PipeWire server (flitzis-test-pipewire.h: PipeWire, a
 * null sink, WirePlumber, stopped by PID):
 * - frozen (SIGSTOP) under an engine playing natively: PipeWire's data
 *   thread is never woken again, the frame time stands still, and the
 *   watchdog reports stream-error (STALLED) and shuts down;
 * - killed (SIGKILL) under an engine playing through PortAudio's ALSA host
 *   API into pipewire-alsa's "pipewire" PCM (tests/alsa/pipewire-alsa.conf
 *   over the system's alsa.conf): there PortAudio's ALSA thread spins,
 *   writing a line to stderr per turn, and closing it never returns; the
 *   engine silences that thread (fz-silence.h).  That case runs in a
 *   subprocess, whose stderr is measured and bounded.
 * Nothing sleeps: the main context is iterated until a condition holds.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "flitzis-test-pipewire.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD

typedef struct {
  FlitzisAudioEngine *engine;
  GError *stream_error;
  gboolean running_at_error;
} Fixture;

/* The frozen daemon's PID, if one is: a failed assertion aborts this
 * process, and a stopped PipeWire would never act on the SIGTERM its
 * parent's death sends it, so the abort handler thaws it. */
static volatile int frozen_pid;

static void
thaw_on_abort (int signum)
{
  (void) signum;
  if (frozen_pid > 0)
    kill (frozen_pid, SIGCONT);
}

static void
on_stream_error (FlitzisAudioEngine *engine, GError *error, guint64 frame, Fixture *fixture)
{
  (void) frame;
  g_clear_error (&fixture->stream_error);
  fixture->stream_error = g_error_copy (error);
  fixture->running_at_error = flitzis_audio_engine_get_running (engine);
}

static gboolean
stream_error_arrived (gpointer data)
{
  return ((Fixture *) data)->stream_error != NULL;
}

static void
fixture_setup (Fixture *fixture, FlitzisBackend backend)
{
  fixture->engine = flitzis_audio_engine_new ();
  flitzis_audio_engine_set_backend (fixture->engine, backend);
  flitzis_audio_engine_set_period_frames (fixture->engine, PERIOD);
  g_signal_connect (fixture->engine, "stream-error", G_CALLBACK (on_stream_error), fixture);
}

static void
fixture_teardown (Fixture *fixture)
{
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_finalize_object (fixture->engine);
  g_clear_error (&fixture->stream_error);
}

static guint64
count_abandoned (FlitzisAudioEngine *engine)
{
  return flitzis_test_count (engine, flitzis_engine_stats_get_streams_abandoned);
}

static guint64
count_silenced (FlitzisAudioEngine *engine)
{
  return flitzis_test_count (engine, flitzis_engine_stats_get_threads_silenced);
}

/* ---- a frozen server under a native stream ---- */

/* Frozen under a playing engine: STALLED within the stall timeout (plus
 * the close's 2 s at most), not running by then, and shut_down()
 * returns.  Thawed, the server plays the engine again. */
static void
test_frozen_native (void)
{
  FlitzisTestPipewire *session = flitzis_test_pipewire_start (RATE, PERIOD);
  Fixture fixture = { 0 };
  gint64 frozen_at;
  guint64 abandoned;

  fixture_setup (&fixture, FLITZIS_BACKEND_PIPEWIRE);
  flitzis_audio_engine_set_stall_timeout (fixture.engine, 500);
  flitzis_test_run_ok (fixture.engine);
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (fixture.engine), ==,
                   FLITZIS_BACKEND_PIPEWIRE);
  flitzis_test_wait_frames (NULL, fixture.engine, 8 * PERIOD);

  frozen_pid = flitzis_test_pipewire_get_pid (session);
  flitzis_test_pipewire_signal (session, SIGSTOP);
  frozen_at = g_get_monotonic_time ();
  g_assert_true (flitzis_test_wait_until (NULL, stream_error_arrived, &fixture, 20000));
  g_test_message ("frozen PipeWire: stream-error and shut-down %.0f ms after SIGSTOP "
                  "(500 ms stall timeout)", (g_get_monotonic_time () - frozen_at) / 1000.0);
  g_assert_error (fixture.stream_error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_STALLED);
  g_assert_false (fixture.running_at_error);
  g_assert_false (flitzis_audio_engine_get_running (fixture.engine));
  /* Closing a native stream does not wait for the server: nothing is
   * left behind. */
  abandoned = count_abandoned (fixture.engine);
  g_assert_cmpuint (abandoned, ==, 0);
  flitzis_audio_engine_shut_down (fixture.engine);

  flitzis_test_pipewire_signal (session, SIGCONT);
  frozen_pid = 0;
  g_clear_error (&fixture.stream_error);
  flitzis_test_run_ok (fixture.engine);
  flitzis_test_wait_frames (NULL, fixture.engine, 8 * PERIOD);
  g_assert_null (fixture.stream_error);
  fixture_teardown (&fixture);
  flitzis_test_pipewire_stop (session);
}

/* Disposed under a frozen server with no watchdog to notice first:
 * dispose returns. */
static void
test_dispose_frozen_native (void)
{
  FlitzisTestPipewire *session = flitzis_test_pipewire_start (RATE, PERIOD);
  Fixture fixture = { 0 };

  fixture_setup (&fixture, FLITZIS_BACKEND_PIPEWIRE);
  flitzis_audio_engine_set_stall_timeout (fixture.engine, 0);
  flitzis_test_run_ok (fixture.engine);
  flitzis_test_wait_frames (NULL, fixture.engine, 4 * PERIOD);
  frozen_pid = flitzis_test_pipewire_get_pid (session);
  flitzis_test_pipewire_signal (session, SIGSTOP);
  g_assert_finalize_object (g_steal_pointer (&fixture.engine));
  g_assert_null (fixture.stream_error);
  flitzis_test_pipewire_signal (session, SIGCONT);
  frozen_pid = 0;
  flitzis_test_pipewire_stop (session);
}

/* ---- a killed server under PortAudio's ALSA device ---- */

/* What this process writes to stderr, counted and dropped by a thread
 * reading a pipe (a flood must not fill the disk, nor the parent's
 * memory). */
typedef struct {
  int saved;                    /* the real stderr */
  int read_end;
  GThread *reader;
  gint64 bytes;                 /* atomic */
  gint marker_seen;             /* atomic: MARKER went through */
} FzStderrCount;

/* What the application writes to stderr once the thread is silenced. */
#define MARKER "flitzis-test: the application's own stderr\n"

static gpointer
count_stderr (gpointer data)
{
  FzStderrCount *count = data;
  char buffer[65536];
  gssize n;

  while ((n = read (count->read_end, buffer, sizeof buffer)) > 0)
    {
      g_atomic_pointer_add (&count->bytes, n);
      if (g_strstr_len (buffer, n, MARKER) != NULL)
        g_atomic_int_set (&count->marker_seen, TRUE);
    }
  return NULL;
}

static void
stderr_count_begin (FzStderrCount *count)
{
  int fds[2];

  count->bytes = 0;
  count->marker_seen = FALSE;
  count->saved = dup (STDERR_FILENO);
  g_assert_cmpint (count->saved, >=, 0);
  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (dup2 (fds[1], STDERR_FILENO), ==, STDERR_FILENO);
  close (fds[1]);
  count->read_end = fds[0];
  count->reader = g_thread_new ("stderr-count", count_stderr, count);
}

static gsize
stderr_count_get (FzStderrCount *count)
{
  return (gsize) g_atomic_pointer_get (&count->bytes);
}

static gboolean
marker_seen (gpointer data)
{
  return g_atomic_int_get (&((FzStderrCount *) data)->marker_seen);
}

/* Puts stderr back.  A writer still flooding the pipe is left writing
 * into it: the reader keeps draining it. */
static void
stderr_count_end (FzStderrCount *count)
{
  g_assert_cmpint (dup2 (count->saved, STDERR_FILENO), ==, STDERR_FILENO);
  close (count->saved);
  g_thread_unref (count->reader);
}

/* A close left behind warns: expected here, not fatal. */
static gboolean
close_left_behind (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) domain; (void) level; (void) data;
  return strstr (message, "did not close within") == NULL;
}

/* The subprocess: plays PortAudio's "pipewire" ALSA device, kills the
 * daemon (FLITZIS_TEST_KILL_PID) once frames advance, waits for the
 * engine to notice, and shuts it down, counting what goes to stderr. */
static void
killed_under_alsa_child (void)
{
  int pid = atoi (g_getenv ("FLITZIS_TEST_KILL_PID"));
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  FzStderrCount count;
  gint64 killed_at, noticed_at, shut_down_at, later;
  gboolean noticed, marker_arrived;
  gsize at_shut_down, half_a_second_later;

  fixture_setup (&fixture, FLITZIS_BACKEND_PORTAUDIO);
  flitzis_audio_engine_set_device (fixture.engine, "pipewire");
  flitzis_audio_engine_set_stall_timeout (fixture.engine, 500);
  if (!flitzis_audio_engine_run (fixture.engine, &error))
    g_error ("run() on PortAudio's “pipewire” ALSA device failed: %s", error->message);
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (fixture.engine), ==,
                   FLITZIS_BACKEND_PORTAUDIO);
  flitzis_test_wait_frames (NULL, fixture.engine, 8 * PERIOD);

  g_test_log_set_fatal_handler (close_left_behind, NULL);
  stderr_count_begin (&count);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  killed_at = g_get_monotonic_time ();
  noticed = flitzis_test_wait_until (NULL, stream_error_arrived, &fixture, 20000);
  noticed_at = g_get_monotonic_time ();
  flitzis_audio_engine_shut_down (fixture.engine);
  shut_down_at = g_get_monotonic_time ();
  at_shut_down = stderr_count_get (&count);
  /* Half a second of the main context after shutting down. */
  later = shut_down_at + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < later)
    g_main_context_iteration (NULL, FALSE);
  half_a_second_later = stderr_count_get (&count);
  /* The application's own stderr still works. */
  g_printerr ("%s", MARKER);
  marker_arrived = flitzis_test_wait_until (NULL, marker_seen, &count, 10000);
  stderr_count_end (&count);

  /* A TAP comment on the inherited stdout. */
  g_print ("# stream-error %s %.0f ms after the kill (shut down by then: %s); "
           "shut_down() took %.0f ms; stderr: %zu bytes by then, %zu more in the next "
           "half second; %" G_GUINT64_FORMAT " streams abandoned, %" G_GUINT64_FORMAT
           " threads silenced\n",
           !noticed ? "never" :
           g_error_matches (fixture.stream_error, FLITZIS_ENGINE_ERROR,
                            FLITZIS_ENGINE_ERROR_STALLED) ? "STALLED" : "DEVICE_LOST",
           (noticed_at - killed_at) / 1000.0, fixture.running_at_error ? "no" : "yes",
           (shut_down_at - noticed_at) / 1000.0, at_shut_down,
           half_a_second_later - at_shut_down, count_abandoned (fixture.engine),
           count_silenced (fixture.engine));
  g_assert_true (noticed);
  g_assert_true (g_error_matches (fixture.stream_error, FLITZIS_ENGINE_ERROR,
                                  FLITZIS_ENGINE_ERROR_STALLED) ||
                 g_error_matches (fixture.stream_error, FLITZIS_ENGINE_ERROR,
                                  FLITZIS_ENGINE_ERROR_DEVICE_LOST));
  g_assert_false (fixture.running_at_error);
  g_assert_false (flitzis_audio_engine_get_running (fixture.engine));
  /* A stream that could not be closed is counted, not hidden. */
  g_assert_cmpuint (count_abandoned (fixture.engine), <=, 1);
  /* The flood ends when the engine notices: at most 64 KiB in the half
   * second after (the close's warning, a few hundred bytes, is the
   * application's own), the silenced thread counted, and the
   * application's stderr still goes where it went. */
  if (g_error_matches (fixture.stream_error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_STALLED))
    g_assert_cmpuint (count_silenced (fixture.engine), ==, 1);
  g_assert_cmpuint (half_a_second_later - at_shut_down, <=, 64 * 1024);
  g_assert_true (marker_arrived);
  fixture_teardown (&fixture);
  /* PortAudio 19.6's ALSA thread, once its PCM fails this way, loops in
   * PaAlsaStream_WaitForFrames() ("goto error" from its own error label,
   * with cancellation disabled), printing a line per turn into /dev/null
   * now: no PortAudio call stops it (docs/testing.md).  Leave at once,
   * without running the exit handlers beside it. */
  _exit (0);
}

/* PipeWire killed under PortAudio's ALSA device: stream-error arrives
 * (STALLED or DEVICE_LOST), running goes FALSE, shut_down() and dispose
 * return, and a stream that could not be closed is counted.  What the
 * PortAudio thread writes to stderr is measured (a TAP comment) and
 * bounded once the engine noticed: see killed_under_alsa_child(). */
static void
test_killed_under_alsa (void)
{
  FlitzisTestPipewire *session;
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;
  g_autofree char *pid = NULL;

  if (g_test_subprocess ())
    {
      killed_under_alsa_child ();
      return;
    }
  dir = flitzis_test_make_tmpdir ();
  config = flitzis_test_pipewire_alsa_config (dir);
  if (config == NULL)
    {
      flitzis_test_remove_tree (dir);
      return;
    }
  session = flitzis_test_pipewire_start (RATE, PERIOD);
  pid = g_strdup_printf ("%d", flitzis_test_pipewire_get_pid (session));
  g_setenv ("ALSA_CONFIG_PATH", config, TRUE);
  g_setenv ("FLITZIS_TEST_KILL_PID", pid, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC * flitzis_test_slowdown (),
                          G_TEST_SUBPROCESS_INHERIT_STDOUT);
  g_unsetenv ("FLITZIS_TEST_KILL_PID");
  g_unsetenv ("ALSA_CONFIG_PATH");
  /* Reaps the daemon the subprocess killed, and WirePlumber. */
  flitzis_test_pipewire_kill (session);
  g_test_trap_assert_passed ();
  flitzis_test_pipewire_restart (session);
  flitzis_test_pipewire_stop (session);
  flitzis_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGABRT, thaw_on_abort);
  g_test_add_func ("/engine/watchdog/pipewire/frozen-native", test_frozen_native);
  g_test_add_func ("/engine/watchdog/pipewire/dispose-frozen-native", test_dispose_frozen_native);
  g_test_add_func ("/engine/watchdog/pipewire/killed-under-alsa", test_killed_under_alsa);
  return g_test_run ();
}
