/* test-pipewire.c: the native PipeWire back-end, on a private PipeWire
 * session (PipeWire, WirePlumber, a null sink; flitzis-test-pipewire.h)
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One session for the program, started in main() and stopped by PID at
 * the end; the restart case kills and starts it again.  What is played is
 * recorded from the sink's monitor by a capture stream of this process,
 * and compared with an offline engine's render, bit for bit.
 */
#include "config.h"

#include <string.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-pipewire.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD

static FlitzisTestPipewire *session;

typedef struct {
  FlitzisAudioEngine *engine;
  char *dir;
  GError *stream_error;
  guint active_notifies;
} Fixture;

static void
on_stream_error (FlitzisAudioEngine *engine, const GError *error, guint64 frame, gpointer data)
{
  Fixture *fixture = data;

  (void) engine;
  g_assert_cmpuint (frame, >, 0);
  g_clear_error (&fixture->stream_error);
  fixture->stream_error = g_error_copy (error);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->engine = flitzis_audio_engine_new ();
  fixture->dir = flitzis_test_make_tmpdir ();
  flitzis_audio_engine_set_period_frames (fixture->engine, PERIOD);
  g_signal_connect (fixture->engine, "stream-error", G_CALLBACK (on_stream_error), fixture);
  g_signal_connect (fixture->engine, "notify::active-backend",
                    G_CALLBACK (flitzis_test_count_notify), &fixture->active_notifies);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_finalize_object (fixture->engine);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  g_clear_error (&fixture->stream_error);
  flitzis_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

/* ---- back-end choice ---- */

static gboolean
notified_once (gpointer data)
{
  return *(guint *) data >= 1;
}

/* AUTO takes the running PipeWire server: a native stream at the graph's
 * rate, and says so. */
static void
test_auto_takes_pipewire (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_assert_cmpint (flitzis_audio_engine_detect_backend (), ==, FLITZIS_BACKEND_PIPEWIRE);
  g_assert_cmpint (flitzis_audio_engine_get_backend (fixture->engine), ==, FLITZIS_BACKEND_AUTO);
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (fixture->engine), ==,
                   FLITZIS_BACKEND_AUTO);
  flitzis_test_run_ok (fixture->engine);
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (fixture->engine), ==,
                   FLITZIS_BACKEND_PIPEWIRE);
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (fixture->engine), ==, RATE);
  g_assert_cmpuint (flitzis_audio_engine_get_channels (fixture->engine), ==, 2);
  /* At least the period asked for, as the node's latency. */
  g_assert_cmpfloat (flitzis_audio_engine_get_latency (fixture->engine), >=, (double) PERIOD / RATE);
  g_assert_true (flitzis_test_wait_until (NULL, notified_once, &fixture->active_notifies, 5000));
  flitzis_test_wait_frames (NULL, fixture->engine, 4 * PERIOD);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (fixture->engine), ==,
                   FLITZIS_BACKEND_AUTO);
}

/* A back-end asked for that is not there is a clear error, and changes
 * nothing: PipeWire with no server in this environment, JACK with no
 * JACK server, a FLITZIS_BACKEND that names none. */
