/* test-engine.c: FlitzisAudioEngine on a real PortAudio stream, played into
 * a private JACK dummy server and captured sample by sample
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sndfile.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"

#define RATE 48000
#define PERIOD 256

static FlitzisTestJack *jack;

typedef struct {
  FlitzisAudioEngine *engine;
  char *dir;
  guint pongs;
} EngineFixture;

static void
engine_setup (EngineFixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->dir = flitzis_test_make_tmpdir ();
  fixture->engine = flitzis_audio_engine_new ();
  fixture->pongs = 0;
}

static void
engine_teardown (EngineFixture *fixture, gconstpointer data)
{
  (void) data;
  g_assert_finalize_object (fixture->engine);
  flitzis_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  /* Every sample the engine decoded was freed, exactly once. */
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

static void
run_engine (EngineFixture *fixture)
{
  g_autoptr (GError) error = NULL;
  gboolean ran = flitzis_audio_engine_run (fixture->engine, &error);

  g_assert_no_error (error);   /* first: its message says why */
  g_assert_true (ran);
}

/* A stereo float WAV at the stream's rate, @left/@right NULL for silence. */
static char *
write_stereo (EngineFixture *fixture, const char *name, const float *left,
              const float *right, gsize frames)
{
  g_autofree float *data = g_new0 (float, frames * 2);

  for (gsize f = 0; f < frames; f++)
    {
      data[2 * f] = left != NULL ? left[f] : 0.0f;
      data[2 * f + 1] = right != NULL ? right[f] : 0.0f;
    }
  return flitzis_test_write_audio (fixture->dir, name, SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                   RATE, 2, data, frames);
}

static void
play_ok (EngineFixture *fixture, guint id, float velocity)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_play_sample (fixture->engine, id, velocity, &error));
  g_assert_no_error (error);
}

static void
ping_ok (EngineFixture *fixture)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_ping (fixture->engine, &error));
  g_assert_no_error (error);
}

static void
send_pings (EngineFixture *fixture, guint n)
{
  for (guint i = 0; i < n; i++)
    ping_ok (fixture);
}

/* ---- capture ---- */

typedef struct {
  gsize frames;
} FramesWait;

static gboolean
captured_enough (gpointer data)
{
  FramesWait *wait = data;

  return flitzis_test_jack_capture_frames (jack) >= wait->frames;
}

static float *
capture_for (gsize frames, gsize *n_frames)
{
  FramesWait wait = { frames };
  guint channels;
  float *captured;

  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &wait, 20000));
  captured = flitzis_test_jack_capture_stop (jack, &channels, n_frames);
  g_assert_cmpuint (channels, ==, 2);
  return captured;
}

/* Starts capturing, and returns once a period of silence is recorded:
 * a sound that follows must then start after frame 0 of the capture, which
 * proves that its beginning was not lost. */
static void
start_capture_with_silence (gsize max_frames)
{
  FramesWait wait = { PERIOD };

  flitzis_test_jack_capture_start (jack, max_frames);
  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &wait, 5000));
}

/* First frame in which @channel is not silent. */
static gsize
onset (const float *captured, gsize frames, guint channel)
{
  for (gsize f = 0; f < frames; f++)
    if (captured[2 * f + channel] != 0.0f)
      return f;
  g_error ("channel %u stayed silent for %" G_GSIZE_FORMAT " frames", channel, frames);
  return 0;
}

/* Channel @channel of the capture is silence, then exactly @expected,
 * then silence again. */
static void
assert_channel_plays (const float *captured, gsize frames, guint channel,
                      const float *expected, gsize length)
{
  gsize start = onset (captured, frames, channel);

  g_test_message ("channel %u starts at captured frame %" G_GSIZE_FORMAT, channel, start);
  g_assert_cmpuint (start, >=, PERIOD);
  g_assert_cmpuint (start + length, <=, frames);
  for (gsize f = 0; f < frames - start; f++)
    {
      float want = f < length ? expected[f] : 0.0f;
      float got = captured[2 * (start + f) + channel];
      if (got != want)
        g_error ("channel %u, frame %" G_GSIZE_FORMAT " of the sample: captured %.9g, "
                 "expected %.9g", channel, f, (double) got, (double) want);
    }
}

static float *
scaled (const float *signal, gsize n, float velocity)
{
  float *out = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    out[i] = signal[i] * velocity;
  return out;
}

/* ---- lifecycle ---- */

static void
on_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (void) object; (void) pspec;
  (*(guint *) data)++;
}

static void
test_lifecycle (EngineFixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint running_notifies = 0;

  (void) data;
  g_signal_connect (fixture->engine, "notify::running", G_CALLBACK (on_notify), &running_notifies);
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (fixture->engine), ==, 0);

  run_engine (fixture);
  g_assert_true (flitzis_audio_engine_get_running (fixture->engine));
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (fixture->engine), ==, RATE);
  g_assert_cmpuint (flitzis_audio_engine_get_channels (fixture->engine), ==, 2);
  g_assert_cmpuint (running_notifies, ==, 1);

  /* run() twice: refused, and the running stream is untouched. */
  g_assert_false (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_ALREADY_RUNNING);
  g_clear_error (&error);
  g_assert_true (flitzis_audio_engine_get_running (fixture->engine));
  ping_ok (fixture);

  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (fixture->engine), ==, 0);
  g_assert_cmpuint (flitzis_audio_engine_get_channels (fixture->engine), ==, 0);
  g_assert_cmpuint (running_notifies, ==, 2);
  /* shut_down() twice does nothing. */
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_cmpuint (running_notifies, ==, 2);

  /* And it runs again. */
  run_engine (fixture);
  ping_ok (fixture);
  g_assert_cmpuint (running_notifies, ==, 3);
}

