/* test-loader-changes.c: files that change while they load, and files
 * short of what their header promises
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The loader's test hook (fz_loader_set_test_hook(), fz-loader.h) is
 * called on the loading thread after each chunk it reads and once the
 * file is read: the file is truncated or rewritten there, at a known
 * point of an async load, so that nothing depends on timing.  Every file
 * is written with a modification time in 2001: a rewrite then changes it
 * whatever the file system's clock granularity.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sndfile.h>

#include "flitzis.h"
#include "fz-loader.h"
#include "core/fz-sample.h"
#include "flitzis-test.h"

#define RATE FLITZIS_TEST_RATE
/* Many of the loader's 4096-frame chunks. */
#define LONG_FRAMES 100000

/* ---- files ---- */

static void
set_old_mtime (const char *path)
{
  struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
}

static char *
write_long (const char *dir, const char *name)
{
  g_autofree float *signal = flitzis_test_signal (LONG_FRAMES, 7);
  char *path = flitzis_test_write_mono (dir, name, RATE, signal, LONG_FRAMES);

  set_old_mtime (path);
  return path;
}

static gsize
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (gsize) st.st_size;
}

/* A float WAV whose data chunk says @promised frames but holds @held. */
static char *
write_short_wav (const char *dir, const char *name, guint32 promised, guint32 held)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  guint32 u32;
  guint16 u16;
  float value = 0.5f;

#define PUT(p, n) g_byte_array_append (bytes, (const guint8 *) (p), (n))
#define PUT32(v) (u32 = GUINT32_TO_LE (v), PUT (&u32, 4))
#define PUT16(v) (u16 = GUINT16_TO_LE (v), PUT (&u16, 2))
  PUT ("RIFF", 4);
  PUT32 (36 + promised * 4);
  PUT ("WAVEfmt ", 8);
  PUT32 (16);
  PUT16 (3);                    /* IEEE float */
  PUT16 (1);
  PUT32 (RATE);
  PUT32 (RATE * 4);
  PUT16 (4);
  PUT16 (32);
  PUT ("data", 4);
  PUT32 (promised * 4);
  for (guint32 i = 0; i < held; i++)
    PUT (&value, 4);
#undef PUT
#undef PUT32
#undef PUT16
  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));
  set_old_mtime (path);
  return path;
}

/* ---- what the hook does ---- */

typedef enum {
  CHANGE_TRUNCATE,              /* after the first chunk: cut to half */
  CHANGE_REWRITE,               /* after the first chunk: new bytes, same size */
  CHANGE_TRUNCATE_AND_RESTORE,  /* cut after the first chunk; size and time put
                                 * back once read: fewer frames than the size implies */
} Change;

typedef struct {
  Change change;
  const char *path;
  gsize size;
  guint calls;
} Hook;

static void
truncate_to (const char *path, gsize size)
{
  g_assert_cmpint (truncate (path, (off_t) size), ==, 0);
}

static void
change_file (const char *path, FzLoaderHookPoint point, uint64_t frames_read, void *data)
{
  Hook *hook = data;

  (void) frames_read;
  if (g_strcmp0 (path, hook->path) != 0)
    return;
  hook->calls++;
  if (point == FZ_LOADER_HOOK_CHUNK && hook->calls == 1)
    {
      if (hook->change == CHANGE_REWRITE)
        {
          int fd = g_open (path, O_WRONLY, 0);
          char zeros[4096] = { 0 };

          g_assert_cmpint (fd, >=, 0);
          g_assert_cmpint (pwrite (fd, zeros, sizeof zeros, (off_t) hook->size / 2), ==,
                           (gssize) sizeof zeros);
          g_close (fd, NULL);
        }
      else
        truncate_to (path, hook->size / 2);
    }
  if (point == FZ_LOADER_HOOK_END && hook->change == CHANGE_TRUNCATE_AND_RESTORE)
    {
      truncate_to (path, hook->size);
      set_old_mtime (path);
    }
}

/* ---- async loads ---- */

/* Loads @path into slot 3 of an engine whose slot 3 already holds
 * @kept, changing the file as @change says; the load must fail with
 * FILE_CHANGED and a message containing @why, and the slot keep @kept. */
