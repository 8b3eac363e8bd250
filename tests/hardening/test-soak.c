/* test-soak.c: random loads, triggers, loops, stops and device restarts against
 * a private JACK dummy server, for as long as asked (make soak: 10
 * minutes at a 64-frame period; make check: a few seconds, so that it
 * cannot rot).
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs on the main thread, in the default main context,
 * except __wrap_fz_core_process(), which runs on the audio thread around
 * every period the core renders.
 *
 * What the run must show, or it fails:
 * - no command fails except for the reasons a busy application meets
 *   (a full command ring, a slot emptied under it, a loop outside a
 *   sample that was replaced by a shorter one);
 * - every ping is answered or counted as a dropped reply;
 * - after every restart and at the end, with every slot unloaded, no
 *   sample buffer is alive, and the heap in use has not grown.
 * What it reports: the engine's own underruns and the xruns the server
 * reported, every drop counter, RSS and heap in use at the
 * start and at the end, the largest callback time, the counts of each
 * command.
 */

#include "config.h"

#include <malloc.h>
#include <stdatomic.h>
#include <time.h>

#include <sndfile.h>

#include "flitzis.h"
#include "core/fz-core.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"

#define RATE 48000
#define SLOTS 32
#define N_FILES 5
#define TICK_MS 2
/* Between two quiet points the main thread's heap in use was seen to
 * differ by up to 30 KB (GLib's and JACK's caches); a leak per restart or
 * per thousand commands would exceed this within a two-minute run.
 * Sample buffers are counted exactly instead (fz_sample_live_count()). */
#define HEAP_SLACK (128 * 1024)

typedef enum {
  OP_PLAY,
  OP_PLAY_AT,
  OP_LOAD,
  OP_LOAD_ASYNC,
  OP_LOOP,
  OP_STOP,
  OP_STOP_ALL,
  OP_UNLOAD,
  OP_GAIN,
  OP_VOLUME,
  OP_PING,
  N_OPS
} Op;

static const char *const op_names[N_OPS] = {
  "play", "play-at", "load", "load-async", "loop", "stop", "stop-all", "unload",
  "gain", "volume", "ping"
};

/* Out of 100, per tick. */
static const guint op_weights[N_OPS] = { 30, 8, 4, 4, 10, 12, 2, 4, 10, 6, 10 };

typedef struct {
  FlitzisTestJack *jack;
  FlitzisAudioEngine *engine;
  GRand *rand;
  char *dir;
  char *files[N_FILES];
  guint64 shortest_file;      /* frames */
  guint64 ops[N_OPS];
  guint64 busy;               /* QUEUE_FULL */
  guint64 empty;              /* EMPTY_SLOT, INVALID_LOOP */
  guint64 pings, pongs, xrun_signals, stream_errors, restarts, async_pending;
  guint64 messages_polled;
  guint64 rss[2], heap[2];    /* at the start and at the end */
} Soak;

/* ---- the callback's time (audio thread) ---- */

void __real_fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags);
void __wrap_fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags);

static atomic_uint_fast64_t callback_max_ns;
static atomic_uint_fast64_t callbacks;
static atomic_uint_fast64_t callbacks_over_half;   /* longer than half a period */
static uint_fast64_t half_period_ns;                /* set before the engine runs */

/* clock_gettime() is the vDSO here, no system call: the measurement does
 * not break the rules it watches. */
void
__wrap_fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags)
{
  struct timespec a, b;
  uint_fast64_t ns;

  clock_gettime (CLOCK_MONOTONIC, &a);
  __real_fz_core_process (core, out, frames, flags);
  clock_gettime (CLOCK_MONOTONIC, &b);
  ns = (uint_fast64_t) ((b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec));
  if (ns > atomic_load_explicit (&callback_max_ns, memory_order_relaxed))
    atomic_store_explicit (&callback_max_ns, ns, memory_order_relaxed);
  atomic_fetch_add_explicit (&callbacks, 1, memory_order_relaxed);
  if (ns > half_period_ns)
    atomic_fetch_add_explicit (&callbacks_over_half, 1, memory_order_relaxed);
}

