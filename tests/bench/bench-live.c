/* bench-live.c: the engine on a running JACK server, and GStreamer beside it
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each scenario starts a private JACK dummy server (tests/flitzis-test-jack.c),
 * runs the engine on it, and prints "key value" lines:
 *
 * - pingpong PERIOD: ping() to the pong handler in a running GMainLoop;
 * - trigger: frames from the period in which play_sample() was queued to
 *   the first output frame, and play_sample_at()'s error, on the capture;
 * - worst PERIOD CALLBACKS: the audio callback's time at 32 voices, from a
 *   --wrap of fz_core_process() that reads the monotonic clock (a vDSO
 *   call, no system call) into a preallocated array;
 * - share SECONDS: the audio thread's CPU time (pthread_getcpuclockid(),
 *   read from the main thread) and fz_core_process()'s own time, over
 *   one-second windows of wall time, at 32 looping voices and at none;
 * - gst: trigger latency, call to first non-zero frame at the JACK server,
 *   of libflitzis and of a GStreamer pipeline into jackaudiosink, on the
 *   same server and the same capture client.
 *
 * `bench-live -k --tap` (make check) runs each once, small; nothing about
 * time is asserted.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <sndfile.h>
#ifdef HAVE_GST
#include <gst/gst.h>
#endif

#include "flitzis.h"
#include "core/fz-core.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"
#include "bench-common.h"

#define RATE 48000
/* Triggers per live latency figure: the call falls on a random phase of
 * the period, so medians need many (20 gave ±1.5 ms between runs). */
#define TRIGGER_REPS 80

static gboolean quick;

static FlitzisAudioEngine *
engine_on (FlitzisTestJack *jack)
{
  FlitzisAudioEngine *engine = flitzis_audio_engine_new ();
  g_autoptr (GError) error = NULL;

  (void) jack;   /* the engine finds it as the default JACK server */
  if (!flitzis_audio_engine_run (engine, &error))
    g_error ("run: %s", error->message);
  return engine;
}

static char *
write_click (const char *dir, gsize frames)
{
  g_autofree float *click = g_new (float, frames);

  for (gsize i = 0; i < frames; i++)
    click[i] = 0.5f;
  return flitzis_test_write_audio (dir, "click.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, RATE, 1,
                                   click, frames);
}

/* ---- ping → pong ---- */

static void
scenario_pingpong (guint period)
{
  FlitzisTestJack *jack = flitzis_test_jack_start (RATE, period);
  guint n = quick ? 5 : 200;
  g_autofree char *median_key = g_strdup_printf ("pingpong-%u-median-ms", period);
  g_autofree char *p99_key = g_strdup_printf ("pingpong-%u-p99-ms", period);
  FlitzisAudioEngine *engine = engine_on (jack);
  /* The phases from GLib's global generator (unseeded). */
  g_autofree double *ms = bench_pingpong (engine, n, NULL);

  flitzis_test_result (median_key, "%.3f", bench_quantile (ms, n, 0.5));
  flitzis_test_result (p99_key, "%.3f", bench_quantile (ms, n, 0.99));
  flitzis_audio_engine_shut_down (engine);
  g_object_unref (engine);
  flitzis_test_jack_stop (jack);
}

/* ---- trigger → output ---- */

typedef struct {
  guint64 frame;
  gboolean seen;
} Started;

static void
on_started (FlitzisAudioEngine *engine, guint slot, guint64 frame, gpointer data)
{
  Started *started = data;

  (void) engine;
  (void) slot;
  started->frame = frame;
  started->seen = TRUE;
}

/* The JACK frame of the first non-zero captured frame at or after JACK
 * frame @from; G_MAXUINT64 when there is none. */
static guint64
first_sound (FlitzisTestJack *jack, guint64 from)
{
  guint channels;
  gsize frames;
  guint64 first = flitzis_test_jack_capture_first_frame (jack);
  g_autofree float *captured = flitzis_test_jack_capture_stop (jack, &channels, &frames);

  for (gsize f = from > first ? from - first : 0; f < frames; f++)
    if (captured[f * channels] != 0.0f)
      return first + f;
  return G_MAXUINT64;
}

