/* flitzis-test-jack.c: a private JACK dummy server and capture client
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The capture client lives in the test process.  Its process callback
 * copies its input ports into preallocated buffers; PortAudio's output
 * ports are connected to them by name, found through PaJack_GetClientName()
 * (nothing is hard-coded, so parallel tests and second streams work).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sem.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <jack/jack.h>
#include <jack/midiport.h>

#include "flitzis.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"
#include "fz-tsan.h"

#define CAPTURE_CHANNELS 2

struct FlitzisTestJack {
  char *name;
  GPid pid;                           /* the server's, for signal handlers */
  char *log;                          /* the server's output */
  GSubprocess *server;
  jack_client_t *client;
  jack_port_t *inputs[CAPTURE_CHANNELS];
  float *buffers[CAPTURE_CHANNELS];   /* one per channel, max_frames long */
  gsize max_frames;
  atomic_size_t frames;
  atomic_bool recording;
  atomic_uint cycles;
  atomic_uint stall_ms;               /* the next cycle takes this long */
  _Atomic guint64 first_frame;        /* JACK frame time of the first frame recorded */
  atomic_uint gaps;                   /* cycles the capture missed while recording */
  gpointer xrun_data;                 /* for xrun_hook, set before it */
  _Atomic (FlitzisTestXrunHook) xrun_hook;
  jack_nframes_t next_frame;          /* the process thread's: where the last cycle ended */
};

static void
silent (const char *message)
{
  (void) message;
}

/* JACK's process thread. */
static int
on_process (jack_nframes_t n, void *data)
{
  FlitzisTestJack *jack = data;
  gsize done = atomic_load (&jack->frames);

  atomic_fetch_add (&jack->cycles, 1);
  /* A late client holds up the whole graph: JACK reports an xrun to every
   * client, PortAudio's stream among them. */
  if (atomic_load (&jack->stall_ms) > 0)
    g_usleep (1000 * atomic_exchange (&jack->stall_ms, 0));
  if (!atomic_load (&jack->recording))
    return 0;
  if (done == 0)
    atomic_store (&jack->first_frame, (guint64) jack_last_frame_time (jack->client));
  /* Frame i of the capture is the server's frame first + i only while
   * every cycle is recorded: one that this client was not run in (it, or
   * the graph before it, was late) shows as a jump of the server's clock
   * from where the cycle before ended. */
  else if (done < jack->max_frames && jack_last_frame_time (jack->client) != jack->next_frame)
    atomic_fetch_add (&jack->gaps, 1);
  jack->next_frame = jack_last_frame_time (jack->client) + n;
  n = (jack_nframes_t) MIN ((gsize) n, jack->max_frames - done);
  for (guint c = 0; c < CAPTURE_CHANNELS; c++)
    {
      const float *input = jack_port_get_buffer (jack->inputs[c], n);

      /* The buffer is the engine's output port's, written by its JACK
       * client, which JACK runs before this one in each cycle
       * (flitzis/fz-tsan.h).  When this client is late (a loaded machine,
       * a sanitizer's build), JACK starts the next cycle beside it, and
       * the engine writes the one buffer its port has while this copies
       * it: the capture is then torn, the server reports the xrun, and
       * the comparisons excuse the mismatch as one.  ThreadSanitizer
       * would stop the test at it (engine/test-clock under check-tsan,
       * now and then), so the copy itself is not checked; the engine's
       * writes still are, against everything else. */
      fz_tsan_acquire (input);
      fz_tsan_ignore_begin ();
      memcpy (jack->buffers[c] + done, input, n * sizeof (float));
      fz_tsan_ignore_end ();
      fz_tsan_release (input);
    }
  atomic_store (&jack->frames, done + n);
  return 0;
}

/* JACK's notification thread: an xrun the server reports to this client,
 * as to every client of the graph. */