/* ---- memory ---- */

static guint64
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

/* At a quiet point: engine shut down, every buffer freed.  (mallinfo2()
 * sees the main thread's arena only: the audio thread allocates nothing,
 * the loaders' threads free what they allocate or hand it over.) */
static void
measure_memory (Soak *soak, guint i)
{
  malloc_trim (0);
  soak->rss[i] = flitzis_test_proc_status_bytes ("VmRSS");
  soak->heap[i] = heap_in_use ();
}

/* ---- the sample files ---- */

static void
write_files (Soak *soak)
{
  /* Lengths from a hit to a loop; one at 44.1 kHz (resampled on load),
   * one mono (mapped to both channels). */
  static const struct { const char *name; int rate; int channels; gsize frames; } specs[N_FILES] = {
    { "hit.wav", RATE, 2, RATE / 20 },
    { "note.wav", RATE, 2, RATE / 2 },
    { "loop.wav", RATE, 2, 2 * RATE },
    { "mono.wav", RATE, 1, RATE / 4 },
    { "cd.wav", 44100, 2, 44100 },
  };

  soak->dir = flitzis_test_make_tmpdir ();
  soak->shortest_file = G_MAXUINT64;
  for (guint f = 0; f < N_FILES; f++)
    {
      gsize n = specs[f].frames * (gsize) specs[f].channels;
      g_autofree float *signal = flitzis_test_signal (n, f + 1);

      for (gsize i = 0; i < n; i++)
        signal[i] *= 0.1f;   /* 32 voices stay below full scale */
      soak->files[f] = flitzis_test_write_audio (soak->dir, specs[f].name,
                                                 SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                                                 specs[f].rate, specs[f].channels,
                                                 signal, specs[f].frames);
      soak->shortest_file = MIN (soak->shortest_file, specs[f].frames);
    }
}

/* ---- the random commands ---- */

/* A command may fail only for the reasons a busy application meets; any
 * other error ends the soak. */
static void
check_result (Soak *soak, gboolean ok, GError *error, Op op)
{
  if (ok)
    return;
  if (g_error_matches (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL))
    soak->busy++;
  else if (g_error_matches (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_EMPTY_SLOT) ||
           g_error_matches (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_LOOP))
    soak->empty++;
  else
    g_error ("%s failed: %s", op_names[op], error->message);
}

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  Soak *soak = data;
  g_autoptr (GError) error = NULL;
  gboolean ok = flitzis_audio_engine_load_sample_finish (FLITZIS_AUDIO_ENGINE (source), result,
                                                         &error);

  soak->async_pending--;
  /* A newer load or unload of the slot cancels this one; a shut-down
   * (a restart) refuses it. */
  if (!ok && (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              g_error_matches (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING)))
    return;
  check_result (soak, ok, error, OP_LOAD_ASYNC);
}

static Op
pick_op (Soak *soak)
{
  guint r = (guint) g_rand_int_range (soak->rand, 0, 100);

  for (Op op = 0; op < N_OPS; op++)
    {
      if (r < op_weights[op])
        return op;
      r -= op_weights[op];
    }
  g_assert_not_reached ();
}

