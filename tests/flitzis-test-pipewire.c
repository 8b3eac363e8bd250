/* flitzis-test-pipewire.c: a private PipeWire session, see
 * flitzis-test-pipewire.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * WirePlumber needs a D-Bus session bus (it exits at once without one),
 * and without WirePlumber nothing links a stream to a sink: so a private
 * bus comes first.  Every program gets SIGTERM when the test process dies,
 * however it dies (PR_SET_PDEATHSIG), so that no session outlives its
 * test.  The capture stream and the sinks the tests add live on a
 * connection of this helper's own, in a pw_thread_loop.
 */
#include "config.h"

#define _GNU_SOURCE 1   /* dladdr() */
#include <dlfcn.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <alsa/asoundlib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <pipewire/filter.h>
#include <pipewire/pipewire.h>
#include <spa/control/control.h>
#include <spa/param/audio/format-utils.h>
#include <spa/pod/builder.h>

#include "core/fz-core.h"
#include "flitzis-test.h"
#include "flitzis-test-pipewire.h"

#define CHANNELS 2
#define MAX_SINKS 4

struct FlitzisTestPipewire {
  char *dir;
  char *runtime_dir;
  guint rate;
  guint quantum;
  GSubprocess *bus;
  GSubprocess *pipewire;
  GSubprocess *wireplumber;
  /* This helper's connection. */
  struct pw_thread_loop *loop;
  struct pw_context *context;
  struct pw_core *core;
  struct pw_stream *capture;
  struct spa_hook capture_listener;
  struct pw_proxy *sinks[MAX_SINKS];
  char *sink_names[MAX_SINKS];
  /* The capture, written by PipeWire's data thread. */
  float *buffer;
  gsize capacity;
  atomic_size_t frames;
  atomic_bool streaming;
  _Atomic gint64 first_sound_us;     /* -1 until a non-zero frame came */
  /* Cycles of the graph this capture did not record in sequence: a cycle
   * with no buffer to take, or the graph's clock (pw_time.ticks) moved by
   * other than the frames recorded in the cycle before (an xrun). */
  atomic_uint gaps;
  guint64 next_ticks;                /* the data thread's; 0: none yet */
};