static int
on_xrun (void *data)
{
  FlitzisTestJack *jack = data;
  FlitzisTestXrunHook hook = atomic_load (&jack->xrun_hook);

  if (hook != NULL)
    hook (jack->xrun_data);
  return 0;
}

/* Runs in the forked child, before exec: the server gets SIGTERM when the
 * test process dies, however it dies (an assertion aborts it before
 * flitzis_test_jack_stop() can run).  JACK keeps at most 8 servers in its
 * shared-memory registry, so orphans would soon stop other tests. */
static void
die_with_parent (gpointer data)
{
  (void) data;
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* ---- JACK's server registry ---- */

/* jackd2's shared-memory registry (common/shm.c): 8 server entries, each
 * freed when its server stops cleanly, reclaimed by JACK only when a
 * server of the same name registers.  A test server that died uncleanly
 * (its test process killed, a jackd crashing) keeps its entry, and, names
 * being unique per test process, eight of those stop every JACK test on
 * the machine ("Too many servers already active"), two suites side by
 * side fill it the sooner.  So before starting a server, the entries of
 * test servers (named flitzis-test-*) whose process is gone are freed,
 * under the registry's own lock, as JACK frees an entry it reclaims.
 * Anything that does not look like jackd2's layout is left alone. */
#define JACK_REGISTRY_PATH "/dev/shm/jack-shm-registry"
#define JACK_REGISTRY_MAGIC 0x4a41434bu      /* "JACK" */
#define JACK_SEMAPHORE_KEY 0x282929
#define JACK_MAX_SERVERS 8

typedef struct {
  pid_t pid;
  char name[257];
} JackRegistryServer;

typedef struct {
  uint32_t magic;
  uint16_t protocol;
  int32_t type;
  uint32_t size;
  uint32_t hdr_len;
  uint32_t entry_len;
  JackRegistryServer server[JACK_MAX_SERVERS];
} JackRegistryHeader;

static gboolean
lock_registry (int semid, int change)
{
  struct sembuf op = { .sem_num = 0, .sem_op = (short) change, .sem_flg = SEM_UNDO };

  return semop (semid, &op, 1) == 0;
}

static guint
reclaim_dead_test_servers (void)
{
  int fd = open (JACK_REGISTRY_PATH, O_RDWR | O_CLOEXEC);
  int semid = semget (JACK_SEMAPHORE_KEY, 1, 0);
  JackRegistryHeader *header;
  guint reclaimed = 0;

  if (fd < 0)
    return 0;
  header = mmap (NULL, sizeof *header, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close (fd);
  if (header == MAP_FAILED)
    return 0;
  if (semid >= 0 && header->magic == JACK_REGISTRY_MAGIC &&
      header->hdr_len == sizeof *header && lock_registry (semid, -1))
    {
      for (guint i = 0; i < JACK_MAX_SERVERS; i++)
        {
          JackRegistryServer *server = &header->server[i];

          if (server->pid > 0 && strstr (server->name, "flitzis-test-") != NULL &&
              kill (server->pid, 0) != 0 && errno == ESRCH)
            {
              memset (server, 0, sizeof *server);
              reclaimed++;
            }
        }
      lock_registry (semid, 1);
    }
  munmap (header, sizeof *header);
  return reclaimed;
}

static gboolean
try_connect_client (gpointer data)
{
  FlitzisTestJack *jack = data;
  jack_status_t status;

  jack->client = jack_client_open ("flitzis-test", JackNoStartServer | JackServerName,
                                   &status, jack->name);
  return jack->client != NULL;
}

static void
register_inputs (FlitzisTestJack *jack)
{
  for (guint c = 0; c < CAPTURE_CHANNELS; c++)
    {
      g_autofree char *port = g_strdup_printf ("in_%u", c);
      jack->inputs[c] = jack_port_register (jack->client, port, JACK_DEFAULT_AUDIO_TYPE,
                                            JackPortIsInput, 0);
      g_assert_nonnull (jack->inputs[c]);
    }
  jack_set_process_callback (jack->client, on_process, jack);
  jack_set_xrun_callback (jack->client, on_xrun, jack);
  g_assert_cmpint (jack_activate (jack->client), ==, 0);
}

static FlitzisTestJack *start_server (guint rate, guint period, gboolean realtime);

FlitzisTestJack *
flitzis_test_jack_start (guint rate, guint period)
{
  return start_server (rate, period, TRUE);
}

FlitzisTestJack *
flitzis_test_jack_start_no_realtime (guint rate, guint period)
{
  return start_server (rate, period, FALSE);
}

static FlitzisTestJack *
start_server (guint rate, guint period, gboolean realtime)
{
  const char *jackd = g_getenv ("FLITZIS_JACKD");
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *rate_s = g_strdup_printf ("%u", rate);
  g_autofree char *period_s = g_strdup_printf ("%u", period);
  g_autofree char *wait_s = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                             (guint64) period * 1000000 / rate
                                             * flitzis_test_slowdown ());
  FlitzisTestJack *jack = g_new0 (FlitzisTestJack, 1);
  guint reclaimed;

  if (jackd == NULL || *jackd == '\0' || g_strcmp0 (jackd, "no") == 0)
    jackd = JACKD_PATH;
  g_assert_true (g_file_test (jackd, G_FILE_TEST_IS_EXECUTABLE));

  jack_set_error_function (silent);
  jack_set_info_function (silent);
  reclaimed = reclaim_dead_test_servers ();
  if (reclaimed > 0)
    g_test_message ("freed %u entries of dead test servers in JACK's registry", reclaimed);
  jack->name = g_strdup_printf ("flitzis-test-%d-%u", (int) getpid (), g_random_int ());
  g_setenv ("JACK_DEFAULT_SERVER", jack->name, TRUE);
  g_setenv ("JACK_NO_START_SERVER", "1", TRUE);

  jack->log = g_strdup_printf ("%s/%s.log", g_get_tmp_dir (), jack->name);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, jack->log);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* -t: clients get 5 s, not 0.5 s, to answer the server, so that a
   * loaded 2-core machine does not make a client's start-up fail.
   * -w: one period of wall-clock time per cycle, stretched under valgrind
   * (flitzis_test_slowdown()). */
  {
    /* Without real-time: jackd's -r (--no-realtime), before the driver. */
    const char *argv[] = {
      jackd, "-t", "5000", "-n", jack->name, realtime ? "-R" : "-r",
      "-d", "dummy", "-r", rate_s, "-p", period_s, "-w", wait_s, NULL,
    };

    jack->server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  }
  g_assert_no_error (error);
  jack->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (jack->server), NULL, 10);
  if (!flitzis_test_wait_until (NULL, try_connect_client, jack, 10000))
    {
      g_autofree char *log = NULL;
      g_file_get_contents (jack->log, &log, NULL, NULL);
      g_error ("the JACK server %s did not come up within 10 s; it said:\n%s",
               jack->name, log != NULL ? log : "(nothing)");
    }
  register_inputs (jack);
  return jack;
}