static void
test_missing_backends (Fixture *fixture, gconstpointer data)
{
  g_autofree char *runtime_dir = g_strdup (g_getenv ("PIPEWIRE_RUNTIME_DIR"));
  g_autofree char *nowhere = g_build_filename (fixture->dir, "no-pipewire-here", NULL);
  g_autoptr (GError) error = NULL;

  (void) data;
  g_setenv ("PIPEWIRE_RUNTIME_DIR", nowhere, TRUE);
  flitzis_audio_engine_set_backend (fixture->engine, FLITZIS_BACKEND_PIPEWIRE);
  g_assert_false (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "PipeWire"));
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (fixture->engine), ==,
                   FLITZIS_BACKEND_AUTO);
  g_clear_error (&error);
  /* AUTO then does not take it: there is none to take. */
  g_assert_cmpint (flitzis_audio_engine_detect_backend (), !=, FLITZIS_BACKEND_PIPEWIRE);
  g_setenv ("PIPEWIRE_RUNTIME_DIR", runtime_dir, TRUE);

  g_setenv ("JACK_DEFAULT_SERVER", "flitzis-test-no-such-server", TRUE);
  g_setenv ("JACK_NO_START_SERVER", "1", TRUE);
  flitzis_audio_engine_set_backend (fixture->engine, FLITZIS_BACKEND_JACK);
  g_assert_false (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "JACK"));
  g_clear_error (&error);

  flitzis_audio_engine_set_backend (fixture->engine, FLITZIS_BACKEND_AUTO);
  g_setenv ("FLITZIS_BACKEND", "pulseaudio", TRUE);
  g_assert_false (flitzis_audio_engine_run (fixture->engine, &error));
  g_unsetenv ("FLITZIS_BACKEND");
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "pulseaudio"));
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
}

/* ---- devices ---- */

static FlitzisDevice *
find_device (GListModel *devices, const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr (FlitzisDevice) device = g_list_model_get_item (devices, i);

      if (g_strcmp0 (flitzis_device_get_name (device), name) == 0)
        return g_steal_pointer (&device);
    }
  return NULL;
}

/* The sinks are listed by the names the desktop shows, the default one
 * marked; the device property takes that name or the node's. */
static void
test_list_and_select (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) devices = flitzis_audio_engine_list_output_devices (&error);
  g_autoptr (FlitzisDevice) sink = NULL;

  (void) data;
  g_assert_no_error (error);
  sink = find_device (devices, FLITZIS_TEST_PW_SINK_DESCRIPTION);
  g_assert_nonnull (sink);
  g_assert_cmpstr (flitzis_device_get_host_api (sink), ==, "PipeWire");
  g_assert_cmpuint (flitzis_device_get_max_output_channels (sink), ==, 2);
  g_assert_cmpfloat (flitzis_device_get_default_sample_rate (sink), ==, RATE);
  g_assert_true (flitzis_device_get_is_default (sink));

  for (guint i = 0; i < 2; i++)
    {
      flitzis_audio_engine_set_device (fixture->engine, i == 0 ? FLITZIS_TEST_PW_SINK_DESCRIPTION
                                                               : FLITZIS_TEST_PW_SINK);
      flitzis_test_run_ok (fixture->engine);
      g_assert_cmpint (flitzis_audio_engine_get_active_backend (fixture->engine), ==,
                       FLITZIS_BACKEND_PIPEWIRE);
      flitzis_test_wait_frames (NULL, fixture->engine, 2 * PERIOD);
      flitzis_audio_engine_shut_down (fixture->engine);
    }

  flitzis_audio_engine_set_backend (fixture->engine, FLITZIS_BACKEND_PIPEWIRE);
  flitzis_audio_engine_set_device (fixture->engine, "No such sink");
  g_assert_false (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "No such sink"));
  g_assert_nonnull (strstr (error->message, FLITZIS_TEST_PW_SINK_DESCRIPTION));
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
}

/* "flitzis devices" lists the sink, marked, and says the back-end. */
static void
test_tool_devices (void)
{
  g_autofree char *tool = g_test_build_filename (G_TEST_BUILT, "..", "tools", "flitzis", NULL);
  const char *argv[] = { tool, "devices", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (out, "* " FLITZIS_TEST_PW_SINK_DESCRIPTION " "));
  g_assert_nonnull (strstr (out, "PipeWire"));
  g_assert_nonnull (strstr (out, "Back-end: PipeWire"));
}

/* ---- playing, captured from the sink's monitor ---- */

/* What the native stream plays arrives in the sink sample for sample: the
 * capture holds silence, then exactly what an offline engine renders for
 * the same file and trigger, both channels, then silence. */
