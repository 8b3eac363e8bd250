/* test-bank-load.c: a bank of samples loaded asynchronously, in parallel
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * load_sample_async() decodes on the loading pool, one thread per core
 * (flitzis-audio-engine-loading.c).  A bank of 216 files loaded all at
 * once so gives the same samples, bit for bit, as loading them one after
 * the other; loads do run side by side (one waits, through the loader's
 * test hook, until another has started: no timing involved), and never
 * more of them than there are cores.  And a file that fails to open closes
 * its descriptor once: libsndfile closes the one it was given when it
 * fails, so a second close of that number would close another loading
 * thread's file (close() is interposed here to count closes of numbers
 * that are not open).
 */
#include "config.h"

#include <errno.h>
#include <sndfile.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "flitzis-test.h"
#include "fz-loader.h"
#include "fz-tsan.h"

#define RATE FLITZIS_TEST_RATE
#define PERIOD FLITZIS_TEST_PERIOD
#define BANK 216
/* Each file's length: 20 to 60 ms, different for each. */
#define FRAMES(i) (960u + 37u * (i) % 1920u)

typedef struct {
  GMutex lock;
  GCond cond;
  guint in_flight;        /* loads between their first chunk and their end */
  guint most;             /* the most seen at once */
  guint started;          /* loads that reached their first chunk */
  gboolean hold_first;    /* the first load waits for a second to start */
  GHashTable *seen;       /* path → in flight (a load's first chunk counts it) */
} Watch;

static Watch watch;

/* close(), counting the descriptors that were not open (EBADF): the
 * loader's and libsndfile's calls come here (this program's definition
 * takes precedence over libc's). */
static gint bad_closes;

int
close (int fd)
{
  long done = syscall (SYS_close, fd);

  if (done != 0 && errno == EBADF)
    g_atomic_int_inc (&bad_closes);
  return (int) done;
}

/* The loading thread, after each chunk and at each file's end. */
static void
hook (const char *path, FzLoaderHookPoint point, uint64_t frames_read, void *data)
{
  (void) frames_read;
  (void) data;
  fz_mutex_lock (&watch.lock);
  if (point == FZ_LOADER_HOOK_CHUNK && !g_hash_table_contains (watch.seen, path))
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

      g_hash_table_add (watch.seen, g_strdup (path));
      watch.in_flight++;
      watch.started++;
      watch.most = MAX (watch.most, watch.in_flight);
      g_cond_broadcast (&watch.cond);
      /* Held until another load has started beside it: only a pool of
       * two threads or more lets that happen. */
      if (watch.hold_first && watch.started == 1)
        while (watch.started < 2 && fz_cond_wait_until (&watch.cond, &watch.lock, deadline))
          ;
    }
  else if (point == FZ_LOADER_HOOK_END)
    watch.in_flight--;
  fz_mutex_unlock (&watch.lock);
}

/* Short files of the test signal, some at 44.1 kHz (resampled as they
 * load), some mono, some stereo. */
static char **
write_bank (const char *dir)
{
  char **paths = g_new0 (char *, BANK + 1);

  for (guint i = 0; i < BANK; i++)
    {
      g_autofree char *name = g_strdup_printf ("pad-%03u.wav", i);
      guint channels = 1 + i % 2, rate = i % 3 == 0 ? 44100 : RATE;
      g_autofree float *signal = flitzis_test_signal (FRAMES (i) * channels, i + 1);

      paths[i] = flitzis_test_write_audio (dir, name, SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                                           (int) rate, (int) channels, signal, FRAMES (i));
    }
  return paths;
}

static FlitzisAudioEngine *
new_bank_engine (void)
{
  FlitzisAudioEngine *engine = g_object_new (FLITZIS_TYPE_AUDIO_ENGINE, "offline", TRUE,
                                             "sample-rate", RATE, "channels", 2,
                                             "slots", BANK, NULL);

  flitzis_test_run_ok (engine);
  return engine;
}

typedef struct {
  guint done;
  guint failed;
} Finished;

static void
loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  Finished *finished = data;
  g_autoptr (GError) error = NULL;

  if (!flitzis_audio_engine_load_sample_finish (FLITZIS_AUDIO_ENGINE (source), result, &error))
    {
      g_test_message ("load failed: %s", error->message);
      finished->failed++;
    }
  finished->done++;
}