void
flitzis_test_jack_stop (FlitzisTestJack *jack)
{
  g_autoptr (GError) error = NULL;

  jack_client_close (jack->client);
  g_subprocess_send_signal (jack->server, SIGTERM);
  g_subprocess_wait (jack->server, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (jack->server);
  g_unlink (jack->log);
  g_free (jack->log);
  for (guint c = 0; c < CAPTURE_CHANNELS; c++)
    g_free (jack->buffers[c]);
  g_free (jack->name);
  g_free (jack);
}

void
flitzis_test_jack_stall_next_cycle (FlitzisTestJack *jack, guint ms)
{
  /* The same number of periods on a server slowed for valgrind. */
  atomic_store (&jack->stall_ms, ms * flitzis_test_slowdown ());
}

void
flitzis_test_jack_set_xrun_hook (FlitzisTestJack *jack, FlitzisTestXrunHook hook, gpointer data)
{
  atomic_store (&jack->xrun_hook, NULL);
  jack->xrun_data = data;
  atomic_store (&jack->xrun_hook, hook);
}

void
flitzis_test_jack_signal (FlitzisTestJack *jack, int signum)
{
  g_subprocess_send_signal (jack->server, signum);
}

void
flitzis_test_jack_signal_unsafe (FlitzisTestJack *jack, int signum)
{
  kill (jack->pid, signum);
}

const char *
flitzis_test_jack_get_name (FlitzisTestJack *jack)
{
  return jack->name;
}

static gboolean
ports_connected (gpointer data)
{
  FlitzisTestJack *jack = data;

  for (guint c = 0; c < CAPTURE_CHANNELS; c++)
    if (jack_port_connected (jack->inputs[c]) == 0)
      return FALSE;
  return TRUE;
}

typedef struct {
  FlitzisTestJack *jack;
  guint until;
} CycleWait;

static gboolean
cycles_reached (gpointer data)
{
  CycleWait *wait = data;

  return atomic_load (&wait->jack->cycles) >= wait->until;
}

/* The output ports of the engine's client: every client's but the
 * server's "system" and this one's.  Free with jack_free(). */
static const char **
get_engine_ports (FlitzisTestJack *jack)
{
  const char **ports = jack_get_ports (jack->client, NULL, JACK_DEFAULT_AUDIO_TYPE,
                                       JackPortIsOutput);
  g_autofree char *own = g_strdup_printf ("%s:", jack_get_client_name (jack->client));
  guint kept = 0;

  for (guint i = 0; ports != NULL && ports[i] != NULL; i++)
    if (!g_str_has_prefix (ports[i], "system:") && !g_str_has_prefix (ports[i], own))
      ports[kept++] = ports[i];
  if (ports != NULL)
    ports[kept] = NULL;
  return ports;
}

/* Ports are registered before their client is activated, and can only be
 * connected once it is: the engine's are ready when they are connected
 * (to the server's playback ports). */
static guint
count_connected_engine_ports (FlitzisTestJack *jack)
{
  const char **ports = get_engine_ports (jack);
  guint n = 0;

  for (guint i = 0; ports != NULL && ports[i] != NULL; i++)
    if (jack_port_connected (jack_port_by_name (jack->client, ports[i])) > 0)
      n++;
  jack_free (ports);
  return n;
}

static gboolean
engine_ports_exist (gpointer data)
{
  return count_connected_engine_ports (data) >= CAPTURE_CHANNELS;
}

/**
 * flitzis_test_jack_wait_for_engine:
 * @jack: a test server
 * @timeout_ms: how long to wait
 *
 * Waits until another client, such as an engine in another process, has
 * registered its output ports and connected them (to the server's
 * playback ports), so that a capture can connect to them too.
 *
 * Returns: whether it had within @timeout_ms
 */
gboolean
flitzis_test_jack_wait_for_engine (FlitzisTestJack *jack, guint timeout_ms)
{
  return flitzis_test_wait_until (NULL, engine_ports_exist, jack, timeout_ms);
}

/* Connects the output ports of the engine's client, in order, to this
 * client's inputs. */
static void
connect_engine (FlitzisTestJack *jack)
{
  const char **ports = get_engine_ports (jack);
  guint n = 0;
  int connected;

  g_assert_nonnull (ports);
  for (; ports[n] != NULL && n < CAPTURE_CHANNELS; n++)
    {
      /* EEXIST: connected by an earlier capture. */
      connected = jack_connect (jack->client, ports[n], jack_port_name (jack->inputs[n]));
      g_assert_true (connected == 0 || connected == EEXIST);
    }
  jack_free (ports);
  g_assert_cmpuint (n, ==, CAPTURE_CHANNELS);
}

void
flitzis_test_jack_capture_start (FlitzisTestJack *jack, gsize max_frames)
{
  CycleWait wait = { jack, 0 };

  g_assert_false (atomic_load (&jack->recording));
  for (guint c = 0; c < CAPTURE_CHANNELS; c++)
    {
      g_free (jack->buffers[c]);
      jack->buffers[c] = g_new0 (float, max_frames);
    }
  jack->max_frames = max_frames;
  atomic_store (&jack->frames, 0);
  atomic_store (&jack->gaps, 0);

  connect_engine (jack);
  g_assert_true (flitzis_test_wait_until (NULL, ports_connected, jack, 5000));
  /* Two whole cycles after the graph changed, the connection is live. */
  wait.until = atomic_load (&jack->cycles) + 2;
  g_assert_true (flitzis_test_wait_until (NULL, cycles_reached, &wait, 5000));
  atomic_store (&jack->recording, TRUE);
}

gsize
flitzis_test_jack_capture_frames (FlitzisTestJack *jack)
{
  return atomic_load (&jack->frames);
}

float *
flitzis_test_jack_capture_stop (FlitzisTestJack *jack, guint *n_channels, gsize *n_frames)
{
  gsize frames;
  float *interleaved;

  atomic_store (&jack->recording, FALSE);
  frames = atomic_load (&jack->frames);
  interleaved = g_new (float, frames * CAPTURE_CHANNELS + 1);
  for (gsize f = 0; f < frames; f++)
    for (guint c = 0; c < CAPTURE_CHANNELS; c++)
      interleaved[f * CAPTURE_CHANNELS + c] = jack->buffers[c][f];
  *n_channels = CAPTURE_CHANNELS;
  *n_frames = frames;
  return interleaved;
}

guint
flitzis_test_jack_capture_gaps (FlitzisTestJack *jack)
{
  return atomic_load (&jack->gaps);
}

gboolean
flitzis_test_jack_disturbed_since (FlitzisTestJack *jack, FlitzisAudioEngine *engine,
                                   guint64 xruns_before)
{
  guint64 xruns = flitzis_test_count (engine, flitzis_engine_stats_get_xruns) - xruns_before;
  guint gaps = flitzis_test_jack_capture_gaps (jack);

  if (xruns == 0 && gaps == 0)
    return FALSE;
  g_test_message ("a late node disturbed the capture: the engine reported %" G_GUINT64_FORMAT
                  " xruns, the capture missed %u cycles", xruns, gaps);
  return TRUE;
}

guint64
flitzis_test_jack_capture_first_frame (FlitzisTestJack *jack)
{
  return atomic_load (&jack->first_frame);
}

guint64
flitzis_test_jack_frame_time (FlitzisTestJack *jack)
{
  return jack_frame_time (jack->client);
}

guint64
flitzis_test_jack_last_frame_time (FlitzisTestJack *jack)
{
  return jack_last_frame_time (jack->client);
}

/* ---- the program's shared server ---- */

static FlitzisTestJack *shared;
static guint shared_rate, shared_period;

FlitzisTestJack *
flitzis_test_jack_shared (guint rate, guint period)
{
  if (g_test_subprocess ())
    return NULL;
  if (shared == NULL)
    {
      shared = flitzis_test_jack_start (rate, period);
      shared_rate = rate;
      shared_period = period;
    }
  g_assert_cmpuint (shared_rate, ==, rate);
  g_assert_cmpuint (shared_period, ==, period);
  return shared;
}

void
flitzis_test_jack_shared_stop (void)
{
  if (shared != NULL)
    flitzis_test_jack_stop (g_steal_pointer (&shared));
}

void
flitzis_test_live_setup (FlitzisTestLive *fixture, gconstpointer data)
{
  (void) data;
  flitzis_test_jack_shared (FLITZIS_TEST_RATE, FLITZIS_TEST_PERIOD);
  fixture->dir = flitzis_test_make_tmpdir ();
  fixture->engine = flitzis_audio_engine_new ();
  fixture->pongs = 0;
}

void
flitzis_test_live_teardown (FlitzisTestLive *fixture, gconstpointer data)
{
  (void) data;
  g_assert_finalize_object (fixture->engine);
  flitzis_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  /* Every sample the engine decoded was freed, exactly once. */
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* ---- capture on the shared server ---- */

typedef struct {
  gsize frames;
} CaptureWait;

static gboolean
captured_enough (gpointer data)
{
  CaptureWait *wait = data;

  return flitzis_test_jack_capture_frames (shared) >= wait->frames;
}

float *
flitzis_test_capture_for (gsize frames, gsize *n_frames)
{
  CaptureWait wait = { frames };
  guint channels;
  float *captured;

  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &wait, 20000));
  captured = flitzis_test_jack_capture_stop (shared, &channels, n_frames);
  g_assert_cmpuint (channels, ==, 2);
  return captured;
}