static void
test_offline_matches_live (Fixture *fixture, gconstpointer data)
{
  const gsize length = 3000;
  g_autofree float *left = flitzis_test_signal (length, 8);
  g_autofree float *right = flitzis_test_signal (length, 9);
  g_autofree char *path = flitzis_test_write_stereo (fixture->dir, "both.wav", RATE, left, right,
                                                     length);
  g_autofree float *offline = flitzis_test_render_played (path, 2, 0.7f, length + PERIOD);
  guint64 xruns, cycles;

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_load_ok (fixture->engine, 2, path);
  flitzis_test_pipewire_assert_plays (session, fixture->engine, 2, 0.7f, offline, length + PERIOD);
  xruns = flitzis_test_count (fixture->engine, flitzis_engine_stats_get_xruns);
  cycles = flitzis_audio_engine_get_frame_time (fixture->engine) / PERIOD;
  g_test_message ("%" G_GUINT64_FORMAT " xruns in %" G_GUINT64_FORMAT " cycles", xruns, cycles);
  /* Every cycle the graph ran without the engine's node is an xrun: on a
   * loaded machine the node is late now and then (under valgrind every
   * few cycles: 11 in 44 here), and says so; an xrun counted where none
   * was would come every cycle.  So fewer than half the cycles, whatever
   * the machine's timing: the bound tells the two apart, not how busy
   * the machine is. */
  g_assert_cmpuint (xruns * 2, <, cycles);
}

/* ---- hot-plug ---- */

typedef struct {
  GListModel *model;
  const char *name;
  gboolean present;
} ModelCondition;

static gboolean
model_has (gpointer data)
{
  ModelCondition *condition = data;
  g_autoptr (FlitzisDevice) device = find_device (condition->model, condition->name);

  return (device != NULL) == condition->present;
}

static void
count_changes (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  (void) model; (void) position;
  *(guint *) data += removed + added;
}

/* The live model follows a sink that is loaded and unloaded, in the main
 * context. */
static void
test_monitor_follows_sinks (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) model = flitzis_audio_engine_monitor_output_devices (&error);
  ModelCondition condition = { model, "flitzis-hot-plugged", TRUE };
  g_autoptr (FlitzisDevice) device = NULL;
  guint changes = 0, before;

  (void) fixture; (void) data;
  g_assert_no_error (error);
  device = find_device (model, FLITZIS_TEST_PW_SINK_DESCRIPTION);
  g_assert_nonnull (device);
  g_assert_true (flitzis_device_get_is_default (device));
  before = g_list_model_get_n_items (model);
  g_signal_connect (model, "items-changed", G_CALLBACK (count_changes), &changes);

  flitzis_test_pipewire_add_sink (session, "flitzis-hot-plugged");
  g_assert_true (flitzis_test_wait_until (NULL, model_has, &condition, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, before + 1);
  g_clear_object (&device);
  device = find_device (model, "flitzis-hot-plugged");
  g_assert_cmpuint (flitzis_device_get_max_output_channels (device), ==, 2);
  g_assert_cmpstr (flitzis_device_get_host_api (device), ==, "PipeWire");
  g_assert_cmpuint (changes, >=, 1);

  /* It is playable by that name at once. */
  flitzis_audio_engine_set_device (fixture->engine, "flitzis-hot-plugged");
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_wait_frames (NULL, fixture->engine, 2 * PERIOD);
  flitzis_audio_engine_shut_down (fixture->engine);

  flitzis_test_pipewire_remove_sink (session, "flitzis-hot-plugged");
  condition.present = FALSE;
  g_assert_true (flitzis_test_wait_until (NULL, model_has, &condition, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, before);
}

static gboolean
stopped_with_error (gpointer data)
{
  Fixture *fixture = data;

  return fixture->stream_error != NULL && !flitzis_audio_engine_get_running (fixture->engine);
}

/* The sink the engine plays into goes away: stream-error, and the engine
 * shuts down, as on JACK. */
static void
test_sink_goes_away (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) model = flitzis_audio_engine_monitor_output_devices (&error);
  ModelCondition condition = { model, "flitzis-short-lived", TRUE };

  (void) data;
  flitzis_test_pipewire_add_sink (session, "flitzis-short-lived");
  g_assert_true (flitzis_test_wait_until (NULL, model_has, &condition, 10000));
  flitzis_audio_engine_set_device (fixture->engine, "flitzis-short-lived");
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_wait_frames (NULL, fixture->engine, 4 * PERIOD);
  flitzis_test_pipewire_remove_sink (session, "flitzis-short-lived");
  g_assert_true (flitzis_test_wait_until (NULL, stopped_with_error, fixture, 10000));
  g_assert_error (fixture->stream_error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_LOST);
}