static void
test_calls_before_run (EngineFixture *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (16, 1);
  g_autofree char *path = write_stereo (fixture, "a.wav", signal, signal, 16);
  g_autoptr (GError) error = NULL;

  (void) data;
  g_assert_false (flitzis_audio_engine_ping (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_play_sample (fixture->engine, 0, 1.0f, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_load_sample (fixture->engine, 0, path, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_assert_nonnull (strstr (error->message, "run()"));
  g_clear_error (&error);
  g_assert_null (flitzis_audio_engine_receive_msg (fixture->engine));
  g_assert_cmpuint (flitzis_audio_engine_get_frame_time (fixture->engine), ==, 0);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
}

static void
test_dispose_while_playing (EngineFixture *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (RATE, 2);
  g_autofree char *path = write_stereo (fixture, "long.wav", signal, signal, RATE);

  (void) data;
  run_engine (fixture);
  for (guint id = 0; id < 4; id++)
    flitzis_test_load_ok (fixture->engine, id, path);
  for (guint i = 0; i < 20; i++)
    play_ok (fixture, i % 4, 0.1f);
  /* Replace a slot that plays, and leave replies and commands queued. */
  flitzis_test_load_ok (fixture->engine, 0, path);
  send_pings (fixture, 10);
  /* The teardown drops the last reference while all of this is pending,
   * and checks that the engine is finalised with every sample freed. */
}

static gboolean
one_pong (gpointer data)
{
  return ((EngineFixture *) data)->pongs >= 1;
}

static gboolean
pongs_two (gpointer data)
{
  return ((EngineFixture *) data)->pongs >= 2;
}

/* The application's one reference, dropped at the first pong. */
static void
unref_in_handler (FlitzisAudioEngine *engine, gpointer data)
{
  gboolean *dropped = data;

  if (!*dropped)
    g_object_unref (engine);
  *dropped = TRUE;
}

static gboolean
engine_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Dropping the last reference from inside a signal handler, while the
 * engine's own source is dispatching: the engine goes away afterwards,
 * cleanly, and its source with it. */
static void
test_unref_in_pong_handler (EngineFixture *fixture, gconstpointer data)
{
  FlitzisAudioEngine *engine = flitzis_audio_engine_new ();
  gpointer weak = engine;
  gboolean dropped = FALSE;

  (void) data;
  (void) fixture;
  g_object_add_weak_pointer (G_OBJECT (engine), &weak);
  g_signal_connect (engine, "pong", G_CALLBACK (unref_in_handler), &dropped);
  g_assert_true (flitzis_audio_engine_run (engine, NULL));
  g_assert_true (flitzis_audio_engine_ping (engine, NULL));
  g_assert_true (flitzis_audio_engine_ping (engine, NULL));
  g_assert_true (flitzis_test_wait_until (NULL, engine_gone, &weak, 5000));
  /* The second pong has nobody left to reach: nothing runs, nothing crashes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
shut_down_in_handler (FlitzisAudioEngine *engine, gpointer data)
{
  EngineFixture *fixture = data;

  fixture->pongs++;
  flitzis_audio_engine_shut_down (engine);
}

static void
test_shut_down_in_pong_handler (EngineFixture *fixture, gconstpointer data)
{
  (void) data;
  g_signal_connect (fixture->engine, "pong", G_CALLBACK (shut_down_in_handler), fixture);
  run_engine (fixture);
  ping_ok (fixture);
  g_assert_true (flitzis_test_wait_until (NULL, one_pong, fixture, 5000));
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
  /* The source outlives the stream only until it is idle; the engine
   * runs again, from the same thread. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->pongs, ==, 1);
  run_engine (fixture);
  ping_ok (fixture);
  g_assert_true (flitzis_test_wait_until (NULL, pongs_two, fixture, 5000));
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
}

static void
test_shut_down_frees_samples (EngineFixture *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (RATE, 3);
  g_autofree char *path = write_stereo (fixture, "long.wav", signal, NULL, RATE);

  (void) data;
  run_engine (fixture);
  flitzis_test_load_ok (fixture->engine, 7, path);
  play_ok (fixture, 7, 1.0f);
  flitzis_test_load_ok (fixture->engine, 7, path);
  g_assert_cmpuint (fz_sample_live_count (), ==, 2);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  run_engine (fixture);
  flitzis_test_load_ok (fixture->engine, 7, path);
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
}

/* ---- ping and pong ---- */

typedef struct {
  EngineFixture *fixture;
  GThread *expected_thread;
  GMainContext *expected_context;
  gint64 last_pong_time;
  gboolean wrong_place;
} PongCheck;

static void
on_pong (FlitzisAudioEngine *engine, gpointer data)
{
  PongCheck *check = data;

  (void) engine;
  if (g_thread_self () != check->expected_thread ||
      !g_main_context_is_owner (check->expected_context))
    check->wrong_place = TRUE;
  check->last_pong_time = g_get_monotonic_time ();
  check->fixture->pongs++;
}

typedef struct {
  EngineFixture *fixture;
  guint pongs;
} PongWait;

static gboolean
pongs_reached (gpointer data)
{
  PongWait *wait = data;

  return wait->fixture->pongs >= wait->pongs;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
test_pong_in_main_loop (EngineFixture *fixture, gconstpointer data)
{
  PongCheck check = { fixture, g_thread_self (), g_main_context_default (), 0, FALSE };
  PongWait wait = { fixture, 0 };
  gint64 latencies[50];

  (void) data;
  g_signal_connect (fixture->engine, "pong", G_CALLBACK (on_pong), &check);
  run_engine (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (latencies); i++)
    {
      gint64 sent = g_get_monotonic_time ();

      ping_ok (fixture);
      wait.pongs = i + 1;
      g_assert_true (flitzis_test_wait_until (NULL, pongs_reached, &wait, 5000));
      latencies[i] = check.last_pong_time - sent;
    }
  g_assert_false (check.wrong_place);
  /* Exactly one pong per ping, however long the loop runs on. */
  wait.pongs = G_N_ELEMENTS (latencies) + 1;
  g_assert_false (flitzis_test_wait_until (NULL, pongs_reached, &wait, 50));
  g_assert_cmpuint (fixture->pongs, ==, G_N_ELEMENTS (latencies));

  qsort (latencies, G_N_ELEMENTS (latencies), sizeof (gint64), compare_gint64);
  g_test_message ("ping -> pong over %u pings at %u frames (%.2f ms periods): "
                  "min %.2f ms, median %.2f ms, max %.2f ms",
                  (guint) G_N_ELEMENTS (latencies), PERIOD, PERIOD * 1000.0 / RATE,
                  latencies[0] / 1000.0, latencies[G_N_ELEMENTS (latencies) / 2] / 1000.0,
                  latencies[G_N_ELEMENTS (latencies) - 1] / 1000.0);
}

typedef struct {
  EngineFixture *fixture;
  PongCheck check;
  gboolean done;
} ThreadRun;


static gpointer
run_in_thread (gpointer data)
{
  ThreadRun *run = data;
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  run->check.expected_thread = g_thread_self ();
  run->check.expected_context = context;
  run_engine (run->fixture);
  ping_ok (run->fixture);
  run->done = flitzis_test_wait_until (context, one_pong, run->fixture, 5000);
  flitzis_audio_engine_shut_down (run->fixture->engine);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static void
test_pong_in_context_of_run (EngineFixture *fixture, gconstpointer data)
{
  ThreadRun run = { fixture, { fixture, NULL, NULL, 0, FALSE }, FALSE };
  GThread *thread;

  (void) data;
  g_signal_connect (fixture->engine, "pong", G_CALLBACK (on_pong), &run.check);
  thread = g_thread_new ("runner", run_in_thread, &run);
  g_thread_join (thread);
  g_assert_true (run.done);
  g_assert_false (run.check.wrong_place);
  g_assert_cmpuint (fixture->pongs, ==, 1);
  /* Nothing reaches the main thread's context. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->pongs, ==, 1);
}

typedef struct {
  FlitzisAudioEngine *engine;
  GPtrArray *messages;
  guint want;
} PollWait;

static gboolean
polled_enough (gpointer data)
{
  PollWait *wait = data;
  FlitzisMessage *message;

  while ((message = flitzis_test_receive_skipping_xruns (wait->engine)) != NULL)
    g_ptr_array_add (wait->messages, message);
  return wait->messages->len >= wait->want;
}

static void
test_five_pings_polled (EngineFixture *fixture, gconstpointer data)
{
  /* A context of our own: the engine's source is never dispatched, so
   * every message comes through receive_msg() alone. */
  GMainContext *unrelated = g_main_context_new ();
  PollWait wait = { fixture->engine, g_ptr_array_new_with_free_func ((GDestroyNotify) flitzis_message_unref), 5 };
  guint64 previous = 0;

  (void) data;
  run_engine (fixture);
  send_pings (fixture, 5);
  g_assert_true (flitzis_test_wait_until (unrelated, polled_enough, &wait, 5000));
  g_assert_cmpuint (wait.messages->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      FlitzisMessage *message = g_ptr_array_index (wait.messages, i);

      g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_PONG);
      g_assert_cmpuint (flitzis_message_get_frame (message), >=, previous);
      previous = flitzis_message_get_frame (message);
    }
  g_assert_null (flitzis_test_receive_skipping_xruns (fixture->engine));
  g_assert_cmpuint (flitzis_audio_engine_get_dropped_messages (fixture->engine), ==, 0);
  g_ptr_array_unref (wait.messages);
  g_main_context_unref (unrelated);
}

static void
test_signal_and_poll_same_stream (EngineFixture *fixture, gconstpointer data)
{
  PongCheck check = { fixture, g_thread_self (), g_main_context_default (), 0, FALSE };
  PongWait wait = { fixture, 3 };
  FlitzisMessage *message;

  (void) data;
  g_signal_connect (fixture->engine, "pong", G_CALLBACK (on_pong), &check);
  run_engine (fixture);
  send_pings (fixture, 3);
  g_assert_true (flitzis_test_wait_until (NULL, pongs_reached, &wait, 5000));
  /* The same three messages, once each, for the polling view. */
  for (guint i = 0; i < 3; i++)
    {
      message = flitzis_test_receive_skipping_xruns (fixture->engine);
      g_assert_nonnull (message);
      g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_PONG);
      flitzis_message_unref (message);
    }
  g_assert_null (flitzis_test_receive_skipping_xruns (fixture->engine));
  g_assert_cmpuint (fixture->pongs, ==, 3);
}

static gboolean
all_pongs_polled (gpointer data)
{
  EngineFixture *fixture = data;
  FlitzisMessage *message = flitzis_test_receive_skipping_xruns (fixture->engine);

  if (message == NULL)
    return FALSE;
  flitzis_message_unref (message);
  return TRUE;
}

typedef struct {
  EngineFixture *fixture;
  guint sent;
  guint64 events;
} AnsweredWait;

/* Every ping is answered (and received here) or counted as dropped.
 * Underruns (frequent under valgrind) add xrun events to the same
 * queues, so the count is kept over every message: what the audio thread
 * produced (the pings' pongs and one event per xrun) equals what was
 * received plus what each queue counted as dropped. */
static gboolean
all_answered (gpointer data)
{
  AnsweredWait *wait = data;
  FlitzisAudioEngine *engine = wait->fixture->engine;
  FlitzisMessage *message;

  while ((message = flitzis_audio_engine_receive_msg (engine)) != NULL)
    {
      if (flitzis_message_get_kind (message) == FLITZIS_MESSAGE_KIND_PONG)
        wait->fixture->pongs++;
      else
        {
          g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_XRUN);
          wait->events++;
        }
      flitzis_message_unref (message);
    }
  return wait->fixture->pongs + wait->events + flitzis_audio_engine_get_dropped_replies (engine)
         + flitzis_audio_engine_get_dropped_events (engine)
         + flitzis_audio_engine_get_dropped_messages (engine)
         == wait->sent + flitzis_audio_engine_get_xruns (engine);
}

static void
test_command_queue_full (EngineFixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  AnsweredWait answered = { fixture, 0, 0 };
  guint sent = 0;

  (void) data;
  run_engine (fixture);
  /* Faster than any period: the ring fills, and the next ping fails at
   * once instead of waiting. */
  while (flitzis_audio_engine_ping (fixture->engine, &error))
    {
      sent++;
      g_assert_cmpuint (sent, <, 100 * FLITZIS_QUEUE_CAPACITY);
    }
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL);
  g_assert_nonnull (strstr (error->message, "1024"));
  g_assert_cmpuint (sent, >=, FLITZIS_QUEUE_CAPACITY);
  g_test_message ("%u pings queued before QUEUE_FULL", sent);
  g_assert_true (flitzis_audio_engine_get_running (fixture->engine));

  /* Every ping is answered or counted as dropped: nothing vanishes. */
  answered.sent = sent;
  g_assert_true (flitzis_test_wait_until (NULL, all_answered, &answered, 5000));
  g_assert_cmpuint (fixture->pongs, <=, sent);
  g_test_message ("%u pongs received, %u xrun events", fixture->pongs, (guint) answered.events);
  ping_ok (fixture);
}

typedef struct {
  FlitzisAudioEngine *engine;
  guint64 dropped;
} DroppedWait;

static gboolean
messages_dropped (gpointer data)
{
  DroppedWait *wait = data;

  return flitzis_audio_engine_get_dropped_messages (wait->engine) >= wait->dropped;
}

/* Nobody polls: the main loop takes the replies, keeps the newest 1024
 * for receive_msg() and counts the older ones it had to drop. */
static void
test_kept_messages_bounded (EngineFixture *fixture, gconstpointer data)
{
  DroppedWait wait = { fixture->engine, 10 };
  guint64 start, last_frame = 0, xrun_events;
  guint received = 0;
  FlitzisMessage *message;

  (void) data;
  run_engine (fixture);
  send_pings (fixture, FLITZIS_QUEUE_CAPACITY);
  start = flitzis_test_wait_frames (NULL, fixture->engine, 2 * PERIOD);
  send_pings (fixture, 10);
  g_assert_true (flitzis_test_wait_until (NULL, messages_dropped, &wait, 5000));
  /* Every ping answered, then no more messages: the count is final.  The
   * JACK dummy server's own late wake-ups may have added xrun events to
   * the stream (flitzis_test_receive_skipping_xruns()): each one pushed
   * out one more old message. */
  flitzis_test_wait_frames (NULL, fixture->engine, 2 * PERIOD);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_cmpuint (flitzis_audio_engine_get_dropped_replies (fixture->engine), ==, 0);
  xrun_events = flitzis_audio_engine_get_xruns (fixture->engine)
                - flitzis_audio_engine_get_dropped_events (fixture->engine);

  while ((message = flitzis_audio_engine_receive_msg (fixture->engine)) != NULL)
    {
      g_assert_cmpuint (flitzis_message_get_frame (message), >=, last_frame);
      last_frame = flitzis_message_get_frame (message);
      flitzis_message_unref (message);
      received++;
    }
  g_assert_cmpuint (received, ==, FLITZIS_QUEUE_CAPACITY);
  g_assert_cmpuint (flitzis_audio_engine_get_dropped_messages (fixture->engine), ==,
                    10 + xrun_events);
  /* The newest were kept: the last one answers the second batch. */
  g_assert_cmpuint (last_frame, >=, start + 2 * PERIOD);
}

/* An application that neither polls nor runs the engine's main context
 * still gets every command through: replaced samples come back whenever it
 * calls the engine, so retirement never stalls the audio thread. */
static void
test_no_main_loop_no_polling (EngineFixture *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (64, 11);
  g_autofree char *path = write_stereo (fixture, "short.wav", signal, signal, 64);
  GMainContext *unrelated = g_main_context_new ();
  gsize most_alive = 0;

  (void) data;
  run_engine (fixture);
  for (guint i = 0; i < 3 * FLITZIS_QUEUE_CAPACITY; i++)
    {
      flitzis_test_load_ok (fixture->engine, i % FLITZIS_MAX_SAMPLE_SLOTS, path);
      most_alive = MAX (most_alive, fz_sample_live_count ());
      if (i % 256 == 255)
        flitzis_test_wait_frames (unrelated, fixture->engine, 2 * PERIOD);
    }
  ping_ok (fixture);
  /* Old samples were freed as the loads went on, not piled up. */
  g_test_message ("at most %" G_GSIZE_FORMAT " samples alive at once", most_alive);
  g_assert_cmpuint (most_alive, <, 2 * 256 + FLITZIS_MAX_SAMPLE_SLOTS);
  g_main_context_unref (unrelated);
}

typedef struct {
  GMainContext *context;
  guint wakeups;
  gboolean done;
} WakeupCount;

static gboolean
window_over (gpointer data)
{
  ((WakeupCount *) data)->done = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterations of @context during @ms milliseconds with nothing else to do:
 * each one is a wake-up. */
static guint
count_wakeups (guint ms)
{
  WakeupCount count = { g_main_context_default (), 0, FALSE };

  g_timeout_add (ms, window_over, &count);
  while (!count.done)
    {
      g_main_context_iteration (count.context, TRUE);
      count.wakeups++;
    }
  return count.wakeups;
}

/* With nothing outstanding the engine's source sleeps: a running engine
 * does not wake the main loop every millisecond. */
static void
test_idle_source_sleeps (EngineFixture *fixture, gconstpointer data)
{
  guint idle, awaiting;

  (void) data;
  run_engine (fixture);
  ping_ok (fixture);
  g_assert_true (flitzis_test_wait_until (NULL, all_pongs_polled, fixture, 5000));
  idle = count_wakeups (100);
  g_test_message ("%u main-loop wake-ups in 100 ms while idle", idle);
  g_assert_cmpuint (idle, <=, 5);
  /* The measure itself works: while a pong is awaited, it polls. */
  flitzis_audio_engine_shut_down (fixture->engine);
  run_engine (fixture);
  awaiting = 0;
  for (guint i = 0; i < 20; i++)
    {
      ping_ok (fixture);
      awaiting += count_wakeups (5);
    }
  g_test_message ("%u wake-ups in 20 x 5 ms while pongs were awaited", awaiting);
  g_assert_cmpuint (awaiting, >, 20);
}

/* Pings unanswered at shut-down are counted once, as dropped replies;
 * those answered but not yet taken are kept for receive_msg(). */
static void
test_shut_down_accounts_pings (EngineFixture *fixture, gconstpointer data)
{
  GMainContext *unrelated = g_main_context_new ();
  guint received = 0;
  FlitzisMessage *message;

  (void) data;
  run_engine (fixture);
  send_pings (fixture, 100);
  /* Answered, and left in the reply ring: nobody takes them meanwhile. */
  flitzis_test_wait_frames (unrelated, fixture->engine, 2 * PERIOD);
  send_pings (fixture, 100);
  flitzis_audio_engine_shut_down (fixture->engine);
  while ((message = flitzis_test_receive_skipping_xruns (fixture->engine)) != NULL)
    {
      g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_PONG);
      received++;
      flitzis_message_unref (message);
    }
  g_test_message ("%u answered, %" G_GUINT64_FORMAT " unanswered at shut-down", received,
                  flitzis_audio_engine_get_dropped_replies (fixture->engine));
  g_assert_cmpuint (received, >=, 100);
  g_assert_cmpuint (received + flitzis_audio_engine_get_dropped_replies (fixture->engine), ==, 200);
  /* And after a second run: still counted once. */
  run_engine (fixture);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_cmpuint (received + flitzis_audio_engine_get_dropped_replies (fixture->engine), ==, 200);
  g_main_context_unref (unrelated);
}

static gpointer
set_devices (gpointer data)
{
  FlitzisAudioEngine *engine = data;

  for (guint i = 0; i < 20000; i++)
    flitzis_audio_engine_set_device (engine, i % 2 ? "system" : NULL);
  return NULL;
}

/* The device may be set in one thread while another reads it. */
static void
test_device_across_threads (EngineFixture *fixture, gconstpointer data)
{
  GThread *setter;
  guint seen = 0;

  (void) data;
  setter = g_thread_new ("setter", set_devices, fixture->engine);
  for (guint i = 0; i < 20000; i++)
    {
      g_autofree char *device = flitzis_audio_engine_dup_device (fixture->engine);
      if (device != NULL)
        {
          g_assert_cmpstr (device, ==, "system");
          seen++;
        }
    }
  g_thread_join (setter);
  g_test_message ("read the device 20000 times, %u while set", seen);
}

/* ---- playing, captured ---- */

static void
test_play_captured (EngineFixture *fixture, gconstpointer data)
{
  const gsize length = 3000;   /* not a multiple of the period */
  g_autofree float *left = flitzis_test_signal (length, 4);
  g_autofree float *right = flitzis_test_signal (length, 5);
  g_autofree char *path = write_stereo (fixture, "tone.wav", left, right, length);
  g_autofree float *want_left = scaled (left, length, 0.3f);
  g_autofree float *want_right = scaled (right, length, 0.3f);
  g_autofree float *captured = NULL;
  gsize frames;

  (void) data;
  run_engine (fixture);
  flitzis_test_load_ok (fixture->engine, 5, path);
  start_capture_with_silence (RATE);
  play_ok (fixture, 5, 0.3f);
  captured = capture_for (length + 8 * PERIOD, &frames);
  assert_channel_plays (captured, frames, 0, want_left, length);
  assert_channel_plays (captured, frames, 1, want_right, length);
  g_assert_cmpuint (onset (captured, frames, 0), ==, onset (captured, frames, 1));
}

/* An offline engine renders what the device engine plays, bit for bit:
 * the same file, the same trigger, rendered in the same period size. */
static float *
render_offline (const char *path, guint slot, float velocity, gsize n_frames)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;
  float *out = g_new0 (float, n_frames * 2);

  g_assert_true (flitzis_audio_engine_run (engine, &error));
  g_assert_true (flitzis_audio_engine_load_sample (engine, slot, path, &error));
  g_assert_true (flitzis_audio_engine_play_sample (engine, slot, velocity, &error));
  for (gsize done = 0; done < n_frames; done += PERIOD)
    g_assert_true (flitzis_audio_engine_render (engine, out + 2 * done,
                                                MIN (PERIOD, n_frames - done), &error));
  g_assert_no_error (error);
  return out;
}

static void
test_offline_matches_live (EngineFixture *fixture, gconstpointer data)
{
  const gsize length = 3000;
  g_autofree float *left = flitzis_test_signal (length, 8);
  g_autofree float *right = flitzis_test_signal (length, 9);
  g_autofree char *path = write_stereo (fixture, "both.wav", left, right, length);
  g_autofree float *offline = render_offline (path, 2, 0.7f, length + PERIOD);
  g_autofree float *captured = NULL;
  gsize frames, start;

  (void) data;
  run_engine (fixture);
  flitzis_test_load_ok (fixture->engine, 2, path);
  start_capture_with_silence (RATE);
  play_ok (fixture, 2, 0.7f);
  captured = capture_for (length + 8 * PERIOD, &frames);

  /* Offline, the trigger is taken at the first render: frame 0. */
  g_assert_cmpuint (onset (offline, length + PERIOD, 0), ==, 0);
  start = onset (captured, frames, 0);
  g_assert_cmpuint (frames - start, >=, length + PERIOD);
  g_assert_cmpmem (captured + 2 * start, (length + PERIOD) * 2 * sizeof (float),
                   offline, (length + PERIOD) * 2 * sizeof (float));
}

typedef struct {
  gsize count;
} LiveWait;

static gboolean
live_samples_down_to (gpointer data)
{
  return fz_sample_live_count () <= ((LiveWait *) data)->count;
}

static void
wait_frames_from_now (gsize frames)
{
  FramesWait wait = { flitzis_test_jack_capture_frames (jack) + frames };

  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &wait, 5000));
}

