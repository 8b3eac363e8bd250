/* test-reconnect.c: the reconnect property, on a private PipeWire session
 * (flitzis-test-pipewire.h)
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One session for the program; the server cases kill it and start it
 * again under playing engines.  What plays after a reconnection is
 * recorded from the sink's monitor and compared, bit for bit, with an
 * offline engine's render of the same slot, gain and trigger.
 */
#include "config.h"

#include <string.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-pipewire.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD
#define LENGTH 3000
#define GAIN 0.5f
#define VELOCITY 0.7f

static FlitzisTestPipewire *session;

typedef struct {
  FlitzisAudioEngine *engine;
  char *dir;
  GError *stream_error;
  guint stream_errors;
  guint reconnects;
  guint64 reconnect_frame;
} Engine;

typedef struct {
  Engine a;
  Engine b;
  char *path;                   /* a stereo test signal of LENGTH frames */
  char *loop;
} Fixture;

static void
on_stream_error (FlitzisAudioEngine *engine, const GError *error, guint64 frame, gpointer data)
{
  Engine *e = data;

  (void) engine;
  g_assert_cmpuint (frame, >, 0);
  g_clear_error (&e->stream_error);
  e->stream_error = g_error_copy (error);
  e->stream_errors++;
}

static void
on_reconnected (FlitzisAudioEngine *engine, guint64 frame, gpointer data)
{
  Engine *e = data;

  /* Emitted in the main context, once the new stream runs. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_assert_true (flitzis_audio_engine_get_running (engine));
  g_assert_cmpuint (frame, <=, flitzis_audio_engine_get_frame_time (engine));
  e->reconnect_frame = frame;
  e->reconnects++;
}

static void
engine_setup (Engine *e, gboolean reconnect)
{
  e->engine = flitzis_audio_engine_new ();
  flitzis_audio_engine_set_period_frames (e->engine, PERIOD);
  flitzis_audio_engine_set_backend (e->engine, FLITZIS_BACKEND_PIPEWIRE);
  flitzis_audio_engine_set_reconnect (e->engine, reconnect);
  g_signal_connect (e->engine, "stream-error", G_CALLBACK (on_stream_error), e);
  g_signal_connect (e->engine, "reconnected", G_CALLBACK (on_reconnected), e);
}

static gboolean
engine_gone (gpointer data)
{
  return ((Engine *) data)->engine == NULL;
}

static void
engine_teardown (Engine *e)
{
  if (e->engine == NULL)
    return;
  flitzis_audio_engine_shut_down (e->engine);
  /* The worker of a reconnection attempt holds the engine until it has
   * returned, a moment after what it did is seen here. */
  g_object_add_weak_pointer (G_OBJECT (e->engine), (gpointer *) &e->engine);
  g_object_unref (e->engine);
  g_assert_true (flitzis_test_wait_until (NULL, engine_gone, e, 5000));
  g_clear_error (&e->stream_error);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autofree float *left = flitzis_test_signal (LENGTH, 21);
  g_autofree float *right = flitzis_test_signal (LENGTH, 22);
  g_autofree char *dir = flitzis_test_make_tmpdir ();

  (void) data;
  fixture->a.dir = g_steal_pointer (&dir);
  fixture->path = flitzis_test_write_stereo (fixture->a.dir, "both.wav", RATE, left, right, LENGTH);
  fixture->loop = flitzis_test_write_sample (fixture->a.dir, "loop.wav", RATE, 2, RATE / 4, 3, 0.3f);
  engine_setup (&fixture->a, TRUE);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  engine_teardown (&fixture->a);
  engine_teardown (&fixture->b);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  flitzis_test_remove_tree (fixture->a.dir);
  g_free (fixture->a.dir);
  g_free (fixture->path);
  g_free (fixture->loop);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

/* ---- helpers ---- */

static gboolean
stopped_with_error (gpointer data)
{
  Engine *e = data;

  return e->stream_error != NULL && !flitzis_audio_engine_get_running (e->engine);
}

static gboolean
reconnected (gpointer data)
{
  Engine *e = data;

  return e->reconnects > 0;
}

static gboolean
stream_errors_twice (gpointer data)
{
  return ((Engine *) data)->stream_errors >= 2;
}

/* What an offline engine plays for slot 1 loaded with @path, its gain
 * set (and settled) first, then triggered at @velocity. */
static float *
render_offline (const char *path, gsize n_frames)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;
  g_autofree float *settle = g_new0 (float, PERIOD * 2);
  float *out = g_new0 (float, n_frames * 2);

  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_true (flitzis_audio_engine_load_sample (engine, 1, path, &error));
  g_assert_true (flitzis_audio_engine_set_sample_gain (engine, 1, GAIN, &error));
  /* The 5 ms gain ramp is over before the trigger, as in a core that
   * took the slot over. */
  for (guint i = 0; i < 2; i++)
    flitzis_test_render_ok (engine, settle, PERIOD);
  g_assert_true (flitzis_audio_engine_play_sample (engine, 1, VELOCITY, &error));
  for (gsize done = 0; done < n_frames; done += PERIOD)
    flitzis_test_render_ok (engine, out + 2 * done, MIN (PERIOD, n_frames - done));
  return out;
}