static void
assert_change_refused (FlitzisTestOffline *fixture, Change change, const char *why)
{
  g_autofree char *kept = flitzis_test_write_constant (fixture->dir, "kept.wav", 500, 0.25f);
  g_autofree char *path = write_long (fixture->dir, "long.wav");
  Hook hook = { .change = change, .path = path, .size = file_size (path) };
  g_autoptr (FlitzisSampleInfo) info = NULL;
  FlitzisTestLoad result = { 0 };

  flitzis_test_load_ok (fixture->engine, 3, kept);
  fz_loader_set_test_hook (change_file, &hook);
  flitzis_test_load_async (fixture->engine, 3, path, NULL, &result);
  flitzis_test_wait_loaded (&result);
  fz_loader_set_test_hook (NULL, NULL);
  g_assert_cmpuint (hook.calls, >=, 1);
  g_assert_false (result.ok);
  g_assert_error (result.error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_FILE_CHANGED);
  g_test_message ("%s", result.error->message);
  g_assert_nonnull (strstr (result.error->message, "long.wav"));
  g_assert_nonnull (strstr (result.error->message, "changed while it was being read"));
  g_assert_nonnull (strstr (result.error->message, why));
  g_clear_error (&result.error);
  /* Nothing changed: the slot holds what it held, and the decoded part
   * was freed. */
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 3, NULL);
  g_assert_cmpstr (flitzis_sample_info_get_path (info), ==, kept);
  g_assert_cmpuint (fz_sample_live_count (), ==, 1);
}

/* Truncated to half after the first chunk: refused, the size named. */
static void
test_truncated_while_loading (FlitzisTestOffline *fixture, gconstpointer data)
{
  (void) data;
  assert_change_refused (fixture, CHANGE_TRUNCATE, "its size went from");
}

/* Rewritten in place (same size) after the first chunk: refused. */
static void
test_rewritten_while_loading (FlitzisTestOffline *fixture, gconstpointer data)
{
  (void) data;
  assert_change_refused (fixture, CHANGE_REWRITE, "it was modified");
}

/* Cut after the first chunk, size and time put back before the check: an
 * uncompressed file delivering fewer frames than its size implies. */
static void
test_fewer_frames_than_size_implies (FlitzisTestOffline *fixture, gconstpointer data)
{
  (void) data;
  assert_change_refused (fixture, CHANGE_TRUNCATE_AND_RESTORE, "frames its size implies");
}

/* The same file, left alone, loads whole: the hook itself changes
 * nothing (and the frames counts agree). */
static void
test_unchanged_loads (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = write_long (fixture->dir, "long.wav");
  g_autoptr (FlitzisSampleInfo) info = NULL;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 0, path);
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 0, NULL);
  g_assert_cmpuint (flitzis_sample_info_get_frames (info), ==, LONG_FRAMES);
  g_assert_cmpuint (flitzis_sample_info_get_frames_promised (info), ==, LONG_FRAMES);
  g_assert_cmpuint (flitzis_sample_info_get_frames_delivered (info), ==, LONG_FRAMES);
  g_assert_cmpuint (flitzis_sample_info_get_original_frames (info), ==, LONG_FRAMES);
}

/* ---- short of the header's promise ---- */

/* A WAV whose data chunk promises 2000 frames and holds 1000 loads the
 * 1000 and says so; it plays them. */
static void
test_short_wav_loads_what_it_holds (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = write_short_wav (fixture->dir, "short.wav", 2000, 1000);
  g_autoptr (FlitzisSampleInfo) info = NULL;
  g_autofree float *left = NULL;

  (void) data;
  flitzis_test_load_ok (fixture->engine, 1, path);
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 1, NULL);
  g_assert_cmpuint (flitzis_sample_info_get_frames_promised (info), ==, 2000);
  g_assert_cmpuint (flitzis_sample_info_get_frames_delivered (info), ==, 1000);
  g_assert_cmpuint (flitzis_sample_info_get_frames (info), ==, 1000);
  flitzis_test_play_ok (fixture->engine, 1, 1.0f);
  left = flitzis_test_render_left (fixture->engine, 1024);
  g_assert_cmpfloat (left[0], ==, 0.5f);
  g_assert_cmpfloat (left[999], ==, 0.5f);
  g_assert_cmpfloat (left[1000], ==, 0.0f);
}

/* A FLAC file cut short before it is loaded (its STREAMINFO still
 * promising every frame): what it holds loads, and the counts tell. */
static void
test_cut_flac_loads_what_it_holds (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree float *signal = flitzis_test_signal (LONG_FRAMES, 3);
  g_autofree char *path = flitzis_test_write_audio (fixture->dir, "cut.flac",
                                                    SF_FORMAT_FLAC | SF_FORMAT_PCM_16, RATE, 1,
                                                    signal, LONG_FRAMES);
  g_autoptr (FlitzisSampleInfo) info = NULL;

  (void) data;
  truncate_to (path, file_size (path) / 2);
  set_old_mtime (path);
  flitzis_test_load_ok (fixture->engine, 2, path);
  info = flitzis_audio_engine_dup_sample_info (fixture->engine, 2, NULL);
  g_test_message ("a FLAC file of %u frames cut to half its size: %" G_GUINT64_FORMAT
                  " frames delivered", LONG_FRAMES, flitzis_sample_info_get_frames_delivered (info));
  g_assert_cmpuint (flitzis_sample_info_get_frames_promised (info), ==, LONG_FRAMES);
  g_assert_cmpuint (flitzis_sample_info_get_frames_delivered (info), <, LONG_FRAMES);
  g_assert_cmpuint (flitzis_sample_info_get_frames_delivered (info), >, 0);
  g_assert_cmpuint (flitzis_sample_info_get_frames (info), ==,
                    flitzis_sample_info_get_frames_delivered (info));
}