/* Triggers the click @reps times with play_sample(); for each, the frames
 * from the start of the period after the one in which the call was made
 * (JACK's clock) to the first non-zero frame, and the latency in ms from
 * the call.  Returns the offset of the engine's frame clock from JACK's. */
static gint64
flitzis_triggers (FlitzisTestJack *jack, FlitzisAudioEngine *engine, guint period, guint reps,
                  gint64 *extra_max, double *ms)
{
  Started started = { 0 };
  gulong handler = g_signal_connect (engine, "sample-started", G_CALLBACK (on_started), &started);
  g_autoptr (GError) error = NULL;
  gint64 offset = 0;

  *extra_max = G_MININT64;
  for (guint r = 0; r < reps; r++)
    {
      guint64 call, cycle, sound;

      flitzis_test_jack_capture_start (jack, RATE);
      bench_iterate_ms (20 + g_random_int_range (0, 7));
      started.seen = FALSE;
      cycle = flitzis_test_jack_last_frame_time (jack);
      call = flitzis_test_jack_frame_time (jack);
      g_assert_true (flitzis_audio_engine_play_sample (engine, 0, 1.0f, &error));
      bench_iterate_ms (150);
      /* From the start of the call's cycle, not from the call's estimated
       * frame: when a cycle starts late (a loaded machine), jack_frame_time()
       * runs ahead of it, and scanning from there cut off the click's first
       * frames (seen as "4 extra frames" once). */
      sound = first_sound (jack, cycle);
      g_assert_cmpuint (sound, !=, G_MAXUINT64);
      g_assert_true (started.seen);
      *extra_max = MAX (*extra_max, (gint64) sound - (gint64) (cycle + period));
      ms[r] = (double) ((gint64) sound - (gint64) call) * 1000.0 / RATE;
      offset = (gint64) sound - (gint64) started.frame;
    }
  g_signal_handler_disconnect (engine, handler);
  return offset;
}

static void
scenario_trigger (void)
{
  const guint period = 256;
  FlitzisTestJack *jack = flitzis_test_jack_start (RATE, period);
  FlitzisAudioEngine *engine = engine_on (jack);
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = write_click (dir, 480);
  g_autoptr (GError) error = NULL;
  guint reps = quick ? 2 : TRIGGER_REPS;
  double ms[TRIGGER_REPS];
  gint64 extra, offset, at_error = 0;

  g_assert_true (flitzis_audio_engine_load_sample (engine, 0, path, &error));
  offset = flitzis_triggers (jack, engine, period, reps, &extra, ms);
  flitzis_test_result ("trigger-live-extra-frames", "%" G_GINT64_FORMAT, MAX (extra, 0));
  flitzis_test_result ("trigger-live-median-ms", "%.3f", bench_quantile (ms, reps, 0.5));

  /* play_sample_at(): the frame asked for, on JACK's clock too. */
  for (guint r = 0; r < reps; r++)
    {
      guint64 at, sound;

      flitzis_test_jack_capture_start (jack, RATE);
      bench_iterate_ms (10);
      at = flitzis_audio_engine_get_frame_time (engine) + 3 * period + 77 + r;
      g_assert_true (flitzis_audio_engine_play_sample_at (engine, 0, 1.0f, at, &error));
      bench_iterate_ms (150);
      sound = first_sound (jack, 0);
      g_assert_cmpuint (sound, !=, G_MAXUINT64);
      at_error = MAX (at_error, ABS ((gint64) sound - offset - (gint64) at));
    }
  flitzis_test_result ("trigger-live-at-error-frames", "%" G_GINT64_FORMAT, at_error);
  flitzis_audio_engine_shut_down (engine);
  g_object_unref (engine);
  flitzis_test_jack_stop (jack);
  flitzis_test_remove_tree (dir);
}