void
flitzis_test_start_capture_with_silence (gsize max_frames)
{
  CaptureWait wait = { FLITZIS_TEST_PERIOD };

  flitzis_test_jack_capture_start (shared, max_frames);
  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &wait, 5000));
}

void
flitzis_test_wait_captured_from_now (gsize frames)
{
  CaptureWait wait = { flitzis_test_jack_capture_frames (shared) + frames };

  g_assert_true (flitzis_test_wait_until (NULL, captured_enough, &wait, 5000));
}

gsize
flitzis_test_onset (const float *captured, gsize frames, guint channel)
{
  for (gsize f = 0; f < frames; f++)
    if (captured[2 * f + channel] != 0.0f)
      return f;
  g_error ("channel %u stayed silent for %" G_GSIZE_FORMAT " frames", channel, frames);
  return 0;
}

gboolean
flitzis_test_channel_matches (const float *captured, gsize frames, guint channel,
                              const float *expected, gsize length)
{
  gssize start = flitzis_test_first_sound (captured + channel, frames, 2);

  if (start < FLITZIS_TEST_PERIOD || (gsize) start + length > frames)
    {
      g_test_message ("channel %u of the capture first sounds at frame %" G_GSSIZE_FORMAT
                      " of %" G_GSIZE_FORMAT, channel, start, frames);
      return FALSE;
    }
  for (gsize f = 0; f < frames - (gsize) start; f++)
    {
      float want = f < length ? expected[f] : 0.0f;
      float got = captured[2 * (start + f) + channel];

      if (got != want)
        {
          g_test_message ("channel %u, frame %" G_GSIZE_FORMAT " of the sample: captured %.9g, "
                          "expected %.9g", channel, f, (double) got, (double) want);
          return FALSE;
        }
    }
  return TRUE;
}

