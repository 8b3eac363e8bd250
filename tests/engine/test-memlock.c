/* test-memlock.c: samples locked in RAM
 * ([property@Flitzis.AudioEngine:lock-memory])
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the kernel counts as locked (VmLck in /proc/self/status) grows by
 * at least a sample's size when it is loaded with lock-memory set (the
 * default; these tests run as root, whom the system allows), and comes
 * back once the sample is freed; with lock-memory off nothing is locked.
 * A system that refuses (an unprivileged user whose RLIMIT_MEMLOCK is 0)
 * still loads and plays the sample, and says it is not locked.
 * Offline engines: exact, and nothing waits on a device.
 */
#include "config.h"

#include <sys/resource.h>
#include <unistd.h>

#include "flitzis.h"
#include "flitzis-test.h"

#define RATE FLITZIS_TEST_RATE
/* Two seconds of stereo float: 768 KB, well over a few pages. */
#define FRAMES (2 * RATE)

/* The sanitizers replace mlock() by a call that locks nothing (their
 * shadow memory must stay pageable): what the kernel counts cannot be
 * checked there.  valgrind passes it through. */
static gboolean
sanitized (void)
{
  return flitzis_test_instrumented () && flitzis_test_slowdown () == 1;
}

static FlitzisAudioEngine *
new_running_offline (void)
{
  FlitzisAudioEngine *engine = flitzis_audio_engine_new_offline (RATE, 2);

  flitzis_test_run_ok (engine);
  return engine;
}

static GBytes *
make_pcm (void)
{
  float *data = flitzis_test_signal (2 * FRAMES, 7);

  return g_bytes_new_take (data, 2 * FRAMES * sizeof (float));
}

static FlitzisSampleInfo *
load (FlitzisAudioEngine *engine, GBytes *pcm)
{
  g_autoptr (GError) error = NULL;
  FlitzisSampleInfo *info;

  g_assert_true (flitzis_audio_engine_load_sample_from_bytes (engine, 0, pcm, RATE, 2, &error));
  info = flitzis_audio_engine_dup_sample_info (engine, 0, &error);
  g_assert_no_error (error);
  return info;
}

/* Locked: VmLck grows by the sample's frames at least, and falls back
 * once the engine (and with it the sample) is gone. */
static void
test_locked (void)
{
  FlitzisAudioEngine *engine = new_running_offline ();
  g_autoptr (GBytes) pcm = make_pcm ();
  g_autoptr (FlitzisSampleInfo) info = NULL;
  gsize before = flitzis_test_proc_status_bytes ("VmLck");
  struct rlimit limit;
  gsize locked;

  g_assert_cmpint (getrlimit (RLIMIT_MEMLOCK, &limit), ==, 0);
  if (geteuid () != 0 && limit.rlim_cur != RLIM_INFINITY &&
      limit.rlim_cur < before + 4 * FRAMES * sizeof (float))
    {
      g_test_skip ("the system allows this user too little locked memory (ulimit -l)");
      g_assert_finalize_object (engine);
      return;
    }
  g_assert_true (flitzis_audio_engine_get_lock_memory (engine));
  info = load (engine, pcm);
  locked = flitzis_test_proc_status_bytes ("VmLck");
  g_test_message ("VmLck %zu -> %zu bytes for a sample of %zu bytes", before, locked,
                  flitzis_sample_info_get_memory_size (info));
  g_assert_true (flitzis_sample_info_get_memory_locked (info));
  g_assert_finalize_object (engine);
  if (sanitized ())
    {
      g_test_skip ("the sanitizers' mlock() locks nothing: VmLck cannot be checked");
      return;
    }
  g_assert_cmpuint (locked, >=, before + 2 * FRAMES * sizeof (float));
  g_assert_cmpuint (flitzis_test_proc_status_bytes ("VmLck"), ==, before);
}

/* Off: the sample loads and is not locked; the property notifies. */
static void
test_off (void)
{
  FlitzisAudioEngine *engine = new_running_offline ();
  g_autoptr (GBytes) pcm = make_pcm ();
  g_autoptr (FlitzisSampleInfo) info = NULL;
  gsize before = flitzis_test_proc_status_bytes ("VmLck");
  guint notified = 0;
  gboolean value = TRUE;

  g_signal_connect (engine, "notify::lock-memory", G_CALLBACK (flitzis_test_count_notify),
                    &notified);
  g_object_set (engine, "lock-memory", FALSE, NULL);
  g_object_set (engine, "lock-memory", FALSE, NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (engine, "lock-memory", &value, NULL);
  g_assert_false (value);
  info = load (engine, pcm);
  g_assert_false (flitzis_sample_info_get_memory_locked (info));
  g_assert_cmpuint (flitzis_test_proc_status_bytes ("VmLck"), ==, before);
  g_assert_finalize_object (engine);
}

/* Refused: an unprivileged user with no locked memory allowed.  The
 * sample loads, plays, and is not locked. */
static void
test_refused (void)
{
  if (g_test_subprocess ())
    {
      const struct rlimit none = { 0, 0 };
      FlitzisAudioEngine *engine;
      g_autoptr (GBytes) pcm = make_pcm ();
      g_autoptr (FlitzisSampleInfo) info = NULL;
      g_autofree float *out = g_new0 (float, 2 * 256);

      g_assert_cmpint (setrlimit (RLIMIT_MEMLOCK, &none), ==, 0);
      if (getuid () == 0)
        g_assert_cmpint (setuid (65534), ==, 0);   /* nobody: no CAP_IPC_LOCK */
      engine = new_running_offline ();
      info = load (engine, pcm);
      g_assert_false (flitzis_sample_info_get_memory_locked (info));
      g_assert_cmpuint (flitzis_test_proc_status_bytes ("VmLck"), ==, 0);
      flitzis_test_play_ok (engine, 0, 1.0f);
      flitzis_test_render_ok (engine, out, 256);
      g_assert_cmpint (flitzis_test_first_sound (out, 256, 2), >=, 0);
      g_assert_finalize_object (engine);
      return;
    }
  if (sanitized ())
    {
      g_test_skip ("the sanitizers' mlock() never refuses");
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC * flitzis_test_slowdown (), 0);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/samples/lock-memory/locked", test_locked);
  g_test_add_func ("/engine/samples/lock-memory/off", test_off);
  g_test_add_func ("/engine/samples/lock-memory/refused", test_refused);
  return g_test_run ();
}