/* ---- the callback's time ---- */

void __real_fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags);
void __wrap_fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags);

static double *callback_seconds;   /* preallocated; NULL: not recording */
static gsize callback_max, callback_count;
/* share: the audio thread (pthread_self() of the first callback), and
 * the nanoseconds spent in fz_core_process() while share_on is set. */
static pthread_t audio_thread;
static gint audio_thread_known;
static gint share_on;
static guint64 share_ns, share_callbacks;

void
__wrap_fz_core_process (FzCore *core, float *out, size_t frames, unsigned flags)
{
  struct timespec a, b;

  if (!__atomic_load_n (&audio_thread_known, __ATOMIC_ACQUIRE))
    {
      audio_thread = pthread_self ();
      __atomic_store_n (&audio_thread_known, 1, __ATOMIC_RELEASE);
    }
  if (__atomic_load_n (&share_on, __ATOMIC_ACQUIRE))
    {
      clock_gettime (CLOCK_MONOTONIC, &a);
      __real_fz_core_process (core, out, frames, flags);
      clock_gettime (CLOCK_MONOTONIC, &b);
      __atomic_fetch_add (&share_ns, (guint64) ((b.tv_sec - a.tv_sec) * 1000000000 +
                                                (b.tv_nsec - a.tv_nsec)), __ATOMIC_RELAXED);
      __atomic_fetch_add (&share_callbacks, 1, __ATOMIC_RELAXED);
      return;
    }
  if (callback_seconds == NULL || callback_count == callback_max)
    {
      __real_fz_core_process (core, out, frames, flags);
      return;
    }
  clock_gettime (CLOCK_MONOTONIC, &a);
  __real_fz_core_process (core, out, frames, flags);
  clock_gettime (CLOCK_MONOTONIC, &b);
  callback_seconds[callback_count] = (double) (b.tv_sec - a.tv_sec)
                                     + (double) (b.tv_nsec - a.tv_nsec) * 1e-9;
  __atomic_store_n (&callback_count, callback_count + 1, __ATOMIC_RELEASE);
}

