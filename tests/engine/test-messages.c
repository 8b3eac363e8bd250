/* test-messages.c: ping and pong, the pong signal's thread and context,
 * polling with receive_msg(), the messages kept and dropped, and the
 * engine's main-loop source
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Live (the program's private JACK dummy server), but for
 * /engine/messages/pong/at-render (offline).
 */
#include "config.h"

#include <string.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD

/* ---- pong ---- */

static gboolean
one_pong (gpointer data)
{
  return ((FlitzisTestLive *) data)->pongs >= 1;
}

typedef struct {
  FlitzisTestLive *fixture;
  GThread *expected_thread;
  GMainContext *expected_context;
  gint64 last_pong_time;
  gboolean wrong_place;
} PongCheck;

static void
on_pong (FlitzisAudioEngine *engine, guint64 frame, gpointer data)
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
  FlitzisTestLive *fixture;
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
test_pong_in_main_loop (FlitzisTestLive *fixture, gconstpointer data)
{
  PongCheck check = { fixture, g_thread_self (), g_main_context_default (), 0, FALSE };
  PongWait wait = { fixture, 0 };
  gint64 latencies[50];

  (void) data;
  g_signal_connect (fixture->engine, "pong", G_CALLBACK (on_pong), &check);
  flitzis_test_run_ok (fixture->engine);
  for (guint i = 0; i < G_N_ELEMENTS (latencies); i++)
    {
      gint64 sent = g_get_monotonic_time ();

      flitzis_test_ping_ok (fixture->engine);
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
  FlitzisTestLive *fixture;
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
  flitzis_test_run_ok (run->fixture->engine);
  flitzis_test_ping_ok (run->fixture->engine);
  run->done = flitzis_test_wait_until (context, one_pong, run->fixture, 5000);
  flitzis_audio_engine_shut_down (run->fixture->engine);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static void
test_pong_in_context_of_run (FlitzisTestLive *fixture, gconstpointer data)
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

static void
test_pong_at_render (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlitzisMessage) none = NULL;
  g_autoptr (FlitzisMessage) pong = NULL;
  float out[PERIOD * 2];

  (void) data;
  flitzis_test_render_ok (fixture->engine, out, PERIOD);
  g_assert_true (flitzis_audio_engine_ping (fixture->engine, &error));
  /* Nothing renders, so nothing answers (the first render's beat, bar 1
   * beat 1 at frame 0, is passed over). */
  none = flitzis_test_receive_skipping_beats (fixture->engine);
  g_assert_null (none);
  flitzis_test_render_ok (fixture->engine, out, PERIOD);
  pong = flitzis_test_receive_skipping_beats (fixture->engine);
  g_assert_nonnull (pong);
  g_assert_cmpint (flitzis_message_get_kind (pong), ==, FLITZIS_MESSAGE_KIND_PONG);
  g_assert_cmpuint (flitzis_message_get_frame (pong), ==, PERIOD);
}

static void
record_pong (FlitzisAudioEngine *engine, guint64 frame, gpointer data)
{
  g_array_append_val ((GArray *) data, frame);
}

static gboolean
two_pongs (gpointer data)
{
  return ((GArray *) data)->len == 2;
}

/* The pong signal carries the frame of the period that answered, and the
 * message its ping's number: no handler needs to poll. */
static void
test_pong_signal_frame (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (GArray) frames = g_array_new (FALSE, FALSE, sizeof (guint64));
  float out[PERIOD * 2];

  (void) data;
  g_signal_connect (fixture->engine, "pong", G_CALLBACK (record_pong), frames);
  flitzis_test_ping_ok (fixture->engine);
  flitzis_test_render_ok (fixture->engine, out, PERIOD);
  flitzis_test_render_ok (fixture->engine, out, PERIOD);
  flitzis_test_ping_ok (fixture->engine);
  flitzis_test_render_ok (fixture->engine, out, PERIOD);
  g_assert_true (flitzis_test_wait_until (NULL, two_pongs, frames, 5000));
  g_assert_cmpuint (g_array_index (frames, guint64, 0), ==, 0);
  g_assert_cmpuint (g_array_index (frames, guint64, 1), ==, 2 * PERIOD);
  for (guint64 n = 0; n < 2; n++)
    {
      g_autoptr (FlitzisMessage) pong = flitzis_test_receive_skipping_beats (fixture->engine);

      g_assert_cmpint (flitzis_message_get_kind (pong), ==, FLITZIS_MESSAGE_KIND_PONG);
      g_assert_cmpuint (flitzis_message_get_count (pong), ==, n);
    }
}

/* One snapshot holds every count, read at one moment; it never changes
 * afterwards, and the counts go on across runs. */
static void
test_stats_snapshot (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autoptr (FlitzisEngineStats) before = NULL;
  g_autoptr (FlitzisEngineStats) after = NULL;
  g_autoptr (FlitzisEngineStats) stopped = NULL;
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "c.wav", 4 * PERIOD, 0.25f);
  float out[PERIOD * 2];

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  before = flitzis_audio_engine_get_stats (fixture->engine);
  for (guint i = 0; i <= FLITZIS_MAX_VOICES; i++)
    flitzis_test_play_ok (fixture->engine, 0, 1.0f);
  flitzis_test_render_ok (fixture->engine, out, PERIOD);
  after = flitzis_audio_engine_get_stats (fixture->engine);

  g_assert_cmpuint (flitzis_engine_stats_get_frame (before), ==, 0);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_voices (before), ==, 0);
  g_assert_cmpuint (flitzis_engine_stats_get_frame (after), ==, PERIOD);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_voices (after), ==, 1);
  g_assert_cmpuint (flitzis_engine_stats_get_xruns (after), ==, 0);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_replies (after), ==, 0);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_events (after), ==, 0);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_messages (after), ==, 0);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_signals (after), ==, 0);

  flitzis_audio_engine_shut_down (fixture->engine);
  stopped = flitzis_audio_engine_get_stats (fixture->engine);
  g_assert_cmpuint (flitzis_engine_stats_get_frame (stopped), ==, 0);
  g_assert_cmpuint (flitzis_engine_stats_get_dropped_voices (stopped), ==, 1);
  g_assert_cmpuint (flitzis_engine_stats_get_frame (after), ==, PERIOD);
}