/* Triggers slot 1 of @engine and asserts that the sink received exactly
 * what an offline engine renders for it, after silence. */
static void
assert_slot_plays_exactly (FlitzisAudioEngine *engine, const char *path)
{
  g_autofree float *offline = render_offline (path, LENGTH + PERIOD);

  flitzis_test_pipewire_assert_plays (session, engine, 1, VELOCITY, offline, LENGTH + PERIOD);
}

/* Runs @e, loads slot 0 (looping, playing) and slot 1 (its gain set). */
static void
run_with_slots (Engine *e, Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  flitzis_test_run_ok (e->engine);
  flitzis_test_load_ok (e->engine, 0, fixture->loop);
  g_assert_true (flitzis_audio_engine_set_sample_loop (e->engine, 0, TRUE, 0, 0, &error));
  g_assert_no_error (error);
  flitzis_test_play_ok (e->engine, 0, 1.0f);
  flitzis_test_load_ok (e->engine, 1, fixture->path);
  g_assert_true (flitzis_audio_engine_set_sample_gain (e->engine, 1, GAIN, &error));
  g_assert_no_error (error);
  flitzis_test_wait_frames (NULL, e->engine, 8 * PERIOD);
}

static gboolean
slot_holds (FlitzisAudioEngine *engine, guint slot, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlitzisSampleInfo) info = flitzis_audio_engine_dup_sample_info (engine, slot, &error);

  g_assert_no_error (error);
  return info != NULL && g_strcmp0 (flitzis_sample_info_get_path (info), path) == 0;
}

/* ---- the property ---- */

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (void) object; (void) pspec;
  (*(guint *) data)++;
}

/* Off by default; notified once per change; settable by name. */
static void
test_property (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  gboolean value = TRUE;
  guint notifies = 0;

  (void) fixture; (void) data;
  g_assert_false (flitzis_audio_engine_get_reconnect (engine));
  g_signal_connect (engine, "notify::reconnect", G_CALLBACK (count_notify), &notifies);
  flitzis_audio_engine_set_reconnect (engine, TRUE);
  flitzis_audio_engine_set_reconnect (engine, TRUE);
  g_assert_cmpuint (notifies, ==, 1);
  g_object_get (engine, "reconnect", &value, NULL);
  g_assert_true (value);
  g_object_set (engine, "reconnect", FALSE, NULL);
  g_assert_cmpuint (notifies, ==, 2);
  g_assert_false (flitzis_audio_engine_get_reconnect (engine));
}

/* ---- the server restarts ---- */