static void
test_replace_while_playing (EngineFixture *fixture, gconstpointer data)
{
  /* A on the left only, long; B on the right only, short. */
  const gsize a_length = RATE / 4, b_length = 2000;
  g_autofree float *a = flitzis_test_signal (a_length, 6);
  g_autofree float *b = flitzis_test_signal (b_length, 7);
  g_autofree char *a_path = write_stereo (fixture, "a.wav", a, NULL, a_length);
  g_autofree char *b_path = write_stereo (fixture, "b.wav", NULL, b, b_length);
  g_autofree float *captured = NULL;
  LiveWait retired = { 1 };
  gsize frames;

  (void) data;
  run_engine (fixture);
  flitzis_test_load_ok (fixture->engine, 0, a_path);
  start_capture_with_silence (2 * RATE);
  play_ok (fixture, 0, 1.0f);
  /* Let A sound for a few periods before its slot is replaced. */
  wait_frames_from_now (4 * PERIOD);
  /* Replace slot 0 while A plays, and trigger the new content. */
  flitzis_test_load_ok (fixture->engine, 0, b_path);
  play_ok (fixture, 0, 1.0f);
  captured = capture_for (a_length + 8 * PERIOD, &frames);
  /* A played to its end, untouched by the replacement; B played whole. */
  assert_channel_plays (captured, frames, 0, a, a_length);
  assert_channel_plays (captured, frames, 1, b, b_length);
  g_assert_cmpuint (onset (captured, frames, 1), >, onset (captured, frames, 0));
  /* A was handed back once its voice ended, and freed: by a control
   * thread, since only the reply ring's consumer can free it. */
  g_assert_true (flitzis_test_wait_until (NULL, live_samples_down_to, &retired, 5000));
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
}

