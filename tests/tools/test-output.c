/* test-output.c: the sound files "flitzis render" writes
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * - /tools/output/choose: the format each name and --format give, and the
 *   usage errors (tools/flitzis-output.c, linked in);
 * - /tools/output/wav-4gib: a .wav one byte under the RIFF limit stays a
 *   RIFF file with exact 32-bit sizes; one frame more becomes RF64 with
 *   exact 64-bit sizes, and reads back with every frame.  Through
 *   libsndfile's virtual I/O, which keeps the header and counts the rest:
 *   nothing near 4 GiB is stored;
 * - /tools/output/render: the tool itself, for each extension, read back
 *   with libsndfile: the format the name says, every frame, the samples
 *   of the float WAV within each encoding's resolution.
 * Every run of the tool has a deadline; nothing sleeps.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <sndfile.h>

#include "flitzis-test.h"
#include "../tools/flitzis-output.h"

#define DEADLINE_MS 30000
#define HEADER_BYTES 4096
#define RIFF_LIMIT G_GUINT64_CONSTANT (0xffffffff)

/* ---- choose ---- */

static void
test_choose (void)
{
  const struct { const char *path, *format; int rate, channels, expected; } good[] = {
    { "a.wav", NULL, 48000, 2, SF_FORMAT_RF64 | SF_FORMAT_FLOAT },
    { "a.WAV", "s16", 48000, 2, SF_FORMAT_RF64 | SF_FORMAT_PCM_16 },
    { "dir.x/a.wav", "wav,s24", 44100, 1, SF_FORMAT_RF64 | SF_FORMAT_PCM_24 },
    { "a.rf64", NULL, 48000, 2, SF_FORMAT_RF64 | SF_FORMAT_FLOAT },
    { "a.flac", NULL, 48000, 2, SF_FORMAT_FLAC | SF_FORMAT_PCM_24 },
    { "a.flac", "flac,s16", 48000, 2, SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
    { "a.ogg", NULL, 44100, 2, SF_FORMAT_OGG | SF_FORMAT_VORBIS },
    { "a.opus", NULL, 48000, 2, SF_FORMAT_OGG | SF_FORMAT_OPUS },
    { "a.aiff", NULL, 48000, 2, SF_FORMAT_AIFF | SF_FORMAT_PCM_24 },
    { "a.aif", "float", 48000, 2, SF_FORMAT_AIFF | SF_FORMAT_FLOAT },
    { "no-extension", "flac", 48000, 2, SF_FORMAT_FLAC | SF_FORMAT_PCM_24 },
  };
  const struct { const char *path, *format; int rate, channels; const char *says; } bad[] = {
    { "a.mp3", NULL, 48000, 2, "cannot write “.mp3” files" },
    { "a.mp3", "wav", 48000, 2, "cannot write “.mp3” files" },
    { "a.wav.txt", NULL, 48000, 2, "cannot write “.txt” files" },
    { "no-extension", NULL, 48000, 2, "has no extension" },
    { "dir.flac/out", "s16", 48000, 2, "has no extension" },
    { "a.wav", "flac", 48000, 2, "names a wav file, but --format asks for flac" },
    { "a.wav", "mp3", 48000, 2, "“mp3” is not a format" },
    { "a.wav", "s16,s24", 48000, 2, "“s16,s24” is not a format" },
    { "a.ogg", "s16", 48000, 2, "take no sample encoding" },
    { "a.flac", "float", 48000, 2, "flac files hold no float samples" },
    { "a.opus", NULL, 44100, 2, "Opus holds only 8000, 12000, 16000, 24000 or 48000 Hz" },
    { "a.flac", NULL, 48000, 9, "flac files cannot hold 9 channels at 48000 Hz" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      ToolOutput output = { NULL };
      g_autoptr (GError) error = NULL;

      g_assert_true (tool_output_choose (good[i].path, good[i].format, good[i].rate,
                                         good[i].channels, &output, &error));
      g_assert_no_error (error);
      g_assert_cmphex (output.format, ==, good[i].expected);
      /* only .wav downgrades to RIFF; .rf64 stays RF64 at any size */
      g_assert_cmpint (output.downgrade, ==, g_str_has_suffix (good[i].path, ".wav") ||
                                             g_str_has_suffix (good[i].path, ".WAV"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      ToolOutput output = { "untouched", 0, FALSE };
      g_autoptr (GError) error = NULL;

      g_assert_false (tool_output_choose (bad[i].path, bad[i].format, bad[i].rate,
                                          bad[i].channels, &output, &error));
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      if (strstr (error->message, bad[i].says) == NULL)
        g_error ("“%s”: “%s” does not say “%s”", bad[i].path, error->message, bad[i].says);
      g_assert_cmpstr (output.type, ==, "untouched");
    }
}

/* ---- the 4 GiB boundary, through virtual I/O ---- */

/* A file that stores its first HEADER_BYTES and only counts the rest (the
 * rest reads back as zeros). */
typedef struct {
  guint8 header[HEADER_BYTES];
  sf_count_t length, position;
} CountingFile;

static sf_count_t
counting_length (void *data)
{
  return ((CountingFile *) data)->length;
}

static sf_count_t
counting_seek (sf_count_t offset, int whence, void *data)
{
  CountingFile *file = data;

  file->position = whence == SEEK_SET ? offset
                 : whence == SEEK_CUR ? file->position + offset : file->length + offset;
  return file->position;
}

static sf_count_t
counting_write (const void *bytes, sf_count_t n, void *data)
{
  CountingFile *file = data;

  if (file->position < HEADER_BYTES)
    memcpy (file->header + file->position, bytes, MIN (n, HEADER_BYTES - file->position));
  file->position += n;
  file->length = MAX (file->length, file->position);
  return n;
}

static sf_count_t
counting_read (void *bytes, sf_count_t n, void *data)
{
  CountingFile *file = data;
  sf_count_t got = MAX (0, MIN (n, file->length - file->position));

  memset (bytes, 0, got);
  if (file->position < HEADER_BYTES)
    memcpy (bytes, file->header + file->position, MIN (got, HEADER_BYTES - file->position));
  file->position += got;
  return got;
}

static sf_count_t
counting_tell (void *data)
{
  return ((CountingFile *) data)->position;
}

static SF_VIRTUAL_IO counting_io = {
  counting_length, counting_seek, counting_read, counting_write, counting_tell
};

static guint32
le32 (const guint8 *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (guint32) p[3] << 24;
}

static guint64
le64 (const guint8 *p)
{
  return le32 (p) | (guint64) le32 (p + 4) << 32;
}

/* The offset of the chunk @id in the header, or -1. */
static gssize
find_chunk (const CountingFile *file, const char *id)
{
  for (gsize at = 12; at + 8 <= HEADER_BYTES; at += 8 + le32 (file->header + at + 4))
    {
      if (memcmp (file->header + at, id, 4) == 0)
        return (gssize) at;
      if (memcmp (file->header + at, "data", 4) == 0)
        break;
    }
  return -1;
}

/* Writes @frames of mono float as the tool writes a .wav: the format
 * tool_output_choose() gives, prepared by tool_output_prepare(); the data
 * as raw bytes (zeros), so that no sample is converted. */
static void
write_counted (CountingFile *file, sf_count_t frames)
{
  const sf_count_t chunk = 4 << 20;
  g_autofree guint8 *zeros = g_malloc0 (chunk);
  ToolOutput output;
  SF_INFO info = { .samplerate = 48000, .channels = 1 };
  g_autoptr (GError) error = NULL;
  SNDFILE *sound;

  g_assert_true (tool_output_choose ("long.wav", NULL, 48000, 1, &output, &error));
  info.format = output.format;
  sound = sf_open_virtual (&counting_io, SFM_WRITE, &info, file);
  g_assert_nonnull (sound);
  g_assert_true (tool_output_prepare (sound, &output, &error));
  g_assert_no_error (error);
  for (sf_count_t left = frames * 4; left > 0; left -= MIN (left, chunk))
    g_assert_cmpint (sf_write_raw (sound, zeros, MIN (left, chunk)), ==, MIN (left, chunk));
  g_assert_cmpint (sf_close (sound), ==, 0);
}

static sf_count_t
frames_read_back (CountingFile *file, int *format)
{
  SF_INFO info = { 0 };
  SNDFILE *sound;

  file->position = 0;
  sound = sf_open_virtual (&counting_io, SFM_READ, &info, file);
  g_assert_nonnull (sound);
  sf_close (sound);
  *format = info.format;
  return info.frames;
}

static void
test_wav_4gib (void)
{
  g_autofree CountingFile *riff = g_new0 (CountingFile, 1);
  g_autofree CountingFile *rf64 = g_new0 (CountingFile, 1);
  sf_count_t data_offset, below, format;
  int read_format;
  gssize data, ds64;

  /* the header's size first, from an empty file */
  write_counted (riff, 0);
  data = find_chunk (riff, "data");
  g_assert_cmpint (data, >, 0);
  data_offset = data + 8;
  /* the most frames whose file stays within 32-bit sizes */
  below = (sf_count_t) (RIFF_LIMIT - 1 - data_offset) / 4;
  g_test_message ("header %" G_GINT64_FORMAT " bytes; %" G_GINT64_FORMAT " frames below 4 GiB",
                  (gint64) data_offset, (gint64) below);

  memset (riff, 0, sizeof *riff);
  write_counted (riff, below);
  g_assert_cmpint (riff->length, <, (sf_count_t) RIFF_LIMIT);
  g_assert_cmpmem (riff->header, 4, "RIFF", 4);
  g_assert_cmpuint (le32 (riff->header + 4), ==, riff->length - 8);
  data = find_chunk (riff, "data");
  g_assert_cmpuint (le32 (riff->header + data + 4), ==, (guint64) below * 4);
  g_assert_cmpint (frames_read_back (riff, &read_format), ==, below);
  g_assert_cmphex (read_format, ==, SF_FORMAT_WAVEX | SF_FORMAT_FLOAT);

  /* one frame more crosses 4 GiB: RF64, its sizes in the ds64 chunk */
  write_counted (rf64, below + 1);
  g_assert_cmpint (rf64->length, >=, (sf_count_t) RIFF_LIMIT);
  g_assert_cmpmem (rf64->header, 4, "RF64", 4);
  g_assert_cmphex (le32 (rf64->header + 4), ==, 0xffffffff);
  ds64 = find_chunk (rf64, "ds64");
  g_assert_cmpint (ds64, >, 0);
  g_assert_cmpuint (le64 (rf64->header + ds64 + 8), ==, (guint64) rf64->length - 8);
  g_assert_cmpuint (le64 (rf64->header + ds64 + 16), ==, (guint64) (below + 1) * 4);
  g_assert_cmpuint (le64 (rf64->header + ds64 + 24), ==, (guint64) (below + 1));
  data = find_chunk (rf64, "data");
  g_assert_cmphex (le32 (rf64->header + data + 4), ==, 0xffffffff);
  format = frames_read_back (rf64, &read_format);
  g_assert_cmpint (format, ==, below + 1);
  g_assert_cmphex (read_format, ==, SF_FORMAT_RF64 | SF_FORMAT_FLOAT);
}

/* ---- the tool ---- */

typedef struct {
  GSubprocess *process;
  char *out, *err;
  gboolean done;
} Run;

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer data)
{
  Run *run = data;

  g_assert_true (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out,
                                                       &run->err, NULL));
  run->done = TRUE;
}

static gboolean
run_done (gpointer data)
{
  return ((Run *) data)->done;
}

/* flitzis render PATTERN -o PATH [FORMAT]: its exit status. */
static int
render (const char *pattern, const char *path, const char *format)
{
  g_autofree char *tool = g_test_build_filename (G_TEST_BUILT, "..", "tools", "flitzis", NULL);
  g_autoptr (GError) error = NULL;
  Run run = { NULL };
  int status;

  run.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                  &error, tool, "render", pattern, "-o", path,
                                  format != NULL ? "--format" : NULL, format, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (run.process, NULL, NULL, on_communicated, &run);
  if (!flitzis_test_wait_until (NULL, run_done, &run, DEADLINE_MS))
    {
      g_subprocess_force_exit (run.process);
      g_error ("flitzis render %s did not finish in %d ms", path, DEADLINE_MS);
    }
  g_test_message ("%s: %s%s", path, run.out, run.err);
  status = g_subprocess_get_exit_status (run.process);
  if (status == 0)
    g_assert_cmpstr (run.err, ==, "");
  g_free (run.out);
  g_free (run.err);
  g_object_unref (run.process);
  return status;
}

static float *
read_all (const char *path, SF_INFO *info)
{
  SNDFILE *file = sf_open (path, SFM_READ, info);
  float *data;

  if (file == NULL)
    g_error ("%s: %s", path, sf_strerror (NULL));
  data = g_new0 (float, (gsize) info->frames * info->channels);
  g_assert_cmpint (sf_readf_float (file, data, info->frames), ==, info->frames);
  sf_close (file);
  return data;
}

static void
test_render (void)
{
  const struct { const char *name, *format; int major, subtype; double tolerance; } files[] = {
    { "out.flac", NULL, SF_FORMAT_FLAC, SF_FORMAT_PCM_24, 1.0 / (1 << 22) },
    { "out16.flac", "s16", SF_FORMAT_FLAC, SF_FORMAT_PCM_16, 1.0 / (1 << 14) },
    { "out.aiff", NULL, SF_FORMAT_AIFF, SF_FORMAT_PCM_24, 1.0 / (1 << 22) },
    { "out.rf64", NULL, SF_FORMAT_RF64, SF_FORMAT_FLOAT, 0 },
    { "out-flac", "flac", SF_FORMAT_FLAC, SF_FORMAT_PCM_24, 1.0 / (1 << 22) },
    /* lossy: the length and that there is sound, not the samples */
    { "out.ogg", NULL, SF_FORMAT_OGG, SF_FORMAT_VORBIS, -1 },
    { "out.opus", NULL, SF_FORMAT_OGG, SF_FORMAT_OPUS, -1 },
  };
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *demo = g_test_build_filename (G_TEST_DIST, "..", "data", "demo.pattern", NULL);
  g_autofree char *wav = g_build_filename (dir, "out.wav", NULL);
  g_autofree char *mp3 = g_build_filename (dir, "out.mp3", NULL);
  g_autofree float *reference = NULL;
  SF_INFO info = { 0 };

  g_assert_cmpint (render (demo, wav, NULL), ==, 0);
  reference = read_all (wav, &info);
  g_assert_cmphex (info.format, ==, SF_FORMAT_WAVEX | SF_FORMAT_FLOAT);
  g_assert_cmpint (info.frames, >, 8 * 48000);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i].name, NULL);
      g_autofree float *data = NULL;
      SF_INFO got = { 0 };
      double worst = 0, energy = 0;

      g_assert_cmpint (render (demo, path, files[i].format), ==, 0);
      data = read_all (path, &got);
      g_test_message ("%s: format %#x, %" G_GINT64_FORMAT " frames", files[i].name, got.format,
                      (gint64) got.frames);
      g_assert_cmphex (got.format & SF_FORMAT_TYPEMASK, ==, files[i].major);
      g_assert_cmphex (got.format & SF_FORMAT_SUBMASK, ==, files[i].subtype);
      g_assert_cmpint (got.channels, ==, 2);
      g_assert_cmpint (got.samplerate, ==, 48000);
      g_assert_cmpint (got.frames, ==, info.frames);
      for (sf_count_t s = 0; s < got.frames * 2; s++)
        {
          worst = MAX (worst, fabs ((double) data[s] - (double) reference[s]));
          energy += (double) data[s] * (double) data[s];
        }
      if (files[i].tolerance >= 0)
        g_assert_cmpfloat (worst, <=, files[i].tolerance);
      g_assert_cmpfloat (energy, >, 0.01 * got.frames);
    }
  /* an extension it cannot write: a usage error, and no file */
  g_assert_cmpint (render (demo, mp3, NULL), ==, 2);
  g_assert_cmpint (render (demo, mp3, "wav"), ==, 2);
  g_assert_false (g_file_test (mp3, G_FILE_TEST_EXISTS));
  flitzis_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tools/output/choose", test_choose);
  g_test_add_func ("/tools/output/wav-4gib", test_wav_4gib);
  g_test_add_func ("/tools/output/render", test_render);
  return g_test_run ();
}