/* ---- polling ---- */

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

  while ((message = flitzis_test_receive_skipping_beats (wait->engine)) != NULL)
    g_ptr_array_add (wait->messages, message);
  return wait->messages->len >= wait->want;
}

static void
test_five_pings_polled (FlitzisTestLive *fixture, gconstpointer data)
{
  /* A context of our own: the engine's source is never dispatched, so
   * every message comes through receive_msg() alone. */
  GMainContext *unrelated = g_main_context_new ();
  PollWait wait = { fixture->engine, g_ptr_array_new_with_free_func ((GDestroyNotify) flitzis_message_unref), 5 };
  guint64 previous = 0;

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_send_pings (fixture->engine, 5);
  g_assert_true (flitzis_test_wait_until (unrelated, polled_enough, &wait, 5000));
  g_assert_cmpuint (wait.messages->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      FlitzisMessage *message = g_ptr_array_index (wait.messages, i);

      g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_PONG);
      g_assert_cmpuint (flitzis_message_get_frame (message), >=, previous);
      previous = flitzis_message_get_frame (message);
    }
  g_assert_null (flitzis_test_receive_skipping_beats (fixture->engine));
  g_assert_cmpuint (flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_messages), ==, 0);
  g_ptr_array_unref (wait.messages);
  g_main_context_unref (unrelated);
}

static void
test_signal_and_poll_same_stream (FlitzisTestLive *fixture, gconstpointer data)
{
  PongCheck check = { fixture, g_thread_self (), g_main_context_default (), 0, FALSE };
  PongWait wait = { fixture, 3 };
  FlitzisMessage *message;

  (void) data;
  g_signal_connect (fixture->engine, "pong", G_CALLBACK (on_pong), &check);
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_send_pings (fixture->engine, 3);
  g_assert_true (flitzis_test_wait_until (NULL, pongs_reached, &wait, 5000));
  /* The same three messages, once each, for the polling view. */
  for (guint i = 0; i < 3; i++)
    {
      message = flitzis_test_receive_skipping_beats (fixture->engine);
      g_assert_nonnull (message);
      g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_PONG);
      flitzis_message_unref (message);
    }
  g_assert_null (flitzis_test_receive_skipping_beats (fixture->engine));
  g_assert_cmpuint (fixture->pongs, ==, 3);
}

static gboolean
all_pongs_polled (gpointer data)
{
  FlitzisTestLive *fixture = data;
  FlitzisMessage *message = flitzis_test_receive_skipping_beats (fixture->engine);

  if (message == NULL)
    return FALSE;
  flitzis_message_unref (message);
  return TRUE;
}

/* An application that neither polls nor runs the engine's main context
 * still gets every command through: replaced samples come back whenever it
 * calls the engine, so retirement never stalls the audio thread. */