/* PipeWire is killed under two playing engines, A with reconnect and B
 * without.  Both report stream-error and stop.  A keeps its slots, and
 * once the server is back it runs again by itself, says so
 * (reconnected), and a trigger of the slot loaded before the crash plays
 * exactly what it played before, at the gain set before: the looping voice
 * that played at the crash does not come back.  B reopens nothing, and
 * has freed its slots. */
static void
test_server_restart (Fixture *fixture, gconstpointer data)
{
  Engine *a = &fixture->a, *b = &fixture->b;

  (void) data;
  engine_setup (b, FALSE);
  run_with_slots (a, fixture);
  run_with_slots (b, fixture);

  flitzis_test_pipewire_kill (session);
  g_assert_true (flitzis_test_wait_until (NULL, stopped_with_error, a, 10000));
  g_assert_true (flitzis_test_wait_until (NULL, stopped_with_error, b, 10000));
  g_assert_error (a->stream_error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_LOST);
  g_assert_nonnull (strstr (a->stream_error->message, "reconnect"));
  g_assert_error (b->stream_error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_LOST);
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (a->engine), ==, FLITZIS_BACKEND_AUTO);
  /* A waits with its slots; B has freed them. */
  g_assert_true (slot_holds (a->engine, 1, fixture->path));
  g_assert_true (slot_holds (a->engine, 0, fixture->loop));
  g_assert_false (slot_holds (b->engine, 1, fixture->path));
  g_assert_cmpuint (a->reconnects, ==, 0);

  flitzis_test_pipewire_restart (session);
  g_assert_true (flitzis_test_wait_until (NULL, reconnected, a, 20000));
  g_assert_true (flitzis_audio_engine_get_running (a->engine));
  g_assert_cmpint (flitzis_audio_engine_get_active_backend (a->engine), ==,
                   FLITZIS_BACKEND_PIPEWIRE);
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (a->engine), ==, RATE);
  g_assert_cmpuint (flitzis_audio_engine_get_channels (a->engine), ==, 2);
  g_assert_cmpuint (a->stream_errors, ==, 1);
  g_assert_true (slot_holds (a->engine, 1, fixture->path));

  assert_slot_plays_exactly (a->engine, fixture->path);
  g_assert_cmpuint (a->reconnects, ==, 1);
  g_assert_cmpuint (flitzis_test_count (a->engine, flitzis_engine_stats_get_dropped_voices), ==, 0);

  /* By now B would have reopened too, had it been going to. */
  g_assert_false (flitzis_audio_engine_get_running (b->engine));
  g_assert_cmpuint (b->reconnects, ==, 0);
  g_assert_cmpuint (b->stream_errors, ==, 1);
}

/* ---- a sink that goes and comes back ---- */

typedef struct {
  GListModel *model;
  const char *name;
} ModelCondition;

