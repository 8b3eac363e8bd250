/* test-scheduling.c: whether the audio thread got real-time scheduling
 * ([property@Flitzis.AudioEngine:realtime-scheduling])
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The property is the audio thread's own policy, read back from the
 * kernel: TRUE for SCHED_FIFO or SCHED_RR.  These tests run as root (the
 * system allows real-time scheduling), on private servers:
 * - a JACK dummy server, real-time (jackd's default): libjack makes its
 *   process thread SCHED_FIFO, and the property says so; the same server
 *   started with --no-realtime gives a SCHED_OTHER thread, and FALSE;
 * - a PipeWire session, native stream: the data thread, made real-time by
 *   the client's module-rt;
 * - PortAudio's ALSA host API, into pipewire-alsa's "pipewire" PCM:
 *   PaAlsa_EnableRealtimeScheduling() (issue 20, item 6: the callback
 *   thread was SCHED_OTHER).
 * Offline engines have no audio thread of their own: always FALSE.  What
 * each back-end's thread got is also checked against the kernel's view,
 * /proc/self/task/TID/stat (policy, field 41), independently of
 * pthread_getschedparam().
 * Nothing sleeps: the main context is iterated until a condition holds.
 */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"
#include "flitzis-test-pipewire.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD

/* Whether the system lets this process's threads be real-time: root, or
 * an RLIMIT_RTPRIO.  Otherwise every back-end's thread stays SCHED_OTHER,
 * and the tests that expect TRUE skip (Debian's unprivileged buildds). */
static gboolean
system_allows_realtime (void)
{
  struct rlimit limit;

  if (geteuid () == 0)
    return TRUE;
  if (getrlimit (RLIMIT_RTPRIO, &limit) == 0 && limit.rlim_cur > 0)
    return TRUE;
  g_test_skip ("the system allows this user no real-time scheduling (RLIMIT_RTPRIO)");
  return FALSE;
}

static gboolean
is_realtime (gpointer data)
{
  return flitzis_audio_engine_get_realtime_scheduling (data);
}

/* How many of this process's threads the kernel runs SCHED_FIFO or
 * SCHED_RR (policy 1 or 2, the 41st field of /proc/self/task/TID/stat). */
static guint
count_realtime_threads (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "stat", NULL);
      g_autofree char *stat = NULL;
      g_auto (GStrv) fields = NULL;
      const char *after_name;

      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;                 /* the thread has just ended */
      /* The name (field 2) is in parentheses and may hold spaces. */
      after_name = strrchr (stat, ')');
      g_assert_nonnull (after_name);
      fields = g_strsplit (after_name + 2, " ", -1);
      /* fields[0] is field 3: policy, field 41, is fields[38]. */
      g_assert_cmpuint (g_strv_length (fields), >, 38);
      if (g_strcmp0 (fields[38], "1") == 0 || g_strcmp0 (fields[38], "2") == 0)
        n++;
    }
  return n;
}

/* Plays on the running engine until frames advance, then waits (5 s at
 * most) for the property to become @expected; checks notify. */
static void
assert_scheduling (FlitzisAudioEngine *engine, gboolean expected)
{
  guint notified = 0;
  gulong handler = g_signal_connect (engine, "notify::realtime-scheduling",
                                     G_CALLBACK (flitzis_test_count_notify), &notified);

  flitzis_test_wait_frames (NULL, engine, 8 * PERIOD);
  if (expected)
    {
      g_assert_true (flitzis_test_wait_until (NULL, is_realtime, engine, 5000));
      g_assert_cmpuint (notified, ==, 1);
    }
  else
    {
      /* Known by now (the first period came and went): it stays FALSE. */
      flitzis_test_wait_frames (NULL, engine, 8 * PERIOD);
      g_assert_false (flitzis_audio_engine_get_realtime_scheduling (engine));
      g_assert_cmpuint (notified, ==, 0);
    }
  g_signal_handler_disconnect (engine, handler);
}

/* shut_down(): FALSE, and notified when it was TRUE. */
static void
assert_shut_down_clears (FlitzisAudioEngine *engine)
{
  guint notified = 0;
  gulong handler = g_signal_connect (engine, "notify::realtime-scheduling",
                                     G_CALLBACK (flitzis_test_count_notify), &notified);
  gboolean was = flitzis_audio_engine_get_realtime_scheduling (engine);

  flitzis_audio_engine_shut_down (engine);
  g_assert_false (flitzis_audio_engine_get_realtime_scheduling (engine));
  g_assert_cmpuint (notified, >=, was ? 1 : 0);
  g_signal_handler_disconnect (engine, handler);
}

static void
test_offline (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autofree float *out = g_new0 (float, 2 * PERIOD);
  gboolean value = TRUE;

  flitzis_test_run_ok (engine);
  g_assert_false (flitzis_audio_engine_get_realtime_scheduling (engine));
  flitzis_test_render_ok (engine, out, PERIOD);
  g_object_get (engine, "realtime-scheduling", &value, NULL);
  g_assert_false (value);
}