static void
die_with_parent (gpointer data)
{
  (void) data;
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn (FlitzisTestPipewire *pw, const char *log_name, const char *const *argv)
{
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *log = g_build_filename (pw->dir, log_name, NULL);
  g_autofree char *bus = g_strdup_printf ("unix:path=%s/bus", pw->dir);
  g_autofree char *config = g_build_filename (pw->dir, "config", NULL);
  g_autofree char *state = g_build_filename (pw->dir, "state", NULL);
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", pw->runtime_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "PIPEWIRE_RUNTIME_DIR", pw->runtime_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", state, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

static void
write_config (FlitzisTestPipewire *pw)
{
  g_autofree char *conf_d = g_build_filename (pw->dir, "config", "pipewire", "pipewire.conf.d", NULL);
  g_autofree char *path = g_build_filename (conf_d, "50-flitzis-test.conf", NULL);
  g_autofree char *state = g_build_filename (pw->dir, "state", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (conf_d, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (state, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (pw->runtime_dir, 0700), ==, 0);
  text = g_strdup_printf ("context.properties = {\n"
                          "  default.clock.rate = %u\n"
                          "  default.clock.quantum = %u\n"
                          "  default.clock.min-quantum = 16\n"
                          "}\n"
                          "context.objects = [\n"
                          "  { factory = adapter\n"
                          "    args = {\n"
                          "      factory.name = support.null-audio-sink\n"
                          "      node.name = \"" FLITZIS_TEST_PW_SINK "\"\n"
                          "      node.description = \"" FLITZIS_TEST_PW_SINK_DESCRIPTION "\"\n"
                          "      media.class = \"Audio/Sink\"\n"
                          "      audio.position = [ FL FR ]\n"
                          "      audio.rate = %u\n"
                          "      object.linger = true\n"
                          "    }\n"
                          "  }\n"
                          "]\n", pw->rate, pw->quantum, pw->rate);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* The session is up once the library sees the sink as the default, with
 * its two ports: WirePlumber has then made it the default. */
static gboolean
sink_is_default (gpointer data)
{
  g_autoptr (GListModel) devices = flitzis_audio_engine_list_output_devices (NULL);

  (void) data;
  for (guint i = 0; devices != NULL && i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr (FlitzisDevice) device = g_list_model_get_item (devices, i);

      if (g_strcmp0 (flitzis_device_get_name (device), FLITZIS_TEST_PW_SINK_DESCRIPTION) == 0 &&
          flitzis_device_get_is_default (device) &&
          flitzis_device_get_max_output_channels (device) == CHANNELS)
        return TRUE;
    }
  return FALSE;
}

static void
fail_with_logs (FlitzisTestPipewire *pw, const char *what)
{
  g_autofree char *pw_log_path = g_build_filename (pw->dir, "pipewire.log", NULL);
  g_autofree char *wp_log_path = g_build_filename (pw->dir, "wireplumber.log", NULL);
  g_autofree char *pw_log = NULL;
  g_autofree char *wp_log = NULL;

  g_file_get_contents (pw_log_path, &pw_log, NULL, NULL);
  g_file_get_contents (wp_log_path, &wp_log, NULL, NULL);
  g_error ("the private PipeWire session in %s: %s.\npipewire said:\n%s\nwireplumber said:\n%s",
           pw->dir, what, pw_log != NULL ? pw_log : "", wp_log != NULL ? wp_log : "");
}

static void
connect_helper (FlitzisTestPipewire *pw)
{
  pw->loop = pw_thread_loop_new ("flitzis-test-pw", NULL);
  pw->context = pw_context_new (pw_thread_loop_get_loop (pw->loop), NULL, 0);
  g_assert_cmpint (pw_thread_loop_start (pw->loop), ==, 0);
  pw_thread_loop_lock (pw->loop);
  pw->core = pw_context_connect (pw->context, NULL, 0);
  pw_thread_loop_unlock (pw->loop);
  g_assert_nonnull (pw->core);
}

static void
disconnect_helper (FlitzisTestPipewire *pw)
{
  if (pw->loop == NULL)
    return;
  pw_thread_loop_lock (pw->loop);
  if (pw->capture != NULL)
    {
      spa_hook_remove (&pw->capture_listener);
      pw_stream_destroy (pw->capture);
      pw->capture = NULL;
    }
  for (guint i = 0; i < MAX_SINKS; i++)
    {
      g_clear_pointer (&pw->sinks[i], pw_proxy_destroy);
      g_clear_pointer (&pw->sink_names[i], g_free);
    }
  if (pw->core != NULL)
    pw_core_disconnect (pw->core);
  pw->core = NULL;
  pw_thread_loop_unlock (pw->loop);
  pw_thread_loop_stop (pw->loop);
  pw_context_destroy (pw->context);
  pw_thread_loop_destroy (pw->loop);
  pw->loop = NULL;
}

static void
start_server (FlitzisTestPipewire *pw)
{
  g_autofree char *socket = g_build_filename (pw->runtime_dir, "pipewire-0", NULL);
  const char *pipewire_argv[] = { PIPEWIRE_PATH, NULL };
  const char *wireplumber_argv[] = { WIREPLUMBER_PATH, NULL };
  guint slow = flitzis_test_slowdown ();

  pw->pipewire = spawn (pw, "pipewire.log", pipewire_argv);
  if (!flitzis_test_wait_until (NULL, file_exists, socket, 10000 / slow))
    fail_with_logs (pw, "pipewire did not open its socket within 10 s");
  pw->wireplumber = spawn (pw, "wireplumber.log", wireplumber_argv);
  if (!flitzis_test_wait_until (NULL, sink_is_default, NULL, 20000 / slow))
    fail_with_logs (pw, "the null sink was not the default within 20 s");
  connect_helper (pw);
}

FlitzisTestPipewire *
flitzis_test_pipewire_start (guint rate, guint quantum)
{
  FlitzisTestPipewire *pw = g_new0 (FlitzisTestPipewire, 1);
  g_autofree char *bus_socket = NULL;
  g_autofree char *bus_address = NULL;
  const char *bus_argv[] = { DBUS_DAEMON_PATH, "--session", "--nofork", "--nopidfile", NULL, NULL };

  g_assert_true (g_file_test (PIPEWIRE_PATH, G_FILE_TEST_IS_EXECUTABLE));
  g_assert_true (g_file_test (WIREPLUMBER_PATH, G_FILE_TEST_IS_EXECUTABLE));
  g_assert_true (g_file_test (DBUS_DAEMON_PATH, G_FILE_TEST_IS_EXECUTABLE));
  pw_init (NULL, NULL);
  pw->rate = rate;
  pw->quantum = quantum;
  pw->dir = flitzis_test_make_tmpdir ();
  pw->runtime_dir = g_build_filename (pw->dir, "run", NULL);
  write_config (pw);
  g_setenv ("PIPEWIRE_RUNTIME_DIR", pw->runtime_dir, TRUE);

  bus_socket = g_build_filename (pw->dir, "bus", NULL);
  bus_address = g_strdup_printf ("--address=unix:path=%s", bus_socket);
  bus_argv[4] = bus_address;
  pw->bus = spawn (pw, "dbus.log", bus_argv);
  if (!flitzis_test_wait_until (NULL, file_exists, bus_socket, 10000))
    fail_with_logs (pw, "dbus-daemon did not open its socket within 10 s");
  start_server (pw);
  return pw;
}

static void
end_process (GSubprocess **process, int signal_number)
{
  g_autoptr (GError) error = NULL;

  if (*process == NULL)
    return;
  g_subprocess_send_signal (*process, signal_number);
  g_subprocess_wait (*process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (process);
}

void
flitzis_test_pipewire_kill (FlitzisTestPipewire *pw)
{
  end_process (&pw->wireplumber, SIGKILL);
  end_process (&pw->pipewire, SIGKILL);
  disconnect_helper (pw);
}

void
flitzis_test_pipewire_restart (FlitzisTestPipewire *pw)
{
  g_autofree char *socket = g_build_filename (pw->runtime_dir, "pipewire-0", NULL);

  g_assert_null (pw->pipewire);
  /* A killed server leaves its socket (and lock) behind. */
  g_unlink (socket);
  start_server (pw);
}

void
flitzis_test_pipewire_signal (FlitzisTestPipewire *pw, int signum)
{
  g_assert_nonnull (pw->pipewire);
  g_subprocess_send_signal (pw->pipewire, signum);
}

int
flitzis_test_pipewire_get_pid (FlitzisTestPipewire *pw)
{
  g_assert_nonnull (pw->pipewire);
  return atoi (g_subprocess_get_identifier (pw->pipewire));
}

void
flitzis_test_pipewire_stop (FlitzisTestPipewire *pw)
{
  disconnect_helper (pw);
  end_process (&pw->wireplumber, SIGTERM);
  end_process (&pw->pipewire, SIGTERM);
  end_process (&pw->bus, SIGTERM);
  flitzis_test_remove_tree (pw->dir);
  g_free (pw->dir);
  g_free (pw->runtime_dir);
  g_free (pw->buffer);
  g_free (pw);
}

/* ---- capture ---- */

/* PipeWire's data thread: the time of the first non-zero frame, taken as
 * this period's start (now) plus its place in the period. */
static void
note_first_sound (FlitzisTestPipewire *pw, const float *frames, gsize n)
{
  if (atomic_load (&pw->first_sound_us) >= 0)
    return;
  for (gsize f = 0; f < n; f++)
    if (frames[f * CHANNELS] != 0.0f)
      {
        atomic_store (&pw->first_sound_us,
                      g_get_monotonic_time () + (gint64) f * G_USEC_PER_SEC / pw->rate);
        return;
      }
}

/* PipeWire's data thread: appends what the monitor delivers. */
static void
on_capture_process (void *data)
{
  FlitzisTestPipewire *pw = data;
  struct pw_buffer *buffer = pw_stream_dequeue_buffer (pw->capture);
  struct spa_data *in;
  struct pw_time time;
  gsize done, n;

  if (buffer == NULL)
    {
      atomic_fetch_add (&pw->gaps, 1);
      return;
    }
  in = &buffer->buffer->datas[0];
  done = atomic_load (&pw->frames);
  if (in->data != NULL)
    {
      n = MIN (in->chunk->size / (CHANNELS * sizeof (float)), pw->capacity - done);
      if (pw_stream_get_time_n (pw->capture, &time, sizeof time) == 0)
        {
          if (pw->next_ticks != 0 && time.ticks != pw->next_ticks)
            atomic_fetch_add (&pw->gaps, 1);
          pw->next_ticks = time.ticks + in->chunk->size / (CHANNELS * sizeof (float));
        }
      memcpy (pw->buffer + done * CHANNELS, SPA_PTROFF (in->data, in->chunk->offset, void),
              n * CHANNELS * sizeof (float));
      atomic_store (&pw->frames, done + n);
      note_first_sound (pw, pw->buffer + done * CHANNELS, n);
    }
  atomic_store (&pw->streaming, true);
  pw_stream_queue_buffer (pw->capture, buffer);
}

static const struct pw_stream_events capture_events = {
  PW_VERSION_STREAM_EVENTS,
  .process = on_capture_process,
};

static gboolean
capture_streams (gpointer data)
{
  FlitzisTestPipewire *pw = data;

  return atomic_load (&pw->streaming) && atomic_load (&pw->frames) > 0;
}

void
flitzis_test_pipewire_capture_start (FlitzisTestPipewire *pw, gsize max_frames)
{
  guint8 pod[1024];
  struct spa_pod_builder builder = SPA_POD_BUILDER_INIT (pod, sizeof pod);
  struct spa_audio_info_raw info = {
    .format = SPA_AUDIO_FORMAT_F32, .rate = pw->rate, .channels = CHANNELS,
    .position = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR },
  };
  const struct spa_pod *params[1];
  struct pw_properties *props;

  g_assert_null (pw->capture);
  g_free (pw->buffer);
  pw->buffer = g_new0 (float, max_frames * CHANNELS);
  pw->capacity = max_frames;
  atomic_store (&pw->frames, 0);
  atomic_store (&pw->streaming, false);
  atomic_store (&pw->first_sound_us, -1);
  atomic_store (&pw->gaps, 0);
  pw->next_ticks = 0;
  props = pw_properties_new (PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Capture",
                             PW_KEY_NODE_NAME, "flitzis-test-capture",
                             PW_KEY_TARGET_OBJECT, FLITZIS_TEST_PW_SINK,
                             PW_KEY_STREAM_CAPTURE_SINK, "true", NULL);
  pw_properties_setf (props, PW_KEY_NODE_LATENCY, "%u/%u", pw->quantum, pw->rate);
  params[0] = spa_format_audio_raw_build (&builder, SPA_PARAM_EnumFormat, &info);
  pw_thread_loop_lock (pw->loop);
  pw->capture = pw_stream_new (pw->core, "flitzis-test-capture", props);
  pw_stream_add_listener (pw->capture, &pw->capture_listener, &capture_events, pw);
  g_assert_cmpint (pw_stream_connect (pw->capture, PW_DIRECTION_INPUT, PW_ID_ANY,
                                      PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
                                      PW_STREAM_FLAG_RT_PROCESS, params, 1), ==, 0);
  pw_thread_loop_unlock (pw->loop);
  g_assert_true (flitzis_test_wait_until (NULL, capture_streams, pw, 10000));
}

gsize
flitzis_test_pipewire_capture_frames (FlitzisTestPipewire *pw)
{
  return atomic_load (&pw->frames);
}

gint64
flitzis_test_pipewire_capture_first_sound_time (FlitzisTestPipewire *pw)
{
  return atomic_load (&pw->first_sound_us);
}

float *
flitzis_test_pipewire_capture_stop (FlitzisTestPipewire *pw, gsize *n_frames)
{
  float *captured;

  pw_thread_loop_lock (pw->loop);
  spa_hook_remove (&pw->capture_listener);
  pw_stream_destroy (pw->capture);
  pw->capture = NULL;
  pw_thread_loop_unlock (pw->loop);
  *n_frames = atomic_load (&pw->frames);
  captured = g_steal_pointer (&pw->buffer);
  pw->capacity = 0;
  return captured;
}

typedef struct {
  FlitzisTestPipewire *pw;
  gsize frames;
} CaptureTarget;

static gboolean
captured_enough (gpointer data)
{
  CaptureTarget *target = data;

  return flitzis_test_pipewire_capture_frames (target->pw) >= target->frames;
}

/* Plays @slot once into a fresh capture: two quanta of silence before it,
 * sixteen after its @n frames.  @gaps: the cycles of the graph the
 * capture did not record in sequence meanwhile. */
static float *
capture_play (FlitzisTestPipewire *pw, FlitzisAudioEngine *engine, guint slot, float velocity,
              gsize n, gsize *frames, guint *gaps)
{
  CaptureTarget target = { pw, 2 * pw->quantum };
  float *captured;

  flitzis_test_pipewire_capture_start (pw, n + 64 * pw->quantum);
  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &target, 10000));
  target.frames = flitzis_test_pipewire_capture_frames (pw) + n + 16 * pw->quantum;
  flitzis_test_play_ok (engine, slot, velocity);
  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &target, 20000));
  captured = flitzis_test_pipewire_capture_stop (pw, frames);
  *gaps = atomic_load (&pw->gaps);
  return captured;
}

/* Whether @captured holds, from its first sound on, exactly @expected; if
 * not, says where they part. */
static gboolean
capture_matches (const float *captured, gsize frames, const float *expected, gsize n)
{
  gssize start = flitzis_test_first_sound (captured, frames, CHANNELS);

  /* Silence first (the beginning was not lost), and the whole sound. */
  if (start <= 0 || frames - (gsize) start < n)
    {
      g_test_message ("the capture's first sound is at frame %" G_GSSIZE_FORMAT " of %"
                      G_GSIZE_FORMAT, start, frames);
      return FALSE;
    }
  for (gsize i = 0; i < CHANNELS * n; i++)
    if (captured[CHANNELS * start + i] != expected[i])
      {
        g_test_message ("the capture parts from what was expected at frame %" G_GSIZE_FORMAT
                        " of %" G_GSIZE_FORMAT " after its first sound (%g, not %g)",
                        i / CHANNELS, n, (double) captured[CHANNELS * start + i],
                        (double) expected[i]);
        return FALSE;
      }
  return TRUE;
}

/* Of the mismatches (FLITZIS_TEST_MAX_CAPTURES at most), how many may go
 * without a cycle that the capture missed or an xrun the engine reported
 * (a node of the graph that was late, which neither sees). */
#define MAX_UNEXPLAINED 2

void
flitzis_test_pipewire_assert_plays (FlitzisTestPipewire *pw, FlitzisAudioEngine *engine,
                                    guint slot, float velocity, const float *expected, gsize n)
{
  guint unexplained = 0;

  g_assert_cmpint (flitzis_test_first_sound (expected, n, CHANNELS), ==, 0);
  for (guint attempt = 1;; attempt++)
    {
      guint64 xruns = flitzis_test_count (engine, flitzis_engine_stats_get_xruns);
      g_autofree float *captured = NULL;
      gsize frames;
      guint gaps;

      captured = capture_play (pw, engine, slot, velocity, n, &frames, &gaps);
      if (capture_matches (captured, frames, expected, n))
        return;
      xruns = flitzis_test_count (engine, flitzis_engine_stats_get_xruns) - xruns;
      if (gaps == 0 && xruns == 0)
        unexplained++;
      g_test_message ("capture %u did not match: meanwhile the capture missed %u cycles of "
                      "the graph, the engine reported %" G_GUINT64_FORMAT " xruns (%u "
                      "mismatches so far with neither)", attempt, gaps, xruns, unexplained);
      /* A fault in the engine's output shows in every capture. */
      g_assert_cmpuint (unexplained, <=, MAX_UNEXPLAINED);
      g_assert_cmpuint (attempt, <, FLITZIS_TEST_MAX_CAPTURES);
    }
}

static void
count_xrun (FlitzisAudioEngine *engine, guint64 count, guint64 frame, gpointer data)
{
  (void) engine; (void) count; (void) frame;
  (*(guint *) data)++;
}

void
flitzis_test_pipewire_assert_stall_counted (FlitzisAudioEngine *engine)
{
  guint64 before;
  guint signals = 0;
  gulong handler = g_signal_connect (engine, "xrun", G_CALLBACK (count_xrun), &signals);

  flitzis_test_wait_frames (NULL, engine, 8 * FLITZIS_TEST_PERIOD);
  before = flitzis_test_count (engine, flitzis_engine_stats_get_xruns);
  /* 20 ms: some four cycles of the graph's. */
  flitzis_test_stall_next_period (20);
  g_assert_true (flitzis_test_wait_count (engine, flitzis_engine_stats_get_xruns, before + 1, 5000));
  flitzis_test_wait_frames (NULL, engine, 4 * FLITZIS_TEST_PERIOD);
  g_assert_cmpuint (signals, >=, 1);
  g_assert_true (flitzis_audio_engine_get_running (engine));
  fz_core_set_test_hook (NULL);
  g_signal_handler_disconnect (engine, handler);
}

/* ---- sinks that come and go ---- */

void
flitzis_test_pipewire_add_sink (FlitzisTestPipewire *pw, const char *name)
{
  flitzis_test_pipewire_add_sink_channels (pw, name, 2);
}

void
flitzis_test_pipewire_add_sink_channels (FlitzisTestPipewire *pw, const char *name, guint channels)
{
  struct pw_properties *props;
  guint i;

  for (i = 0; i < MAX_SINKS && pw->sinks[i] != NULL; i++)
    ;
  g_assert_cmpuint (i, <, MAX_SINKS);
  props = pw_properties_new ("factory.name", "support.null-audio-sink",
                             PW_KEY_NODE_NAME, name, PW_KEY_NODE_DESCRIPTION, name,
                             PW_KEY_MEDIA_CLASS, "Audio/Sink",
                             "audio.position", channels == 1 ? "[ MONO ]" : "[ FL FR ]", NULL);
  g_assert_true (channels == 1 || channels == 2);
  pw_properties_setf (props, "audio.rate", "%u", pw->rate);
  pw_thread_loop_lock (pw->loop);
  pw->sinks[i] = pw_core_create_object (pw->core, "adapter", PW_TYPE_INTERFACE_Node,
                                        PW_VERSION_NODE, &props->dict, 0);
  pw_thread_loop_unlock (pw->loop);
  pw_properties_free (props);
  g_assert_nonnull (pw->sinks[i]);
  pw->sink_names[i] = g_strdup (name);
}

void
flitzis_test_pipewire_remove_sink (FlitzisTestPipewire *pw, const char *name)
{
  for (guint i = 0; i < MAX_SINKS; i++)
    if (g_strcmp0 (pw->sink_names[i], name) == 0)
      {
        pw_thread_loop_lock (pw->loop);
        g_clear_pointer (&pw->sinks[i], pw_proxy_destroy);
        pw_thread_loop_unlock (pw->loop);
        g_clear_pointer (&pw->sink_names[i], g_free);
        return;
      }
  g_assert_not_reached ();
}

/* ---- pipewire-alsa ---- */

static char *
find_pipewire_alsa_dir (void)
{
  const char *dir = g_getenv ("FLITZIS_TEST_PIPEWIRE_ALSA_DIR");
  g_autofree char *plugin = NULL;
  char *found = NULL;
  Dl_info info;

  if (dir != NULL && *dir != '\0')
    found = g_strdup (dir);
  else if (dladdr ((void *) snd_pcm_open, &info) != 0 && info.dli_fname != NULL)
    {
      g_autofree char *libasound_dir = g_path_get_dirname (info.dli_fname);

      found = g_build_filename (libasound_dir, "alsa-lib", NULL);
    }
  if (found == NULL)
    return NULL;
  plugin = g_build_filename (found, "libasound_module_pcm_pipewire.so", NULL);
  if (!g_file_test (plugin, G_FILE_TEST_EXISTS))
    g_clear_pointer (&found, g_free);
  return found;
}

char *
flitzis_test_pipewire_alsa_config (const char *dir)
{
  g_autofree char *plugin_dir = find_pipewire_alsa_dir ();
  g_autofree char *libs = NULL;
  g_autofree char *conf = NULL;

  /* Under memcheck, alsa-lib's hardware-parameter code and the data it
   * hands PortAudio and the plug-in make hundreds of "uninitialised
   * value" reports, none in libflitzis (as with the null PCM: hence
   * engine/test-portaudio-once is not in make check-valgrind); under
   * ThreadSanitizer, alsa-lib's PCM mutex and the plug-in's thread-loop
   * lock are taken in both orders (snd_pcm_start() on PortAudio's thread,
   * snd_pcm_sw_params_current() on the opening one): a lock-order report
   * inside those libraries. */
  if (flitzis_test_instrumented ())
    {
      g_test_skip ("instrumented builds skip this path: valgrind and ThreadSanitizer report "
                   "alsa-lib's and pipewire-alsa's own errors on it");
      return NULL;
    }
  if (plugin_dir == NULL)
    {
      if (g_strcmp0 (g_getenv ("FLITZIS_TEST_REQUIRE_PIPEWIRE_ALSA"), "1") == 0)
        g_error ("PipeWire's ALSA plug-in is not installed (pipewire-alsa), and "
                 "FLITZIS_TEST_REQUIRE_PIPEWIRE_ALSA=1");
      g_test_skip ("PipeWire's ALSA plug-in is not installed (pipewire-alsa)");
      return NULL;
    }
  libs = g_strdup_printf ("pcm_type.pipewire { lib \"%s/libasound_module_pcm_pipewire.so\" }\n"
                          "ctl_type.pipewire { lib \"%s/libasound_module_ctl_pipewire.so\" }\n",
                          plugin_dir, plugin_dir);
  conf = flitzis_test_write_text (dir, "plugin.conf", libs);
  return g_strdup_printf ("%s/alsa.conf:%s:%s", snd_config_topdir (),
                          g_test_get_filename (G_TEST_DIST, "alsa", "pipewire-alsa.conf", NULL),
                          conf);
}

/* ---- a MIDI source ---- */

struct FlitzisTestPwMidiSource {
  struct pw_thread_loop *loop;
  struct pw_context *context;
  struct pw_core *core;
  struct pw_filter *filter;
  struct spa_hook listener;
  void *port;
  guint8 events[FLITZIS_TEST_PW_MIDI_MAX][3];
  guint32 offsets[FLITZIS_TEST_PW_MIDI_MAX];
  guint n;
  atomic_bool armed;
  atomic_bool sent;
  atomic_bool busy;
  atomic_uint cycles;
};

static void
control (struct spa_pod_builder *builder, guint32 offset, const guint8 *bytes, guint size)
{
  spa_pod_builder_control (builder, offset, SPA_CONTROL_Midi);
  spa_pod_builder_bytes (builder, bytes, size);
}

/* The busy source's cycle @n, @frames long. */
static void
write_busy (struct spa_pod_builder *builder, guint n, guint32 frames)
{
  const guint8 note[] = { 0x90, (guint8) (36 + n % 3), (guint8) (n % 2 ? 100 : 0) };
  const guint8 cc[] = { 0xb0, 7, (guint8) (n % 128) };
  const guint8 junk[] = { 0x33, 0xf0, 1 };

  control (builder, n % frames, note, sizeof note);
  control (builder, frames - 1, cc, sizeof cc);
  if (n % 5 == 0)
    control (builder, frames - 1, junk, sizeof junk);
}

/* PipeWire's data thread: the cycle's sequence of MIDI controls. */
static void
on_source_process (void *data, struct spa_io_position *position)
{
  FlitzisTestPwMidiSource *source = data;
  struct pw_buffer *buffer = pw_filter_dequeue_buffer (source->port);
  guint n = atomic_fetch_add (&source->cycles, 1);
  struct spa_data *out;
  struct spa_pod_builder builder;
  struct spa_pod_frame frame;

  if (buffer == NULL)
    return;
  out = &buffer->buffer->datas[0];
  if (out->data != NULL)
    {
      spa_pod_builder_init (&builder, out->data, out->maxsize);
      spa_pod_builder_push_sequence (&builder, &frame, 0);
      if (atomic_load (&source->busy) && position->clock.duration > 0)
        write_busy (&builder, n, (guint32) position->clock.duration);
      else if (atomic_load (&source->armed) && !atomic_load (&source->sent))
        {
          for (guint i = 0; i < source->n; i++)
            control (&builder, source->offsets[i], source->events[i], 3);
          atomic_store (&source->sent, true);
        }
      spa_pod_builder_pop (&builder, &frame);
      out->chunk->offset = 0;
      out->chunk->stride = 1;
      out->chunk->size = builder.state.offset;
    }
  pw_filter_queue_buffer (source->port, buffer);
}

static const struct pw_filter_events source_events = {
  PW_VERSION_FILTER_EVENTS,
  .process = on_source_process,
};

FlitzisTestPwMidiSource *
flitzis_test_pw_midi_source_new (void)
{
  FlitzisTestPwMidiSource *source = g_new0 (FlitzisTestPwMidiSource, 1);

  pw_init (NULL, NULL);
  source->loop = pw_thread_loop_new ("midi-source", NULL);
  source->context = pw_context_new (pw_thread_loop_get_loop (source->loop), NULL, 0);
  g_assert_nonnull (source->context);
  g_assert_cmpint (pw_thread_loop_start (source->loop), ==, 0);
  pw_thread_loop_lock (source->loop);
  source->core = pw_context_connect (source->context, NULL, 0);
  g_assert_nonnull (source->core);
  source->filter = pw_filter_new (source->core, "flitzis-test-midi-source",
                                  pw_properties_new (PW_KEY_MEDIA_TYPE, "Midi",
                                                     PW_KEY_MEDIA_CATEGORY, "Source",
                                                     PW_KEY_NODE_NAME, "flitzis-test-midi-source",
                                                     PW_KEY_NODE_AUTOCONNECT, "false", NULL));
  g_assert_nonnull (source->filter);
  pw_filter_add_listener (source->filter, &source->listener, &source_events, source);
  source->port = pw_filter_add_port (source->filter, PW_DIRECTION_OUTPUT,
                                     PW_FILTER_PORT_FLAG_MAP_BUFFERS, sizeof (guint64),
                                     pw_properties_new (PW_KEY_FORMAT_DSP, "8 bit raw midi",
                                                        PW_KEY_PORT_NAME, "out", NULL),
                                     NULL, 0);
  g_assert_nonnull (source->port);
  g_assert_cmpint (pw_filter_connect (source->filter, PW_FILTER_FLAG_RT_PROCESS, NULL, 0), ==, 0);
  pw_thread_loop_unlock (source->loop);
  return source;
}

void
flitzis_test_pw_midi_source_free (FlitzisTestPwMidiSource *source)
{
  pw_thread_loop_lock (source->loop);
  spa_hook_remove (&source->listener);
  pw_filter_destroy (source->filter);
  pw_core_disconnect (source->core);
  pw_thread_loop_unlock (source->loop);
  pw_thread_loop_stop (source->loop);
  pw_context_destroy (source->context);
  pw_thread_loop_destroy (source->loop);
  g_free (source);
}

static gboolean
source_sent (gpointer data)
{
  return atomic_load (&((FlitzisTestPwMidiSource *) data)->sent);
}

void
flitzis_test_pw_midi_source_send (FlitzisTestPwMidiSource *source, const guint8 (*events)[3],
                                  const guint32 *offsets, guint n)
{
  g_assert_cmpuint (n, <=, FLITZIS_TEST_PW_MIDI_MAX);
  atomic_store (&source->sent, false);
  memcpy (source->events, events, n * sizeof events[0]);
  memcpy (source->offsets, offsets, n * sizeof offsets[0]);
  source->n = n;
  atomic_store (&source->armed, true);
  g_assert_true (flitzis_test_wait_until (NULL, source_sent, source, 5000));
  atomic_store (&source->armed, false);
}

void
flitzis_test_pw_midi_source_set_busy (FlitzisTestPwMidiSource *source, gboolean busy)
{
  atomic_store (&source->busy, busy);
}

typedef struct {
  FlitzisTestPwMidiSource *source;
  guint until;
} CycleTarget;

static gboolean
source_cycled (gpointer data)
{
  CycleTarget *target = data;

  return atomic_load (&target->source->cycles) >= target->until;
}

void
flitzis_test_pw_midi_source_wait_cycles (FlitzisTestPwMidiSource *source, guint cycles)
{
  CycleTarget target = { source, atomic_load (&source->cycles) + cycles };

  g_assert_true (flitzis_test_wait_until (NULL, source_cycled, &target, 5000));
}