/* ---- shut_down() while decoding ---- */

typedef struct {
  FlitzisAudioEngine *engine;
  const char *path;
  guint chunks;
} ShutDownHook;

/* On the loading thread, after the first chunk: shut the engine down. */
static void
shut_down_after_first_chunk (const char *path, FzLoaderHookPoint point, uint64_t frames_read,
                             void *data)
{
  ShutDownHook *hook = data;

  (void) frames_read;
  if (g_strcmp0 (path, hook->path) != 0 || point != FZ_LOADER_HOOK_CHUNK)
    return;
  if (hook->chunks++ == 0)
    flitzis_audio_engine_shut_down (hook->engine);
}

/* shut_down() cancels a decode in flight: it reads no chunk after the
 * one during which the engine shut down (of some 25), and the load fails
 * with NOT_RUNNING, publishing nothing. */
static void
test_shut_down_cancels_decode (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = write_long (fixture->dir, "long.wav");
  ShutDownHook hook = { .engine = fixture->engine, .path = path };
  FlitzisTestLoad result = { 0 };

  (void) data;
  fz_loader_set_test_hook (shut_down_after_first_chunk, &hook);
  flitzis_test_load_async (fixture->engine, 4, path, NULL, &result);
  flitzis_test_wait_loaded (&result);
  fz_loader_set_test_hook (NULL, NULL);
  g_assert_false (result.ok);
  g_assert_error (result.error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_clear_error (&result.error);
  g_assert_cmpuint (hook.chunks, ==, 1);
  g_assert_false (flitzis_audio_engine_get_running (fixture->engine));
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* ---- where an engine dropped after an async load goes ---- */

typedef struct {
  GThread *thread;              /* the thread that finalised the engine */
} Finalised;

static void
on_finalised (gpointer data, GObject *where_the_object_was)
{
  Finalised *finalised = data;

  (void) where_the_object_was;
  g_atomic_pointer_set (&finalised->thread, g_thread_self ());
}

static gboolean
finalised (gpointer data)
{
  return g_atomic_pointer_get (&((Finalised *) data)->thread) != NULL;
}

/* The caller drops its engine as soon as an async load's callback has
 * run: the engine is finalised in the caller's thread, every time (the
 * loading thread once held the last reference through its GTask and
 * disposed the engine there, in 148 to 186 of these 200 rounds;
 * ThreadSanitizer saw the samples freed on that thread). */
static void
test_dropped_after_async_load (FlitzisTestOffline *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_constant (fixture->dir, "short.wav", 500, 0.25f);
  guint elsewhere = 0;

  (void) data;
  for (guint i = 0; i < 200; i++)
    {
      FlitzisAudioEngine *engine = flitzis_audio_engine_new_offline (RATE, 2);
      Finalised where = { NULL };
      FlitzisTestLoad result = { 0 };

      g_assert_true (flitzis_audio_engine_run (engine, NULL));
      g_object_weak_ref (G_OBJECT (engine), on_finalised, &where);
      flitzis_test_load_async (engine, 0, path, NULL, &result);
      flitzis_test_wait_loaded (&result);
      g_assert_true (result.ok);
      g_object_unref (engine);
      g_assert_true (flitzis_test_wait_until (NULL, finalised, &where, 10000));
      if (where.thread != g_thread_self ())
        elsewhere++;
    }
  g_assert_cmpuint (elsewhere, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/samples/changed/truncated-while-loading",
                            test_truncated_while_loading);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/samples/changed/rewritten-while-loading",
                            test_rewritten_while_loading);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/samples/changed/fewer-frames-than-size-implies",
                            test_fewer_frames_than_size_implies);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/samples/changed/unchanged-loads", test_unchanged_loads);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/samples/short/wav-loads-what-it-holds",
                            test_short_wav_loads_what_it_holds);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/samples/short/cut-flac-loads-what-it-holds",
                            test_cut_flac_loads_what_it_holds);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/samples/shut-down-cancels-decode",
                            test_shut_down_cancels_decode);
  FLITZIS_TEST_ADD_OFFLINE ("/engine/samples/dropped-after-async-load",
                            test_dropped_after_async_load);
  return g_test_run ();
}