/* ---- the server restarts ---- */

static gboolean
model_empty (gpointer data)
{
  return g_list_model_get_n_items (data) == 0;
}

/* PipeWire is killed under a playing engine: stream-error, the engine
 * shuts down, the live model empties; once the server is back, the model
 * fills again and run() plays again. */
static void
test_server_restart (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_sample (fixture->dir, "loop.wav", RATE, 2, RATE / 4,
                                                     3, 0.3f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) model = flitzis_audio_engine_monitor_output_devices (&error);
  ModelCondition back = { model, FLITZIS_TEST_PW_SINK_DESCRIPTION, TRUE };

  (void) data;
  g_assert_no_error (error);
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_load_ok (fixture->engine, 0, path);
  g_assert_true (flitzis_audio_engine_set_sample_loop (fixture->engine, 0, TRUE, 0, 0, &error));
  g_assert_no_error (error);
  flitzis_test_play_ok (fixture->engine, 0, 1.0f);
  flitzis_test_wait_frames (NULL, fixture->engine, 8 * PERIOD);

  flitzis_test_pipewire_kill (session);
  g_assert_true (flitzis_test_wait_until (NULL, stopped_with_error, fixture, 10000));
  g_assert_error (fixture->stream_error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_LOST);
  g_assert_true (flitzis_test_wait_until (NULL, model_empty, model, 10000));

  flitzis_test_pipewire_restart (session);
  g_assert_true (flitzis_test_wait_until (NULL, model_has, &back, 20000));
  flitzis_test_run_ok (fixture->engine);
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (fixture->engine), ==,
                   FLITZIS_BACKEND_PIPEWIRE);
  flitzis_test_load_ok (fixture->engine, 0, path);
  flitzis_test_play_ok (fixture->engine, 0, 1.0f);
  flitzis_test_wait_frames (NULL, fixture->engine, 8 * PERIOD);
}

/* ---- xruns ---- */

/* A period that comes late makes the graph go on without the stream: the
 * cycles it missed are lost output, counted as an xrun and signalled, as
 * a cycle without a free buffer is (a stream is told of nothing else). */
static void
test_missed_cycles (Fixture *fixture, gconstpointer data)
{
  (void) data;
  flitzis_audio_engine_set_backend (fixture->engine, FLITZIS_BACKEND_PIPEWIRE);
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_pipewire_assert_stall_counted (fixture->engine);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  session = flitzis_test_pipewire_start (RATE, PERIOD);

  ADD ("/engine/pipewire/backend/auto-takes-pipewire", test_auto_takes_pipewire);
  ADD ("/engine/pipewire/backend/missing", test_missing_backends);
  ADD ("/engine/pipewire/devices/list-and-select", test_list_and_select);
  g_test_add_func ("/engine/pipewire/devices/tool", test_tool_devices);
  ADD ("/engine/pipewire/play/offline-matches-live", test_offline_matches_live);
  ADD ("/engine/pipewire/devices/monitor-follows-sinks", test_monitor_follows_sinks);
  ADD ("/engine/pipewire/devices/sink-goes-away", test_sink_goes_away);
  ADD ("/engine/pipewire/server/restart", test_server_restart);
  ADD ("/engine/pipewire/xrun/missed-cycles", test_missed_cycles);

  status = g_test_run ();
  flitzis_test_pipewire_stop (session);
  return status;
}