static void
assert_load_fails (EngineFixture *fixture, guint id, const char *path,
                   GQuark domain, gint code)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (flitzis_audio_engine_load_sample (fixture->engine, id, path, &error));
  g_assert_error (error, domain, code);
}

static void
test_failed_load_keeps_slot (EngineFixture *fixture, gconstpointer data)
{
  const gsize length = 1500;
  g_autofree float *left = flitzis_test_signal (length, 8);
  g_autofree char *path = write_stereo (fixture, "keep.wav", left, left, length);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.wav", NULL);
  g_autofree char *text = flitzis_test_write_text (fixture->dir, "text.wav", "RIFF? no.\n");
  float values[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
  g_autofree char *slow = flitzis_test_write_audio (fixture->dir, "slow.wav",
                                                    SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                                                    500, 2, values, 2);
  g_autofree float *captured = NULL;
  gsize frames;

  (void) data;
  run_engine (fixture);
  flitzis_test_load_ok (fixture->engine, 2, path);
  assert_load_fails (fixture, 2, missing, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_load_fails (fixture, 2, text, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT);
  assert_load_fails (fixture, 2, slow, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT);
  assert_load_fails (fixture, 2, fixture->dir, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);

  start_capture_with_silence (RATE);
  play_ok (fixture, 2, 1.0f);
  captured = capture_for (length + 8 * PERIOD, &frames);
  assert_channel_plays (captured, frames, 0, left, length);
}

static void
test_invalid_arguments (EngineFixture *fixture, gconstpointer data)
{
  const float bad_velocities[] = { 1.5f, -0.25f, NAN, INFINITY, -INFINITY, 1.0000001f };
  g_autofree float *signal = flitzis_test_signal (16, 9);
  g_autofree char *path = write_stereo (fixture, "a.wav", signal, signal, 16);
  g_autoptr (GError) error = NULL;

  (void) data;
  run_engine (fixture);
  g_assert_false (flitzis_audio_engine_play_sample (fixture->engine, 32, 1.0f, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_assert_nonnull (strstr (error->message, "0 to 31"));
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_load_sample (fixture->engine, 32, path, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_clear_error (&error);
  g_assert_false (flitzis_audio_engine_load_sample (fixture->engine, G_MAXUINT, path, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_clear_error (&error);
  for (guint i = 0; i < G_N_ELEMENTS (bad_velocities); i++)
    {
      g_assert_false (flitzis_audio_engine_play_sample (fixture->engine, 0, bad_velocities[i], &error));
      g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_VELOCITY);
      g_assert_nonnull (strstr (error->message, "0.0 to 1.0"));
      g_clear_error (&error);
    }
  /* The bounds themselves are allowed, and an empty slot is no error. */
  play_ok (fixture, 0, 0.0f);
  play_ok (fixture, 31, 1.0f);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

static void
test_polyphony_limit (EngineFixture *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (RATE, 10);
  g_autofree char *path = write_stereo (fixture, "long.wav", signal, signal, RATE);

  (void) data;
  run_engine (fixture);
  flitzis_test_load_ok (fixture->engine, 0, path);
  for (guint i = 0; i < FLITZIS_MAX_VOICES + 1; i++)
    play_ok (fixture, 0, 0.01f);
  flitzis_test_wait_frames (NULL, fixture->engine, 2 * PERIOD);
  g_assert_cmpuint (flitzis_audio_engine_get_dropped_voices (fixture->engine), ==, 1);
}

/* ---- devices ---- */

static void
test_device_by_name (EngineFixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  flitzis_audio_engine_set_device (fixture->engine, "No Such Device");
  g_assert_false (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "No Such Device"));
  /* The message lists what there is: the JACK server's "system". */
  g_assert_nonnull (strstr (error->message, "“system”"));
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));

  g_object_set (fixture->engine, "device", "system", NULL);
  run_engine (fixture);
  g_assert_cmpuint (flitzis_audio_engine_get_sample_rate (fixture->engine), ==, RATE);
  ping_ok (fixture);
}

/* setenv() is only safe before threads start: the environment is changed
 * in a fresh child, first thing. */
static void
test_device_from_environment (EngineFixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  g_setenv ("FLITZIS_DEVICE", "Nor This One", TRUE);
  g_assert_false (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "Nor This One"));
  g_clear_error (&error);
  /* The property wins over the environment. */
  flitzis_audio_engine_set_device (fixture->engine, "system");
  run_engine (fixture);
  flitzis_audio_engine_shut_down (fixture->engine);
  flitzis_audio_engine_set_device (fixture->engine, NULL);
  g_assert_false (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE);
}

static void
test_no_device (EngineFixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *alsa_conf = NULL;

  (void) data;
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      /* And not a word from ALSA or JACK while looking. */
      g_test_trap_assert_stderr ("");
      return;
    }
  /* No JACK server, and an ALSA configuration that defines no device, so
   * that the result is the same on machines with a sound card. */
  alsa_conf = flitzis_test_write_text (fixture->dir, "alsa.conf",
                                        "pcm.!default { type hw card 99 }\n");
  g_setenv ("JACK_DEFAULT_SERVER", "flitzis-test-no-such-server", TRUE);
  g_setenv ("ALSA_CONFIG_PATH", alsa_conf, TRUE);
  g_assert_false (flitzis_audio_engine_run (fixture->engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "No audio output device"));
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
}

static void
test_quiet_start (EngineFixture *fixture, gconstpointer data)
{
  (void) data;
  if (g_test_subprocess ())
    {
      run_engine (fixture);
      ping_ok (fixture);
      flitzis_audio_engine_shut_down (fixture->engine);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
}

/* Live, the voice of play_sample_at() starts on its frame too: two clicks
 * scheduled 1041 frames apart, one on each channel, are captured 1041
 * frames apart, each at its offset within the period (engine periods are
 * the JACK server's cycles, and the capture starts on a cycle). */
static void
test_play_at_live (EngineFixture *fixture, gconstpointer data)
{
  const float click[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
  g_autofree char *left = write_stereo (fixture, "l.wav", click, NULL, 4);
  g_autofree char *right = write_stereo (fixture, "r.wav", NULL, click, 4);
  g_autoptr (GError) error = NULL;
  g_autofree float *captured = NULL;
  guint64 now, first, second;
  gsize frames, onset_left, onset_right;

  (void) data;
  run_engine (fixture);
  flitzis_test_load_ok (fixture->engine, 0, left);
  flitzis_test_load_ok (fixture->engine, 1, right);
  start_capture_with_silence (RATE);
  now = flitzis_audio_engine_get_frame_time (fixture->engine);
  first = now + 8 * PERIOD + 37;
  second = first + 1041;
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 0, 1.0f, first, &error));
  g_assert_true (flitzis_audio_engine_play_sample_at (fixture->engine, 1, 1.0f, second, &error));
  captured = capture_for (second - now + 8 * PERIOD, &frames);
  onset_left = onset (captured, frames, 0);
  onset_right = onset (captured, frames, 1);
  g_test_message ("scheduled at %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT
                  ", captured at %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT,
                  first, second, onset_left, onset_right);
  g_assert_cmpuint (onset_right - onset_left, ==, second - first);
  g_assert_cmpuint (onset_left % PERIOD, ==, first % PERIOD);
  g_assert_cmpuint (flitzis_audio_engine_get_dropped_events (fixture->engine), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Children of g_test_trap_subprocess() use the parent's server. */
  if (!g_test_subprocess ())
    jack = flitzis_test_jack_start (RATE, PERIOD);

#define ADD(path, func) g_test_add (path, EngineFixture, NULL, engine_setup, func, engine_teardown)
  ADD ("/engine/lifecycle/run-and-shut-down", test_lifecycle);
  ADD ("/engine/lifecycle/calls-before-run", test_calls_before_run);
  ADD ("/engine/lifecycle/dispose-while-playing", test_dispose_while_playing);
  ADD ("/engine/lifecycle/shut-down-frees-samples", test_shut_down_frees_samples);
  ADD ("/engine/lifecycle/unref-in-pong-handler", test_unref_in_pong_handler);
  ADD ("/engine/play/at-frame-live", test_play_at_live);
  ADD ("/engine/lifecycle/shut-down-in-pong-handler", test_shut_down_in_pong_handler);
  ADD ("/engine/ping/pong-in-main-loop", test_pong_in_main_loop);
  ADD ("/engine/ping/pong-in-context-of-run", test_pong_in_context_of_run);
  ADD ("/engine/ping/five-pings-polled", test_five_pings_polled);
  ADD ("/engine/ping/signal-and-poll-same-stream", test_signal_and_poll_same_stream);
  ADD ("/engine/command-queue-full", test_command_queue_full);
  ADD ("/engine/ping/kept-messages-bounded", test_kept_messages_bounded);
  ADD ("/engine/ping/idle-source-sleeps", test_idle_source_sleeps);
  ADD ("/engine/ping/shut-down-accounts-pings", test_shut_down_accounts_pings);
  ADD ("/engine/no-main-loop-no-polling", test_no_main_loop_no_polling);
  ADD ("/engine/device/across-threads", test_device_across_threads);
  ADD ("/engine/play/captured", test_play_captured);
  ADD ("/engine/play/offline-matches-live", test_offline_matches_live);
  ADD ("/engine/play/replace-while-playing", test_replace_while_playing);
  ADD ("/engine/play/failed-load-keeps-slot", test_failed_load_keeps_slot);
  ADD ("/engine/play/invalid-arguments", test_invalid_arguments);
  ADD ("/engine/play/polyphony-limit", test_polyphony_limit);
  ADD ("/engine/device/by-name", test_device_by_name);
  ADD ("/engine/device/from-environment", test_device_from_environment);
  ADD ("/engine/device/none", test_no_device);
  ADD ("/engine/device/quiet-start", test_quiet_start);
#undef ADD

  status = g_test_run ();
  if (jack != NULL)
    flitzis_test_jack_stop (jack);
  return status;
}