static gboolean
do_op (Soak *soak, Op op, guint slot, GError **error)
{
  FlitzisAudioEngine *engine = soak->engine;
  float velocity = (float) g_rand_double_range (soak->rand, 0.1, 1.0);
  const char *file = soak->files[g_rand_int_range (soak->rand, 0, N_FILES)];

  switch (op)
    {
    case OP_PLAY:
      return flitzis_audio_engine_play_sample (engine, slot, velocity, error);
    case OP_PLAY_AT:
      return flitzis_audio_engine_play_sample_at (engine, slot, velocity,
                                                  flitzis_audio_engine_get_frame_time (engine)
                                                  + (guint64) g_rand_int_range (soak->rand, 0, RATE / 4),
                                                  error);
    case OP_LOAD:
      return flitzis_audio_engine_load_sample (engine, slot, file, error);
    case OP_LOAD_ASYNC:
      soak->async_pending++;
      flitzis_audio_engine_load_sample_async (engine, slot, file, NULL, on_loaded, soak);
      return TRUE;
    case OP_LOOP:
      {
        guint64 start = (guint64) g_rand_int_range (soak->rand, 0, (gint32) soak->shortest_file / 2);
        guint64 end = g_rand_boolean (soak->rand) ? 0 : start + 1 + soak->shortest_file / 4;

        return flitzis_audio_engine_set_sample_loop (engine, slot, g_rand_boolean (soak->rand),
                                                     start, end, error);
      }
    case OP_STOP:
      return flitzis_audio_engine_stop_sample (engine, slot, error);
    case OP_STOP_ALL:
      return flitzis_audio_engine_stop_all (engine, error);
    case OP_UNLOAD:
      return flitzis_audio_engine_unload_sample (engine, slot, error);
    case OP_GAIN:
      return flitzis_audio_engine_set_sample_gain (engine, slot,
                                                   g_rand_double_range (soak->rand, 0.0, 2.0), error);
    case OP_VOLUME:
      return flitzis_audio_engine_set_volume (engine, g_rand_double_range (soak->rand, 0.2, 1.0),
                                              error);
    case OP_PING:
      if (!flitzis_audio_engine_ping (engine, error))
        return FALSE;
      soak->pings++;
      return TRUE;
    case N_OPS:
    default:
      g_assert_not_reached ();
    }
}

/* Messages are also polled, as an application without a main loop would:
 * the kept queue stays short, so a dropped message means a real loss. */
static void
poll_messages (Soak *soak)
{
  FlitzisMessage *message;

  while ((message = flitzis_audio_engine_receive_msg (soak->engine)) != NULL)
    {
      soak->messages_polled++;
      flitzis_message_unref (message);
    }
}

/* One command, counted and checked. */
static void
run_op (Soak *soak, Op op, guint slot)
{
  g_autoptr (GError) error = NULL;
  gboolean ok;

  soak->ops[op]++;
  ok = do_op (soak, op, slot, &error);
  check_result (soak, ok, error, op);
}

static gboolean
on_tick (gpointer data)
{
  Soak *soak = data;

  if (flitzis_audio_engine_get_running (soak->engine))
    for (guint i = 0; i < 2; i++)
      {
        Op op = pick_op (soak);

        run_op (soak, op, (guint) g_rand_int_range (soak->rand, 0, SLOTS));
      }
  poll_messages (soak);
  return G_SOURCE_CONTINUE;
}

static void
on_pong (FlitzisAudioEngine *engine, guint64 frame, Soak *soak)
{
  soak->pongs++;
}

static void
on_xrun (FlitzisAudioEngine *engine, guint64 count, guint64 frame, Soak *soak)
{
  soak->xrun_signals++;
}

static void
on_stream_error (FlitzisAudioEngine *engine, GError *error, guint64 frame, Soak *soak)
{
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_DEVICE_LOST);
  soak->stream_errors++;
}

/* ---- quiet points: every slot empty, every buffer freed ---- */

static gboolean
quiet (gpointer data)
{
  Soak *soak = data;

  poll_messages (soak);
  return soak->async_pending == 0 && fz_sample_live_count () == 0;
}

static void
unload_all (Soak *soak)
{
  for (guint slot = 0; slot < SLOTS; slot++)
    {
      g_autoptr (GError) error = NULL;

      /* A full ring only delays the unload: wait for a period and retry. */
      while (!flitzis_audio_engine_unload_sample (soak->engine, slot, &error))
        {
          g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL);
          g_clear_error (&error);
          flitzis_test_wait_frames (NULL, soak->engine, 64);
        }
    }
  g_assert_true (flitzis_test_wait_until (NULL, quiet, soak, 10000));
}

static void
run_engine (Soak *soak)
{
  g_autoptr (GError) error = NULL;

  if (!flitzis_audio_engine_run (soak->engine, &error))
    g_error ("run: %s", error->message);
}

/* Every other restart is an engine restart (shut_down and run); the
 * others take the device away: the JACK server is stopped under the
 * playing engine (stream-error), and a new one is started. */