/* Not running: FALSE; the property is read-only. */
static void
test_not_running (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (engine),
                                                    "realtime-scheduling");

  g_assert_nonnull (pspec);
  g_assert_true (pspec->flags & G_PARAM_READABLE);
  g_assert_false (pspec->flags & G_PARAM_WRITABLE);
  g_assert_false (flitzis_audio_engine_get_realtime_scheduling (engine));
}

static void
run_on (FlitzisAudioEngine *engine, FlitzisBackend backend)
{
  flitzis_audio_engine_set_backend (engine, backend);
  flitzis_audio_engine_set_period_frames (engine, PERIOD);
  flitzis_test_run_ok (engine);
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (engine), ==, backend);
}

/* A real-time JACK server: the process thread is SCHED_FIFO. */
static void
test_jack (void)
{
  FlitzisTestJack *jack;
  FlitzisAudioEngine *engine;
  guint before;

  if (!system_allows_realtime ())
    return;
  jack = flitzis_test_jack_start (RATE, PERIOD);
  engine = flitzis_audio_engine_new ();
  before = count_realtime_threads ();

  run_on (engine, FLITZIS_BACKEND_JACK);
  assert_scheduling (engine, TRUE);
  /* The test's own capture client is real-time too: at least one more
   * real-time thread than before, as the kernel sees it. */
  g_assert_cmpuint (count_realtime_threads (), >, before);
  assert_shut_down_clears (engine);
  /* A second run: known again, from its own first period. */
  flitzis_test_run_ok (engine);
  assert_scheduling (engine, TRUE);
  g_assert_finalize_object (engine);
  flitzis_test_jack_stop (jack);
}

/* The same server without real-time: libjack's thread stays
 * SCHED_OTHER, and the property says FALSE. */
static void
test_jack_no_realtime (void)
{
  FlitzisTestJack *jack = flitzis_test_jack_start_no_realtime (RATE, PERIOD);
  FlitzisAudioEngine *engine = flitzis_audio_engine_new ();

  g_assert_cmpuint (count_realtime_threads (), ==, 0);
  run_on (engine, FLITZIS_BACKEND_JACK);
  assert_scheduling (engine, FALSE);
  g_assert_cmpuint (count_realtime_threads (), ==, 0);
  assert_shut_down_clears (engine);
  g_assert_finalize_object (engine);
  flitzis_test_jack_stop (jack);
}

/* Native PipeWire: the data thread, made real-time by module-rt. */
static void
test_pipewire (void)
{
  FlitzisTestPipewire *session;
  FlitzisAudioEngine *engine;

  if (!system_allows_realtime ())
    return;
  session = flitzis_test_pipewire_start (RATE, PERIOD);
  engine = flitzis_audio_engine_new ();
  run_on (engine, FLITZIS_BACKEND_PIPEWIRE);
  assert_scheduling (engine, TRUE);
  assert_shut_down_clears (engine);
  g_assert_finalize_object (engine);
  flitzis_test_pipewire_stop (session);
}

/* PortAudio's ALSA host API, into pipewire-alsa's PCM: in a subprocess,
 * whose ALSA configuration is set before PortAudio first reads it. */
static void
test_portaudio_alsa (void)
{
  FlitzisTestPipewire *session;
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;

  if (g_test_subprocess ())
    {
      FlitzisAudioEngine *engine = flitzis_audio_engine_new ();

      flitzis_audio_engine_set_device (engine, "pipewire");
      run_on (engine, FLITZIS_BACKEND_PORTAUDIO);
      assert_scheduling (engine, TRUE);
      assert_shut_down_clears (engine);
      g_assert_finalize_object (engine);
      return;
    }
  if (!system_allows_realtime ())
    return;
  dir = flitzis_test_make_tmpdir ();
  config = flitzis_test_pipewire_alsa_config (dir);
  if (config == NULL)
    {
      flitzis_test_remove_tree (dir);
      return;
    }
  session = flitzis_test_pipewire_start (RATE, PERIOD);
  g_setenv ("ALSA_CONFIG_PATH", config, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC * flitzis_test_slowdown (),
                          G_TEST_SUBPROCESS_INHERIT_STDOUT);
  g_unsetenv ("ALSA_CONFIG_PATH");
  g_test_trap_assert_passed ();
  flitzis_test_pipewire_stop (session);
  flitzis_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/scheduling/offline", test_offline);
  g_test_add_func ("/engine/scheduling/not-running", test_not_running);
  g_test_add_func ("/engine/scheduling/jack", test_jack);
  g_test_add_func ("/engine/scheduling/jack-no-realtime", test_jack_no_realtime);
  g_test_add_func ("/engine/scheduling/pipewire", test_pipewire);
  g_test_add_func ("/engine/scheduling/portaudio-alsa", test_portaudio_alsa);
  return g_test_run ();
}