static void
test_no_main_loop_no_polling (FlitzisTestLive *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (64, 11);
  g_autofree char *path = flitzis_test_write_stereo (fixture->dir, "short.wav", RATE, signal, signal, 64);
  GMainContext *unrelated = g_main_context_new ();
  gsize most_alive = 0;

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  for (guint i = 0; i < 3 * FLITZIS_QUEUE_CAPACITY; i++)
    {
      flitzis_test_load_ok (fixture->engine, i % FLITZIS_MAX_SAMPLE_SLOTS, path);
      most_alive = MAX (most_alive, fz_sample_live_count ());
      if (i % 256 == 255)
        flitzis_test_wait_frames (unrelated, fixture->engine, 2 * PERIOD);
    }
  flitzis_test_ping_ok (fixture->engine);
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
test_idle_source_sleeps (FlitzisTestLive *fixture, gconstpointer data)
{
  guint idle, awaiting;

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_ping_ok (fixture->engine);
  g_assert_true (flitzis_test_wait_until (NULL, all_pongs_polled, fixture, 5000));
  idle = count_wakeups (100);
  g_test_message ("%u main-loop wake-ups in 100 ms while idle", idle);
  g_assert_cmpuint (idle, <=, 5);
  /* The measure itself works: while a pong is awaited, it polls. */
  flitzis_audio_engine_shut_down (fixture->engine);
  flitzis_test_run_ok (fixture->engine);
  awaiting = 0;
  for (guint i = 0; i < 20; i++)
    {
      flitzis_test_ping_ok (fixture->engine);
      awaiting += count_wakeups (5);
    }
  g_test_message ("%u wake-ups in 20 x 5 ms while pongs were awaited", awaiting);
  g_assert_cmpuint (awaiting, >, 20);
}

/* ---- ping, and what is kept ---- */

/* The tests below account for every message exactly: pongs and xruns.
 * An application that wants no beat messages turns them off, as here
 * (they are reported by default, report-beats). */
static void
beats_off (FlitzisAudioEngine *engine)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (flitzis_audio_engine_set_report_beats (engine, FALSE, &error));
  g_assert_no_error (error);
}

typedef struct {
  FlitzisTestLive *fixture;
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
          /* An underrun of the engine's own comes as an event of its own
           * beside the xrun's (under valgrind a callback can take longer
           * than the period). */
          g_assert_true (flitzis_message_get_kind (message) == FLITZIS_MESSAGE_KIND_XRUN ||
                         flitzis_message_get_kind (message) == FLITZIS_MESSAGE_KIND_UNDERRUN);
          wait->events++;
        }
      flitzis_message_unref (message);
    }
  return wait->fixture->pongs + wait->events + flitzis_test_count (engine, flitzis_engine_stats_get_dropped_replies)
         + flitzis_test_count (engine, flitzis_engine_stats_get_dropped_events)
         + flitzis_test_count (engine, flitzis_engine_stats_get_dropped_messages)
         == wait->sent + flitzis_test_count (engine, flitzis_engine_stats_get_xruns)
            + flitzis_test_count (engine, flitzis_engine_stats_get_underruns);
}

static void
test_command_queue_full (FlitzisTestLive *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  AnsweredWait answered = { fixture, 0, 0 };
  guint sent = 0;

  (void) data;
  beats_off (fixture->engine);
  flitzis_test_run_ok (fixture->engine);
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
  flitzis_test_ping_ok (fixture->engine);
}

/* Nobody polls: the main loop takes the replies, keeps the newest 1024
 * for receive_msg() and counts the older ones it had to drop. */