static void
scenario_worst (guint period, guint callbacks)
{
  FlitzisTestJack *jack = flitzis_test_jack_start (RATE, period);
  FlitzisAudioEngine *engine = engine_on (jack);
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree float *signal = flitzis_test_signal (RATE * 2, 7);
  g_autofree char *path = flitzis_test_write_audio (dir, "loop.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                                    RATE, 2, signal, RATE);
  g_autoptr (GError) error = NULL;
  double *seconds = g_new (double, callbacks);
  double p = (double) period / RATE;
  gsize n;

  for (guint v = 0; v < 32; v++)
    {
      g_assert_true (flitzis_audio_engine_load_sample (engine, v, path, &error));
      g_assert_true (flitzis_audio_engine_set_sample_loop (engine, v, TRUE, 0, 0, &error));
      g_assert_true (flitzis_audio_engine_play_sample (engine, v, 0.03f, &error));
    }
  bench_iterate_ms (200);
  callback_max = callbacks;
  callback_count = 0;
  __atomic_store_n (&callback_seconds, seconds, __ATOMIC_RELEASE);
  while (__atomic_load_n (&callback_count, __ATOMIC_ACQUIRE) < callbacks)
    bench_iterate_ms (50);
  __atomic_store_n (&callback_seconds, NULL, __ATOMIC_RELEASE);
  n = callback_count;
  flitzis_test_result ("worst-callback-count", "%" G_GSIZE_FORMAT, n);
  flitzis_test_result ("worst-callback-period", "%u", period);
  flitzis_test_result ("worst-callback-median", "%.4f", bench_quantile (seconds, (guint) n, 0.5) / p);
  flitzis_test_result ("worst-callback-p999", "%.4f", bench_quantile (seconds, (guint) n, 0.999) / p);
  flitzis_test_result ("worst-callback-max", "%.4f", bench_quantile (seconds, (guint) n, 1.0) / p);
  flitzis_test_result ("worst-callback-xruns", "%" G_GUINT64_FORMAT, flitzis_test_count (engine, flitzis_engine_stats_get_xruns));
  flitzis_audio_engine_shut_down (engine);
  g_object_unref (engine);
  flitzis_test_jack_stop (jack);
  flitzis_test_remove_tree (dir);
  g_free (seconds);
}

/* ---- the engine's share of a core, at real time ---- */

static double
thread_cpu_s (clockid_t clock)
{
  struct timespec ts;

  g_assert_cmpint (clock_gettime (clock, &ts), ==, 0);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/* One window of @ms: the audio thread's CPU time (its whole callback: the
 * JACK client's side and the engine) and fz_core_process()'s own time,
 * as fractions of the wall time. */
static void
share_window (clockid_t clock, guint ms, double *thread_share, double *core_share,
              guint64 *callbacks)
{
  gint64 start = g_get_monotonic_time ();
  double cpu = thread_cpu_s (clock);
  guint64 ns0 = __atomic_load_n (&share_ns, __ATOMIC_RELAXED);
  guint64 n0 = __atomic_load_n (&share_callbacks, __ATOMIC_RELAXED);
  double wall;

  bench_iterate_ms (ms);
  wall = (double) (g_get_monotonic_time () - start) * 1e-6;
  *thread_share = (thread_cpu_s (clock) - cpu) / wall;
  *core_share = (double) (__atomic_load_n (&share_ns, __ATOMIC_RELAXED) - ns0) * 1e-9 / wall;
  *callbacks += __atomic_load_n (&share_callbacks, __ATOMIC_RELAXED) - n0;
}

/* share SECONDS: 32 looping voices of distinct 10 s stereo samples on a
 * JACK dummy server (48 kHz, 256 frames, paced in real time), then none;
 * one-second windows of each, their spread. */
#define SHARE_WINDOWS_MAX 120
static void
scenario_share (guint seconds)
{
  FlitzisTestJack *jack = flitzis_test_jack_start (RATE, 256);
  FlitzisAudioEngine *engine = engine_on (jack);
  g_autoptr (GError) error = NULL;
  guint windows = MIN (seconds, SHARE_WINDOWS_MAX), frames = quick ? RATE : 10 * RATE;
  double thread32[SHARE_WINDOWS_MAX], core32[SHARE_WINDOWS_MAX];
  double thread0[SHARE_WINDOWS_MAX], core0[SHARE_WINDOWS_MAX];
  guint64 callbacks = 0;
  clockid_t clock;

  for (guint v = 0; v < 32; v++)
    {
      float *signal = flitzis_test_signal ((gsize) frames * 2, v + 1);
      g_autoptr (GBytes) pcm = g_bytes_new_take (signal, (gsize) frames * 2 * sizeof (float));

      g_assert_true (flitzis_audio_engine_load_sample_from_bytes (engine, v, pcm, RATE, 2,
                                                                   &error));
      g_assert_true (flitzis_audio_engine_set_sample_loop (engine, v, TRUE, 0, 0, &error));
      g_assert_true (flitzis_audio_engine_play_sample (engine, v, 0.03f, &error));
    }
  bench_iterate_ms (300);
  g_assert_true (__atomic_load_n (&audio_thread_known, __ATOMIC_ACQUIRE));
  g_assert_cmpint (pthread_getcpuclockid (audio_thread, &clock), ==, 0);
  __atomic_store_n (&share_on, 1, __ATOMIC_RELEASE);
  for (guint w = 0; w < windows; w++)
    share_window (clock, quick ? 100 : 1000, &thread32[w], &core32[w], &callbacks);
  g_assert_true (flitzis_audio_engine_stop_all (engine, &error));
  bench_iterate_ms (100);
  for (guint w = 0; w < windows; w++)
    share_window (clock, quick ? 100 : 1000, &thread0[w], &core0[w], &callbacks);
  __atomic_store_n (&share_on, 0, __ATOMIC_RELEASE);
  for (guint w = 0; w < windows; w++)
    {
      thread32[w] *= 100.0;
      core32[w] *= 100.0;
      thread0[w] *= 100.0;
      core0[w] *= 100.0;
    }
  flitzis_test_spread ("share-32-thread-percent", "%.3f", thread32, windows);
  flitzis_test_spread ("share-32-core-percent", "%.3f", core32, windows);
  flitzis_test_spread ("share-0-thread-percent", "%.3f", thread0, windows);
  flitzis_test_spread ("share-0-core-percent", "%.3f", core0, windows);
  flitzis_test_result ("share-callbacks", "%" G_GUINT64_FORMAT, callbacks);
  flitzis_test_result ("share-xruns", "%" G_GUINT64_FORMAT,
                       flitzis_test_count (engine, flitzis_engine_stats_get_xruns));
  bench_print_loadavg ("share-loadavg");
  flitzis_audio_engine_shut_down (engine);
  g_object_unref (engine);
  flitzis_test_jack_stop (jack);
}

/* ---- GStreamer beside it ---- */

#ifdef HAVE_GST
static void
wait_state (GstElement *pipeline)
{
  GstStateChangeReturn ret = gst_element_get_state (pipeline, NULL, NULL, 10 * GST_SECOND);

  g_assert_cmpint (ret, !=, GST_STATE_CHANGE_FAILURE);
  g_assert_cmpint (ret, !=, GST_STATE_CHANGE_ASYNC);
}

/* What a user who wants a sound to start quickly writes: the pipeline is
 * built and prerolled (PAUSED) ahead of time, and PLAYING is the trigger;
 * jackaudiosink with low-latency=true. */
#define PEER_PIPELINE "filesrc ! wavparse ! audioconvert ! audioresample ! audio/x-raw,channels=2 ! " \
                     "jackaudiosink low-latency=true connect=none client-name=gst-bench"

static void
gst_triggers (FlitzisTestJack *jack, const char *path, guint reps, double *ms)
{
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (PEER_PIPELINE, &error);
  GstElement *src;
  GstBus *bus;

  g_assert_no_error (error);
  src = gst_bin_get_by_name (GST_BIN (pipeline), "filesrc0");
  g_object_set (src, "location", path, NULL);
  gst_object_unref (src);
  bus = gst_element_get_bus (pipeline);
  for (guint r = 0; r < reps; r++)
    {
      guint64 cycle, call, sound;
      GstMessage *msg;

      gst_element_set_state (pipeline, GST_STATE_PAUSED);
      wait_state (pipeline);
      gst_element_seek_simple (pipeline, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH, 0);
      wait_state (pipeline);
      flitzis_test_jack_capture_start (jack, 2 * RATE);
      bench_iterate_ms (20 + g_random_int_range (0, 7));
      cycle = flitzis_test_jack_last_frame_time (jack);
      call = flitzis_test_jack_frame_time (jack);
      gst_element_set_state (pipeline, GST_STATE_PLAYING);
      msg = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
      g_assert_nonnull (msg);
      g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
      gst_message_unref (msg);
      bench_iterate_ms (100);
      sound = first_sound (jack, cycle);       /* see flitzis_triggers() */
      g_assert_cmpuint (sound, !=, G_MAXUINT64);
      ms[r] = (double) ((gint64) sound - (gint64) call) * 1000.0 / RATE;
    }
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

static void
scenario_gst (void)
{
  const guint period = 256;
  FlitzisTestJack *jack;
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = write_click (dir, 480);
  g_autoptr (GError) error = NULL;
  guint reps = quick ? 2 : TRIGGER_REPS;
  double fz[TRIGGER_REPS], gst[TRIGGER_REPS];
  gint64 extra;
  FlitzisAudioEngine *engine;
  GstElementFactory *sink = gst_element_factory_find ("jackaudiosink");

  /* Without the plugin (gstreamer1.0-plugins-good, a build dependency)
   * there is no peer: make check fails rather than skip. */
  if (sink == NULL)
    {
      if (g_test_initialized ())
        g_test_fail_printf ("no jackaudiosink: install gstreamer1.0-plugins-good");
      else
        flitzis_test_result ("gst-pipeline", "%s", "not measured: no jackaudiosink");
      return;
    }
  gst_object_unref (sink);
  jack = flitzis_test_jack_start (RATE, period);
  engine = engine_on (jack);
  g_assert_true (flitzis_audio_engine_load_sample (engine, 0, path, &error));
  flitzis_triggers (jack, engine, period, reps, &extra, fz);
  flitzis_audio_engine_shut_down (engine);
  g_object_unref (engine);
  /* The engine's ports are gone: the capture connects GStreamer's. */
  gst_triggers (jack, path, reps, gst);
  flitzis_test_result ("gst-pipeline", "%s", "prerolled " PEER_PIPELINE ", PLAYING as the trigger");
  flitzis_test_result ("fz-trigger-median-ms", "%.3f", bench_quantile (fz, reps, 0.5));
  flitzis_test_result ("gst-trigger-median-ms", "%.3f", bench_quantile (gst, reps, 0.5));
  flitzis_test_result ("fz-trigger-max-ms", "%.3f", bench_quantile (fz, reps, 1.0));
  flitzis_test_result ("fz-trigger-iqr-ms", "%.3f-%.3f", bench_quantile (fz, reps, 0.25),
                       bench_quantile (fz, reps, 0.75));
  flitzis_test_result ("gst-trigger-iqr-ms", "%.3f-%.3f", bench_quantile (gst, reps, 0.25),
                       bench_quantile (gst, reps, 0.75));
  flitzis_test_result ("gst-trigger-max-ms", "%.3f", bench_quantile (gst, reps, 1.0));
  flitzis_test_jack_stop (jack);
  flitzis_test_remove_tree (dir);
}
#endif

/* ---- make check ---- */

static void
test_pingpong (void)
{
  scenario_pingpong (256);
}

static void
test_worst (void)
{
  scenario_worst (256, 50);
}

static void
test_share (void)
{
  scenario_share (2);
}

int
main (int argc, char **argv)
{
  const char *scenario;

#ifdef HAVE_GST
  gst_init (NULL, NULL);
#endif
  scenario = bench_init (&argc, &argv);
  if (scenario == NULL)
    {
      quick = TRUE;
      g_test_add_func ("/bench/live/pingpong", test_pingpong);
      g_test_add_func ("/bench/live/trigger", scenario_trigger);
      g_test_add_func ("/bench/live/worst-callback", test_worst);
      g_test_add_func ("/bench/live/share", test_share);
#ifdef HAVE_GST
      g_test_add_func ("/bench/live/gstreamer", scenario_gst);
#endif
      return g_test_run ();
    }
  if (g_str_equal (scenario, "pingpong") && argc == 3)
    scenario_pingpong ((guint) atoi (argv[2]));
  else if (g_str_equal (scenario, "trigger"))
    scenario_trigger ();
  else if (g_str_equal (scenario, "share") && argc == 3)
    scenario_share ((guint) atoi (argv[2]));
  else if (g_str_equal (scenario, "worst") && argc == 4)
    scenario_worst ((guint) atoi (argv[2]), (guint) atoi (argv[3]));
#ifdef HAVE_GST
  else if (g_str_equal (scenario, "gst"))
    scenario_gst ();
#endif
  else if (g_str_equal (scenario, "all"))
    {
      scenario_pingpong (64);
      scenario_pingpong (256);
      scenario_trigger ();
#ifdef HAVE_GST
      scenario_gst ();
#endif
      scenario_worst (64, 100000);
      scenario_share (20);
    }
  else
    {
      fprintf (stderr, "usage: %s pingpong PERIOD | trigger | worst PERIOD CALLBACKS | share SECONDS"
               " | gst | all\n",
               argv[0]);
      return 2;
    }
  return 0;
}