void
flitzis_test_assert_channel_plays (const float *captured, gsize frames, guint channel,
                                   const float *expected, gsize length)
{
  gsize start = flitzis_test_onset (captured, frames, channel);

  g_test_message ("channel %u starts at captured frame %" G_GSIZE_FORMAT, channel, start);
  g_assert_cmpuint (start, >=, FLITZIS_TEST_PERIOD);
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

/* ---- a MIDI source client ---- */

struct FlitzisTestJackMidiSource {
  jack_client_t *client;
  jack_port_t *port;
  FlitzisTestJackMidiWrite write;
  atomic_uint cycles;
};

/* The source's process callback (its client's process thread). */
static int
on_midi_source_process (jack_nframes_t frames, void *data)
{
  FlitzisTestJackMidiSource *source = data;
  void *buffer = jack_port_get_buffer (source->port, frames);
  guint n = atomic_fetch_add (&source->cycles, 1);

  jack_midi_clear_buffer (buffer);
  source->write (buffer, frames, n);
  return 0;
}

FlitzisTestJackMidiSource *
flitzis_test_jack_midi_source_open (const char *name, FlitzisTestJackMidiWrite write)
{
  FlitzisTestJackMidiSource *source = g_new0 (FlitzisTestJackMidiSource, 1);

  source->write = write;
  source->client = jack_client_open (name, JackNoStartServer, NULL);
  g_assert_nonnull (source->client);
  source->port = jack_port_register (source->client, "out", JACK_DEFAULT_MIDI_TYPE,
                                     JackPortIsOutput, 0);
  jack_set_process_callback (source->client, on_midi_source_process, source);
  g_assert_cmpint (jack_activate (source->client), ==, 0);
  return source;
}

void
flitzis_test_jack_midi_source_close (FlitzisTestJackMidiSource *source)
{
  jack_client_close (source->client);
  g_free (source);
}

/* Whether @captured holds silence on both channels (a period at least:
 * the beginning was not lost), then exactly the @n stereo frames of
 * @expected, then silence to its end; if not, says where they part. */
static gboolean
capture_plays (const float *captured, gsize frames, const float *expected, gsize n)
{
  gssize start = flitzis_test_first_sound (captured, frames, 2);

  if (start < FLITZIS_TEST_PERIOD || frames - (gsize) start < n)
    {
      g_test_message ("the capture's first sound is at frame %" G_GSSIZE_FORMAT " of %"
                      G_GSIZE_FORMAT, start, frames);
      return FALSE;
    }
  for (gsize i = 0; i < 2 * (gsize) start; i++)
    if (captured[i] != 0.0f)
      {
        g_test_message ("channel %u of the capture sounds at frame %" G_GSIZE_FORMAT
                        ", before the left one (%" G_GSSIZE_FORMAT ")", (guint) (i % 2), i / 2,
                        start);
        return FALSE;
      }
  for (gsize i = 0; i < 2 * (frames - (gsize) start); i++)
    {
      float want = i < 2 * n ? expected[i] : 0.0f;

      if (captured[2 * start + i] != want)
        {
          g_test_message ("the capture parts from what was expected at frame %" G_GSIZE_FORMAT
                          " of %" G_GSIZE_FORMAT " after its first sound, channel %u "
                          "(%.9g, not %.9g)", i / 2, n, (guint) (i % 2),
                          (double) captured[2 * start + i], (double) want);
          return FALSE;
        }
    }
  return TRUE;
}

/* What flitzis_test_jack_assert_plays() plays, and expects. */
typedef struct {
  FlitzisAudioEngine *engine;
  guint slot;
  float velocity;
  const float *expected;
  gsize n;
} ExpectedPlay;

/* A FlitzisTestPlay: one play of the slot, captured. */
static gboolean
play_expected (gpointer data, gboolean *disturbed)
{
  const ExpectedPlay *play = data;
  guint64 xruns = flitzis_test_count (play->engine, flitzis_engine_stats_get_xruns);
  g_autofree float *captured = NULL;
  gsize frames;

  flitzis_test_start_capture_with_silence (play->n + 16 * FLITZIS_TEST_PERIOD);
  flitzis_test_play_ok (play->engine, play->slot, play->velocity);
  captured = flitzis_test_capture_for (play->n + 8 * FLITZIS_TEST_PERIOD, &frames);
  *disturbed = flitzis_test_jack_disturbed_since (shared, play->engine, xruns);
  return capture_plays (captured, frames, play->expected, play->n);
}

void
flitzis_test_jack_assert_plays (FlitzisAudioEngine *engine, guint slot, float velocity,
                                const float *expected, gsize n)
{
  ExpectedPlay play = { engine, slot, velocity, expected, n };

  g_assert_cmpint (flitzis_test_first_sound (expected, n, 2), ==, 0);
  flitzis_test_play_until_matched (play_expected, &play);
}