static void
test_kept_messages_bounded (FlitzisTestLive *fixture, gconstpointer data)
{
  guint64 start, last_frame = 0, xrun_events, dropped_pongs;
  guint received = 0;
  FlitzisMessage *message;

  (void) data;
  beats_off (fixture->engine);
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_send_pings (fixture->engine, FLITZIS_QUEUE_CAPACITY);
  start = flitzis_test_wait_frames (NULL, fixture->engine, 2 * PERIOD);
  flitzis_test_send_pings (fixture->engine, 10);
  g_assert_true (flitzis_test_wait_count (fixture->engine, flitzis_engine_stats_get_dropped_messages,
                                          10, 5000));
  /* Every ping answered, then no more messages: the count is final.  The
   * JACK dummy server's own late wake-ups may have added xrun events to
   * the stream (flitzis_test_receive_skipping_xruns()), and a callback
   * that took longer than the period an underrun event: each one pushed
   * out one more old message.  One that came while the reply ring held a
   * whole batch of pongs took the place of one of them there: a pong is
   * dropped (and counted) only so. */
  flitzis_test_wait_frames (NULL, fixture->engine, 2 * PERIOD);
  flitzis_audio_engine_shut_down (fixture->engine);
  xrun_events = flitzis_test_count (fixture->engine, flitzis_engine_stats_get_xruns)
                + flitzis_test_count (fixture->engine, flitzis_engine_stats_get_underruns)
                - flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_events);
  dropped_pongs = flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_replies);
  g_test_message ("%" G_GUINT64_FORMAT " xrun and underrun events, %" G_GUINT64_FORMAT
                  " pongs dropped", xrun_events, dropped_pongs);
  g_assert_cmpuint (dropped_pongs, <=, xrun_events);

  while ((message = flitzis_audio_engine_receive_msg (fixture->engine)) != NULL)
    {
      g_assert_cmpuint (flitzis_message_get_frame (message), >=, last_frame);
      last_frame = flitzis_message_get_frame (message);
      flitzis_message_unref (message);
      received++;
    }
  g_assert_cmpuint (received, ==, FLITZIS_QUEUE_CAPACITY);
  g_assert_cmpuint (flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_messages), ==,
                    10 + xrun_events - dropped_pongs);
  /* The newest were kept: the last one answers the second batch. */
  g_assert_cmpuint (last_frame, >=, start + 2 * PERIOD);
}

/* Pings unanswered at shut-down are counted once, as dropped replies;
 * those answered but not yet taken are kept for receive_msg(). */
static void
test_shut_down_accounts_pings (FlitzisTestLive *fixture, gconstpointer data)
{
  GMainContext *unrelated = g_main_context_new ();
  guint received = 0;
  FlitzisMessage *message;

  (void) data;
  flitzis_test_run_ok (fixture->engine);
  flitzis_test_send_pings (fixture->engine, 100);
  /* Answered, and left in the reply ring: nobody takes them meanwhile. */
  flitzis_test_wait_frames (unrelated, fixture->engine, 2 * PERIOD);
  flitzis_test_send_pings (fixture->engine, 100);
  flitzis_audio_engine_shut_down (fixture->engine);
  while ((message = flitzis_test_receive_skipping_beats (fixture->engine)) != NULL)
    {
      g_assert_cmpint (flitzis_message_get_kind (message), ==, FLITZIS_MESSAGE_KIND_PONG);
      received++;
      flitzis_message_unref (message);
    }
  g_test_message ("%u answered, %" G_GUINT64_FORMAT " unanswered at shut-down", received,
                  flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_replies));
  g_assert_cmpuint (received, >=, 100);
  g_assert_cmpuint (received + flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_replies), ==, 200);
  /* And after a second run: still counted once. */
  flitzis_test_run_ok (fixture->engine);
  flitzis_audio_engine_shut_down (fixture->engine);
  g_assert_cmpuint (received + flitzis_test_count (fixture->engine, flitzis_engine_stats_get_dropped_replies), ==, 200);
  g_main_context_unref (unrelated);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  FLITZIS_TEST_ADD_LIVE ("/engine/messages/pong/in-main-loop", test_pong_in_main_loop);
  FLITZIS_TEST_ADD_LIVE ("/engine/messages/pong/in-context-of-run", test_pong_in_context_of_run);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/messages/pong/at-render", test_pong_at_render);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/messages/pong/signal-frame", test_pong_signal_frame);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/messages/stats/snapshot", test_stats_snapshot);
  FLITZIS_TEST_ADD_LIVE ("/engine/messages/polling/five-pings", test_five_pings_polled);
  FLITZIS_TEST_ADD_LIVE ("/engine/messages/polling/signal-and-poll-same-stream", test_signal_and_poll_same_stream);
  FLITZIS_TEST_ADD_LIVE ("/engine/messages/polling/no-main-loop-no-polling", test_no_main_loop_no_polling);
  FLITZIS_TEST_ADD_LIVE ("/engine/messages/polling/idle-source-sleeps", test_idle_source_sleeps);
  FLITZIS_TEST_ADD_LIVE ("/engine/messages/ping/queue-full", test_command_queue_full);
  FLITZIS_TEST_ADD_LIVE ("/engine/messages/ping/shut-down-accounts-pings", test_shut_down_accounts_pings);
  FLITZIS_TEST_ADD_LIVE ("/engine/messages/receive-msg/kept-messages-bounded", test_kept_messages_bounded);

  status = g_test_run ();
  flitzis_test_jack_shared_stop ();
  return status;
}