static gboolean
all_done (gpointer data)
{
  return ((Finished *) data)->done == BANK;
}

/* Every slot of @engine played alone: its output, interleaved. */
static float *
render_slot (FlitzisAudioEngine *engine, guint slot, gsize frames)
{
  float *out = g_new0 (float, frames * 2);

  flitzis_test_play_ok (engine, slot, 1.0f);
  for (gsize done = 0; done < frames; done += PERIOD)
    flitzis_test_render_ok (engine, out + done * 2, MIN (PERIOD, frames - done));
  return out;
}

static void
test_same_as_serial (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_auto (GStrv) paths = write_bank (dir);
  g_autoptr (FlitzisAudioEngine) serial = new_bank_engine ();
  g_autoptr (FlitzisAudioEngine) parallel = new_bank_engine ();
  Finished finished = { 0 };

  for (guint i = 0; i < BANK; i++)
    flitzis_test_load_ok (serial, i, paths[i]);
  fz_mutex_lock (&watch.lock);
  watch.most = watch.in_flight = watch.started = 0;
  watch.hold_first = g_get_num_processors () >= 2;
  g_hash_table_remove_all (watch.seen);
  fz_mutex_unlock (&watch.lock);
  fz_loader_set_test_hook (hook, NULL);
  for (guint i = 0; i < BANK; i++)
    flitzis_audio_engine_load_sample_async (parallel, i, paths[i], NULL, loaded, &finished);
  g_assert_true (flitzis_test_wait_until (NULL, all_done, &finished, 60000));
  fz_loader_set_test_hook (NULL, NULL);
  g_assert_cmpuint (finished.failed, ==, 0);
  g_test_message ("at most %u loads at once, %u cores", watch.most, g_get_num_processors ());
  g_assert_cmpuint (watch.started, ==, BANK);
  g_assert_cmpuint (watch.in_flight, ==, 0);
  g_assert_cmpuint (watch.most, <=, g_get_num_processors ());
  if (g_get_num_processors () >= 2)
    g_assert_cmpuint (watch.most, >=, 2);

  /* The same samples: each slot plays the same bits in both engines. */
  for (guint i = 0; i < BANK; i++)
    {
      gsize frames = FRAMES (i) * RATE / 44100 + PERIOD;
      g_autofree float *a = render_slot (serial, i, frames);
      g_autofree float *b = render_slot (parallel, i, frames);
      g_autoptr (GError) error = NULL;
      g_autoptr (FlitzisSampleInfo) ia = flitzis_audio_engine_dup_sample_info (serial, i, &error);
      g_autoptr (FlitzisSampleInfo) ib = flitzis_audio_engine_dup_sample_info (parallel, i,
                                                                              &error);

      g_assert_cmpmem (a, frames * 2 * sizeof (float), b, frames * 2 * sizeof (float));
      g_assert_cmpuint (flitzis_sample_info_get_frames (ia), ==, flitzis_sample_info_get_frames (ib));
      g_assert_cmpuint (flitzis_sample_info_get_frames (ia), >, 0);
    }
  flitzis_audio_engine_shut_down (serial);
  flitzis_audio_engine_shut_down (parallel);
  flitzis_test_remove_tree (dir);
}

static void
test_failed_open_closes_once (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *path = flitzis_test_write_text (dir, "not-audio.wav", "this is not audio\n");
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RATE, 2);
  g_autoptr (GError) error = NULL;
  guint fds;

  flitzis_test_run_ok (engine);
  fds = flitzis_test_count_open_fds ();
  g_atomic_int_set (&bad_closes, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_false (flitzis_audio_engine_load_sample (engine, 0, path, &error));
      g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT);
      g_clear_error (&error);
    }
  g_assert_cmpint (g_atomic_int_get (&bad_closes), ==, 0);
  g_assert_cmpuint (flitzis_test_count_open_fds (), ==, fds);
  flitzis_audio_engine_shut_down (engine);
  flitzis_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_mutex_init (&watch.lock);
  g_cond_init (&watch.cond);
  watch.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_test_add_func ("/engine/bank-load/same-as-serial", test_same_as_serial);
  g_test_add_func ("/engine/bank-load/failed-open-closes-once", test_failed_open_closes_once);
  return g_test_run ();
}