static void
restart (Soak *soak, guint period)
{
  soak->restarts++;
  if (soak->restarts % 2 == 1)
    {
      flitzis_audio_engine_shut_down (soak->engine);
      g_assert_true (flitzis_test_wait_until (NULL, quiet, soak, 10000));
    }
  else
    {
      guint64 errors = soak->stream_errors;

      flitzis_test_jack_stop (soak->jack);
      while (soak->stream_errors == errors)
        g_main_context_iteration (NULL, TRUE);
      g_assert_false (flitzis_audio_engine_get_running (soak->engine));
      g_assert_true (flitzis_test_wait_until (NULL, quiet, soak, 10000));
      soak->jack = flitzis_test_jack_start (RATE, period);
    }
  /* The start is measured once both kinds of restart have happened. */
  if (soak->restarts == 2)
    measure_memory (soak, 0);
  run_engine (soak);
}

/* ---- the run ---- */

static gboolean
pongs_reached (gpointer data)
{
  Soak *soak = data;

  return soak->pongs == soak->pings;
}

/* The start: every command once, every file loaded (one of them
 * asynchronously) and played, then all unloaded, so that one-time
 * allocations (GLib's thread pool, libsndfile's, libsoxr's) are made
 * before the memory at the start is measured. */
static void
warm_up (Soak *soak)
{
  for (Op op = 0; op < N_OPS; op++)
    run_op (soak, op, 0);
  for (guint f = 0; f < N_FILES; f++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_true (flitzis_audio_engine_load_sample (soak->engine, f, soak->files[f], &error));
      g_assert_true (flitzis_audio_engine_play_sample (soak->engine, f, 0.5f, &error));
    }
  flitzis_test_wait_frames (NULL, soak->engine, RATE / 10);
  g_assert_true (flitzis_test_wait_until (NULL, pongs_reached, soak, 10000));
  unload_all (soak);
}

