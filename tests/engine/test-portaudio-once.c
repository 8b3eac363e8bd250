/* test-portaudio-once.c: PortAudio is initialised once per process while
 * an engine exists, not per run() or device listing
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pa_Initialize() and Pa_Terminate() are wrapped (-Wl,--wrap) and counted.
 * The engine plays through PortAudio's ALSA host API on a null PCM (no
 * sound card needed, no JACK server reachable).  With Debian's pipewire-alsa
 * configured, every Pa_Initialize()/Pa_Terminate() pair kept about 20 KB
 * of heap inside alsa-lib: the second test measures the heap over 16
 * listings and failed runs under that configuration.  It needs PipeWire's
 * ALSA plug-in (the pipewire-alsa package, or its library directory in
 * FLITZIS_TEST_PIPEWIRE_ALSA_DIR) and skips without it, unless
 * FLITZIS_TEST_REQUIRE_PIPEWIRE_ALSA=1 (CI) makes that a failure.
 */
#include "config.h"

#define _GNU_SOURCE 1   /* dladdr() */
#include <dlfcn.h>
#include <malloc.h>

#include <alsa/asoundlib.h>
#include <portaudio.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "flitzis-test-pipewire.h"

/* Heap the 16 rounds may add: they added 297 KB before PortAudio was kept
 * initialised (measured with the extracted pipewire-alsa 0.3.65). */
#define HEAP_SLACK (48 * 1024)
#define ROUNDS 16

static int initialize_calls, terminate_calls;

PaError __real_Pa_Initialize (void);
PaError __wrap_Pa_Initialize (void);
PaError __real_Pa_Terminate (void);
PaError __wrap_Pa_Terminate (void);

/* Called inside the engine's PortAudio gate, one thread at a time. */
PaError
__wrap_Pa_Initialize (void)
{
  g_atomic_int_inc (&initialize_calls);
  return __real_Pa_Initialize ();
}

PaError
__wrap_Pa_Terminate (void)
{
  g_atomic_int_inc (&terminate_calls);
  return __real_Pa_Terminate ();
}

static void
no_jack (void)
{
  g_setenv ("JACK_DEFAULT_SERVER", "flitzis-test-no-such-server", TRUE);
  g_setenv ("JACK_NO_START_SERVER", "1", TRUE);
  g_unsetenv ("FLITZIS_DEVICE");
}

static guint
n_devices (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) devices = flitzis_audio_engine_list_output_devices (&error);

  g_assert_no_error (error);
  return g_list_model_get_n_items (devices);
}

/* ---- counted, on a null PCM ---- */

static void
test_initialised_once (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *conf = NULL;
  FlitzisAudioEngine *engine;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  /* One device, "default", that PortAudio plays into as fast as it can. */
  dir = flitzis_test_make_tmpdir ();
  conf = flitzis_test_write_text (dir, "alsa.conf",
                                  "pcm.!default { type file slave.pcm { type null }"
                                  " file \"/dev/null\" format \"raw\" }\n");
  g_setenv ("ALSA_CONFIG_PATH", conf, TRUE);
  no_jack ();

  engine = flitzis_audio_engine_new ();
  g_assert_cmpint (initialize_calls, ==, 0);   /* not before it is needed */
  g_assert_cmpuint (n_devices (), >=, 1);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_true (flitzis_audio_engine_run (engine, &error));
      g_assert_no_error (error);
      flitzis_test_wait_frames (NULL, engine, 4096);
      flitzis_audio_engine_shut_down (engine);
      g_assert_cmpuint (n_devices (), >=, 1);
    }
  /* Five runs and six listings: one initialisation, no termination. */
  g_assert_cmpint (initialize_calls, ==, 1);
  g_assert_cmpint (terminate_calls, ==, 0);
  /* The last engine gone, PortAudio goes too. */
  g_object_unref (engine);
  g_assert_cmpint (terminate_calls, ==, 1);
  /* Without an engine, a listing is a user of its own while it lasts. */
  g_assert_cmpuint (n_devices (), >=, 1);
  g_assert_cmpint (initialize_calls, ==, 2);
  g_assert_cmpint (terminate_calls, ==, 2);
  flitzis_test_remove_tree (dir);
}

/* ---- the heap, with pipewire-alsa's configuration ---- */

static gboolean
pipewire_plugin_loaded (void)
{
  g_autofree char *maps = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, "libasound_module_pcm_pipewire.so") != NULL;
}

static gsize
heap_in_use (void)
{
  struct mallinfo2 info;

  malloc_trim (0);
  info = mallinfo2 ();
  return info.uordblks + info.hblkhd;
}

/* One round: a listing and a run() that finds no device (no PipeWire
 * daemon runs: the pipewire PCM cannot open). */
static void
round_trip (FlitzisAudioEngine *engine)
{
  g_autoptr (GError) error = NULL;

  n_devices ();
  g_assert_false (flitzis_audio_engine_run (engine, &error));
  g_assert_nonnull (error);
}

static void
test_heap_with_pipewire_alsa (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *runtime = NULL;
  FlitzisAudioEngine *engine;
  gsize before, after;

  dir = flitzis_test_make_tmpdir ();
  path = flitzis_test_pipewire_alsa_config (dir);
  if (path == NULL)
    {
      flitzis_test_remove_tree (dir);
      return;
    }
  if (flitzis_test_instrumented ())
    {
      g_test_skip ("heap measurements measure the instrument");
      flitzis_test_remove_tree (dir);
      return;
    }
  if (!g_test_subprocess ())
    {
      flitzis_test_remove_tree (dir);
      /* Its stdout carries the figures as TAP comments. */
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT);
      g_test_trap_assert_passed ();
      return;
    }
  /* The system's configuration, pipewire-alsa's on top, and where its
   * plug-in is; no PipeWire daemon to be found. */
  g_setenv ("ALSA_CONFIG_PATH", path, TRUE);
  runtime = g_build_filename (dir, "run", NULL);
  g_setenv ("PIPEWIRE_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  no_jack ();

  engine = flitzis_audio_engine_new ();
  /* Warm up: one-time allocations of GLib, alsa-lib and PipeWire. */
  for (guint i = 0; i < 2; i++)
    round_trip (engine);
  g_assert_true (pipewire_plugin_loaded ());
  before = heap_in_use ();
  for (guint i = 0; i < ROUNDS; i++)
    round_trip (engine);
  after = heap_in_use ();
  /* A TAP comment on the inherited stdout (the subprocess reports no
   * messages of its own). */
  g_print ("# heap in use: %zu bytes before %u listings and runs, %zu after (%+zd)\n",
           before, ROUNDS, after, (gssize) (after - before));
  g_assert_cmpint (initialize_calls, ==, 1);
  g_assert_cmpuint (after, <=, before + HEAP_SLACK);
  g_object_unref (engine);
  flitzis_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/portaudio/initialised-once", test_initialised_once);
  g_test_add_func ("/engine/portaudio/heap-with-pipewire-alsa", test_heap_with_pipewire_alsa);
  return g_test_run ();
}