static gboolean
model_has (gpointer data)
{
  ModelCondition *condition = data;

  for (guint i = 0; i < g_list_model_get_n_items (condition->model); i++)
    {
      g_autoptr (FlitzisDevice) device = g_list_model_get_item (condition->model, i);

      if (g_strcmp0 (flitzis_device_get_name (device), condition->name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The sink asked for by name goes away while the server stays: A stops,
 * and runs again into that sink once it is loaded again. */
static void
test_sink_comes_back (Fixture *fixture, gconstpointer data)
{
  Engine *a = &fixture->a;
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) model = flitzis_audio_engine_monitor_output_devices (&error);
  ModelCondition condition = { model, "flitzis-comes-back" };

  (void) data;
  g_assert_no_error (error);
  flitzis_test_pipewire_add_sink (session, "flitzis-comes-back");
  g_assert_true (flitzis_test_wait_until (NULL, model_has, &condition, 10000));
  flitzis_audio_engine_set_device (a->engine, "flitzis-comes-back");
  run_with_slots (a, fixture);

  flitzis_test_pipewire_remove_sink (session, "flitzis-comes-back");
  g_assert_true (flitzis_test_wait_until (NULL, stopped_with_error, a, 10000));
  g_assert_true (slot_holds (a->engine, 1, fixture->path));
  flitzis_test_pipewire_add_sink (session, "flitzis-comes-back");
  g_assert_true (flitzis_test_wait_until (NULL, reconnected, a, 20000));
  g_assert_true (flitzis_audio_engine_get_running (a->engine));
  g_assert_true (slot_holds (a->engine, 1, fixture->path));
  flitzis_test_wait_frames (NULL, a->engine, 4 * PERIOD);
  flitzis_test_pipewire_remove_sink (session, "flitzis-comes-back");
  g_assert_true (flitzis_test_wait_until (NULL, stream_errors_twice, a, 10000));
  /* Shut down while waiting: the kept slots are freed (the teardown checks
   * that no sample is left). */
  flitzis_audio_engine_shut_down (a->engine);
  g_assert_false (slot_holds (a->engine, 1, fixture->path));
}

/* The sink comes back with one channel where the samples have two: they
 * are not converted; the engine stops waiting, frees them, and says why
 * in a second stream-error. */
static void
test_other_format_refused (Fixture *fixture, gconstpointer data)
{
  Engine *a = &fixture->a;
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) model = flitzis_audio_engine_monitor_output_devices (&error);
  ModelCondition condition = { model, "flitzis-changes" };

  (void) data;
  flitzis_test_pipewire_add_sink (session, "flitzis-changes");
  g_assert_true (flitzis_test_wait_until (NULL, model_has, &condition, 10000));
  flitzis_audio_engine_set_device (a->engine, "flitzis-changes");
  run_with_slots (a, fixture);
  flitzis_test_pipewire_remove_sink (session, "flitzis-changes");
  g_assert_true (flitzis_test_wait_until (NULL, stopped_with_error, a, 10000));

  flitzis_test_pipewire_add_sink_channels (session, "flitzis-changes", 1);
  g_assert_true (flitzis_test_wait_until (NULL, stream_errors_twice, a, 20000));
  g_assert_error (a->stream_error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_FAILED);
  g_assert_nonnull (strstr (a->stream_error->message, "1 channels"));
  g_assert_cmpuint (a->reconnects, ==, 0);
  g_assert_false (flitzis_audio_engine_get_running (a->engine));
  g_assert_false (slot_holds (a->engine, 1, fixture->path));
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  flitzis_test_pipewire_remove_sink (session, "flitzis-changes");
}

/* Turning reconnect off while waiting ends the wait and frees the slots. */
static void
test_off_while_waiting (Fixture *fixture, gconstpointer data)
{
  Engine *a = &fixture->a;
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) model = flitzis_audio_engine_monitor_output_devices (&error);
  ModelCondition condition = { model, "flitzis-goes" };

  (void) data;
  flitzis_test_pipewire_add_sink (session, "flitzis-goes");
  g_assert_true (flitzis_test_wait_until (NULL, model_has, &condition, 10000));
  flitzis_audio_engine_set_device (a->engine, "flitzis-goes");
  run_with_slots (a, fixture);
  flitzis_test_pipewire_remove_sink (session, "flitzis-goes");
  g_assert_true (flitzis_test_wait_until (NULL, stopped_with_error, a, 10000));
  g_assert_true (slot_holds (a->engine, 1, fixture->path));
  flitzis_audio_engine_set_reconnect (a->engine, FALSE);
  g_assert_false (slot_holds (a->engine, 1, fixture->path));
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  session = flitzis_test_pipewire_start (RATE, PERIOD);

  ADD ("/engine/reconnect/property", test_property);
  ADD ("/engine/reconnect/sink-comes-back", test_sink_comes_back);
  ADD ("/engine/reconnect/other-format-refused", test_other_format_refused);
  ADD ("/engine/reconnect/off-while-waiting", test_off_while_waiting);
  ADD ("/engine/reconnect/server-restart", test_server_restart);

  status = g_test_run ();
  flitzis_test_pipewire_stop (session);
  return status;
}