static guint
env_uint (const char *name, guint fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

static void
report (Soak *soak, guint seconds, guint period)
{
  FlitzisAudioEngine *engine = soak->engine;
  double max_ms = (double) atomic_load (&callback_max_ns) / 1e6;
  g_autoptr (GString) ops = g_string_new (NULL);

  for (Op op = 0; op < N_OPS; op++)
    g_string_append_printf (ops, "%s%s %" G_GUINT64_FORMAT, op ? ", " : "", op_names[op],
                            soak->ops[op]);
  g_test_message ("soak: %u s at %u frames, %u Hz, %u restarts (every second one a device loss)",
                  seconds, period, RATE, (guint) soak->restarts);
  g_test_message ("commands: %s", ops->str);
  g_test_message ("refused: %" G_GUINT64_FORMAT " queue full, %" G_GUINT64_FORMAT
                  " empty slot or loop outside the sample", soak->busy, soak->empty);
  {
    g_autoptr (FlitzisEngineStats) stats = flitzis_audio_engine_get_stats (engine);

    g_test_message ("engine underruns (its own callback late): %" G_GUINT64_FORMAT
                    "; xruns the server reported: %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
                    " xrun signals); streams abandoned: %" G_GUINT64_FORMAT,
                    flitzis_engine_stats_get_underruns (stats),
                    flitzis_engine_stats_get_xruns (stats), soak->xrun_signals,
                    flitzis_engine_stats_get_streams_abandoned (stats));
  }
  g_test_message ("messages polled: %" G_GUINT64_FORMAT, soak->messages_polled);
  g_test_message ("pings %" G_GUINT64_FORMAT ", pongs %" G_GUINT64_FORMAT
                  ", dropped: replies %" G_GUINT64_FORMAT ", events %" G_GUINT64_FORMAT
                  ", messages %" G_GUINT64_FORMAT ", signals %" G_GUINT64_FORMAT
                  ", voices %" G_GUINT64_FORMAT, soak->pings, soak->pongs,
                  flitzis_test_count (engine, flitzis_engine_stats_get_dropped_replies),
                  flitzis_test_count (engine, flitzis_engine_stats_get_dropped_events),
                  flitzis_test_count (engine, flitzis_engine_stats_get_dropped_messages),
                  flitzis_test_count (engine, flitzis_engine_stats_get_dropped_signals),
                  flitzis_test_count (engine, flitzis_engine_stats_get_dropped_voices));
  g_test_message ("RSS: %.1f MiB at the start, %.1f MiB at the end; heap in use: %"
                  G_GUINT64_FORMAT " bytes at the start, %" G_GUINT64_FORMAT " at the end"
                  " (engine shut down, every buffer freed)",
                  (double) soak->rss[0] / 1048576, (double) soak->rss[1] / 1048576,
                  soak->heap[0], soak->heap[1]);
  g_test_message ("largest callback: %.3f ms over %" G_GUINT64_FORMAT " callbacks"
                  " (%.3f of the %.3f ms period); %" G_GUINT64_FORMAT " took more than"
                  " half a period", max_ms, (guint64) atomic_load (&callbacks),
                  max_ms / (1000.0 * period / RATE), 1000.0 * period / RATE,
                  (guint64) atomic_load (&callbacks_over_half));
}

static void
test_soak (void)
{
  guint seconds = env_uint ("FLITZIS_SOAK_SECONDS", 4);
  guint period = env_uint ("FLITZIS_SOAK_PERIOD", 64);
  guint restart_every = MAX (1, seconds / 10);   /* every tenth of the run, at most once a second */
  Soak soak = { 0 };
  gint64 end, next_restart;
  guint tick;

  half_period_ns = (uint_fast64_t) period * 500000000u / RATE;
  soak.rand = g_rand_new_with_seed (env_uint ("FLITZIS_SOAK_SEED", 1));
  write_files (&soak);
  soak.jack = flitzis_test_jack_start (RATE, period);
  soak.engine = flitzis_audio_engine_new ();
  flitzis_audio_engine_set_period_frames (soak.engine, period);
  g_signal_connect (soak.engine, "pong", G_CALLBACK (on_pong), &soak);
  g_signal_connect (soak.engine, "xrun", G_CALLBACK (on_xrun), &soak);
  g_signal_connect (soak.engine, "stream-error", G_CALLBACK (on_stream_error), &soak);
  run_engine (&soak);

  g_assert_cmpuint (seconds, >=, 3);   /* two restarts before the end */
  warm_up (&soak);

  tick = g_timeout_add (TICK_MS, on_tick, &soak);
  end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  next_restart = g_get_monotonic_time () + (gint64) restart_every * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, TRUE);
      if (g_get_monotonic_time () >= next_restart && g_get_monotonic_time () < end)
        {
          restart (&soak, period);
          next_restart = g_get_monotonic_time () + (gint64) restart_every * G_USEC_PER_SEC;
        }
    }
  g_source_remove (tick);

  unload_all (&soak);
  /* Every ping sent to the last run is answered or counted as dropped
   * (pings of the runs before were answered or counted at their end). */
  {
    g_autoptr (GError) error = NULL;

    g_assert_true (flitzis_audio_engine_ping (soak.engine, &error));
    soak.pings++;
    while (soak.pongs + flitzis_test_count (soak.engine, flitzis_engine_stats_get_dropped_replies) < soak.pings)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (soak.pongs + flitzis_test_count (soak.engine, flitzis_engine_stats_get_dropped_replies), ==,
                      soak.pings);
  }
  g_assert_true (flitzis_audio_engine_get_running (soak.engine));
  flitzis_audio_engine_shut_down (soak.engine);
  g_assert_true (flitzis_test_wait_until (NULL, quiet, &soak, 10000));
  measure_memory (&soak, 1);
  report (&soak, seconds, period);
  g_assert_cmpuint (soak.restarts, >=, 2);
  g_assert_cmpuint (soak.heap[1], <=, soak.heap[0] + HEAP_SLACK);

  g_object_unref (soak.engine);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
  flitzis_test_jack_stop (soak.jack);
  for (guint f = 0; f < N_FILES; f++)
    g_free (soak.files[f]);
  flitzis_test_remove_tree (soak.dir);
  g_free (soak.dir);
  g_rand_free (soak.rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hardening/soak/random-commands-and-restarts", test_soak);
  return g_test_run ();
}
