/* test-loader.c: decoding files into samples, channel mapping, bad files
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <sndfile.h>

#include "flitzis-engine-error.h"
#include "fz-loader.h"
#include "flitzis-test.h"

#define RATE 48000

typedef struct {
  char *dir;
} LoaderFixture;

static void
loader_setup (LoaderFixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->dir = flitzis_test_make_tmpdir ();
}

static void
loader_teardown (LoaderFixture *fixture, gconstpointer data)
{
  (void) data;
  flitzis_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_assert_cmpuint (fz_sample_live_count (), ==, 0);
}

/* ---- channel mapping ---- */

static void
test_map_same (void)
{
  const float in[4] = { 0.1f, 0.2f, 0.3f, 0.4f };
  float out[4];

  fz_map_channels (in, 2, out, 2, 2);
  g_assert_cmpmem (in, sizeof (in), out, sizeof (out));
}

static void
test_map_mono_to_stereo (void)
{
  const float in[3] = { 0.1f, -0.2f, 0.3f };
  const float expected[6] = { 0.1f, 0.1f, -0.2f, -0.2f, 0.3f, 0.3f };
  float out[6];

  fz_map_channels (in, 1, out, 2, 3);
  g_assert_cmpmem (expected, sizeof (expected), out, sizeof (out));
}

static void
test_map_stereo_to_mono (void)
{
  const float in[4] = { 0.5f, 0.25f, -1.0f, 0.5f };
  const float expected[2] = { 0.375f, -0.25f };
  float out[2];

  fz_map_channels (in, 2, out, 1, 2);
  g_assert_cmpmem (expected, sizeof (expected), out, sizeof (out));
}

static void
test_map_quad_to_stereo (void)
{
  const float in[4] = { 0.5f, 0.25f, 0.25f, -0.75f };
  const float expected[2] = { 0.375f, -0.25f };
  float out[2];

  fz_map_channels (in, 4, out, 2, 1);
  g_assert_cmpmem (expected, sizeof (expected), out, sizeof (out));
}

static void
test_map_three_to_stereo (void)
{
  /* Channel 2 folds onto channel 0: (0.5 + 0.25) / 2; channel 1 alone. */
  const float in[3] = { 0.5f, -0.125f, 0.25f };
  const float expected[2] = { 0.375f, -0.125f };
  float out[2];

  fz_map_channels (in, 3, out, 2, 1);
  g_assert_cmpmem (expected, sizeof (expected), out, sizeof (out));
}

static void
test_map_stereo_to_quad (void)
{
  const float in[2] = { 0.5f, -0.25f };
  const float expected[4] = { 0.5f, -0.25f, 0.0f, 0.0f };
  float out[4];

  fz_map_channels (in, 2, out, 4, 1);
  g_assert_cmpmem (expected, sizeof (expected), out, sizeof (out));
}

/* ---- formats ---- */

typedef struct {
  const char *name;
  int format;
  gboolean exact_frames;
  double tolerance;      /* largest allowed difference per value */
} FormatCase;

static const FormatCase format_cases[] = {
  { "wav-float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, TRUE, 0.0 },
  { "wav-pcm16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, TRUE, 1.0 / 32768 },
  { "wav-pcm24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, TRUE, 1.0 / 8388608 },
  { "aiff-pcm16.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, TRUE, 1.0 / 32768 },
  { "flac-16.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, TRUE, 1.0 / 32768 },
  { "vorbis.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, FALSE, -1 },
  { "opus.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, FALSE, -1 },
  { "mp3.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, FALSE, -1 },
};

#define TONE_FRAMES 9600

static float *
stereo_tone (void)
{
  float *tone = g_new (float, TONE_FRAMES * 2);

  for (guint f = 0; f < TONE_FRAMES; f++)
    {
      tone[2 * f] = (float) (0.5 * sin (2.0 * G_PI * 440.0 * (double) f / RATE));
      tone[2 * f + 1] = (float) (0.25 * sin (2.0 * G_PI * 660.0 * (double) f / RATE));
    }
  return tone;
}

static double
rms (const float *data, gsize frames, guint channel)
{
  double sum = 0;

  for (gsize f = 0; f < frames; f++)
    sum += (double) data[f * 2 + channel] * (double) data[f * 2 + channel];
  return sqrt (sum / (double) frames);
}

static void
test_format (LoaderFixture *fixture, gconstpointer data)
{
  const FormatCase *format = data;
  g_autofree float *tone = stereo_tone ();
  g_autofree char *path = flitzis_test_write_audio (fixture->dir, format->name, format->format,
                                                    RATE, 2, tone, TONE_FRAMES);
  g_autoptr (GError) error = NULL;
  FzSample *sample = fz_load_sample (path, RATE, 2, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sample);
  g_assert_cmpuint (sample->channels, ==, 2);
  g_assert_cmpuint (sample->rate, ==, RATE);
  if (format->exact_frames)
    {
      g_assert_cmpuint (sample->frames, ==, TONE_FRAMES);
      for (gsize i = 0; i < TONE_FRAMES * 2; i++)
        g_assert_cmpfloat_with_epsilon (sample->data[i], tone[i], format->tolerance + 1e-9);
    }
  else
    {
      /* Lossy codecs add encoder delay and padding, and change values:
       * the length and the loudness of each channel must survive. */
      gsize frames = MIN (sample->frames, (gsize) TONE_FRAMES);
      g_assert_cmpuint (sample->frames, >=, TONE_FRAMES - 2048);
      g_assert_cmpuint (sample->frames, <=, TONE_FRAMES + 4096);
      g_assert_cmpfloat_with_epsilon (rms (sample->data, frames, 0), 0.5 / G_SQRT2, 0.05);
      g_assert_cmpfloat_with_epsilon (rms (sample->data, frames, 1), 0.25 / G_SQRT2, 0.05);
    }
  fz_sample_unref (sample);
}

static FzSample *
load_values (LoaderFixture *fixture, int channels, const float *values, gsize frames,
             guint stream_channels)
{
  g_autofree char *path = flitzis_test_write_audio (fixture->dir, "values.wav",
                                                    SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                                    RATE, channels, values, frames);
  g_autoptr (GError) error = NULL;
  FzSample *sample = fz_load_sample (path, RATE, stream_channels, &error);

  g_assert_no_error (error);
  return sample;
}

static void
test_mono_file_to_stereo (LoaderFixture *fixture, gconstpointer data)
{
  const float mono[3] = { 0.5f, -0.25f, 0.125f };
  FzSample *sample = load_values (fixture, 1, mono, 3, 2);
  const float expected[6] = { 0.5f, 0.5f, -0.25f, -0.25f, 0.125f, 0.125f };

  (void) data;
  g_assert_cmpuint (sample->frames, ==, 3);
  g_assert_cmpmem (sample->data, 6 * sizeof (float), expected, sizeof (expected));
  fz_sample_unref (sample);
}

static void
test_stereo_file_to_mono (LoaderFixture *fixture, gconstpointer data)
{
  const float stereo[4] = { 0.5f, 0.25f, -0.5f, 0.0f };
  FzSample *sample = load_values (fixture, 2, stereo, 2, 1);
  const float expected[2] = { 0.375f, -0.25f };

  (void) data;
  g_assert_cmpmem (sample->data, 2 * sizeof (float), expected, sizeof (expected));
  fz_sample_unref (sample);
}

static void
test_six_channel_file_to_stereo (LoaderFixture *fixture, gconstpointer data)
{
  /* More frames than one conversion chunk, so the chunking is exercised. */
  const gsize frames = 10000;
  g_autofree float *six = g_new (float, frames * 6);
  FzSample *sample;

  (void) data;
  for (gsize f = 0; f < frames; f++)
    for (guint c = 0; c < 6; c++)
      six[f * 6 + c] = (float) ((f + c) % 64) / 64.0f;
  sample = load_values (fixture, 6, six, frames, 2);
  g_assert_cmpuint (sample->frames, ==, frames);
  for (gsize f = 0; f < frames; f++)
    for (guint c = 0; c < 2; c++)
      {
        float mean = (six[f * 6 + c] + six[f * 6 + c + 2] + six[f * 6 + c + 4]) / 3.0f;
        g_assert_cmpfloat (sample->data[f * 2 + c], ==, mean);
      }
  fz_sample_unref (sample);
}

static void
test_non_finite_values (LoaderFixture *fixture, gconstpointer data)
{
  const float values[6] = { NAN, INFINITY, -INFINITY, 1e30f, -100.0f, 0.5f };
  FzSample *sample = load_values (fixture, 2, values, 3, 2);
  const float expected[6] = { 0.0f, 0.0f, 0.0f, FZ_SAMPLE_PEAK_MAX, -FZ_SAMPLE_PEAK_MAX, 0.5f };

  (void) data;
  g_assert_cmpmem (sample->data, 6 * sizeof (float), expected, sizeof (expected));
  fz_sample_unref (sample);
}

/* ---- errors ---- */

static void
assert_load_fails (const char *path, guint rate, GQuark domain, gint code, const char *needle)
{
  g_autoptr (GError) error = NULL;
  guint fds = flitzis_test_count_open_fds ();
  guint live = (guint) fz_sample_live_count ();

  g_assert_null (fz_load_sample (path, rate, 2, &error));
  g_assert_error (error, domain, code);
  g_test_message ("%s", error->message);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("“%s” does not say “%s”", error->message, needle);
  /* Nothing leaked: no descriptor, no buffer. */
  g_assert_cmpuint (flitzis_test_count_open_fds (), ==, fds);
  g_assert_cmpuint (fz_sample_live_count (), ==, live);
}

static void
test_missing_file (LoaderFixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "no-such-file.wav", NULL);

  (void) data;
  assert_load_fails (path, RATE, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no-such-file.wav");
}

static void
test_not_audio (LoaderFixture *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_text (fixture->dir, "notes.txt",
                                                   "This is a text file, not audio.\n");

  (void) data;
  assert_load_fails (path, RATE, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                     "notes.txt");
}

static void
test_directory (LoaderFixture *fixture, gconstpointer data)
{
  (void) data;
  assert_load_fails (fixture->dir, RATE, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "directory");
}

static void
test_rate_out_of_range (LoaderFixture *fixture, gconstpointer data)
{
  float values[4] = { 0.1f, 0.2f, 0.3f, 0.4f };
  g_autofree char *path = flitzis_test_write_audio (fixture->dir, "slow.wav",
                                                    SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                                                    500, 2, values, 2);

  (void) data;
  assert_load_fails (path, RATE, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                     "500 Hz");
}

static void
test_no_frames (LoaderFixture *fixture, gconstpointer data)
{
  g_autofree char *path = flitzis_test_write_audio (fixture->dir, "empty.wav",
                                                    SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                                                    RATE, 2, NULL, 0);

  (void) data;
  assert_load_fails (path, RATE, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                     "at least one frame");
}

static void
test_truncated_file (LoaderFixture *fixture, gconstpointer data)
{
  g_autofree float *tone = stereo_tone ();
  g_autofree char *path = flitzis_test_write_audio (fixture->dir, "cut.wav",
                                                    SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                                    RATE, 2, tone, TONE_FRAMES);
  g_autoptr (GError) error = NULL;
  FzSample *sample;

  (void) data;
  /* Cut the data short of what the header promises: what is there loads. */
  g_assert_cmpint (truncate (path, 44 + 1000 * 8), ==, 0);
  sample = fz_load_sample (path, RATE, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sample->frames, >=, 990);
  g_assert_cmpuint (sample->frames, <=, 1000);
  g_assert_cmpmem (sample->data, sample->frames * 8, tone, sample->frames * 8);
  fz_sample_unref (sample);
}

static void
test_permission_denied (LoaderFixture *fixture, gconstpointer data)
{
  float values[4] = { 0.1f, 0.2f, 0.3f, 0.4f };
  g_autofree char *path = flitzis_test_write_audio (fixture->dir, "secret.wav",
                                                    SF_FORMAT_WAV | SF_FORMAT_FLOAT,
                                                    RATE, 2, values, 2);

  (void) data;
  g_assert_cmpint (g_chmod (path, 0), ==, 0);
  if (g_test_subprocess ())
    {
      /* Root reads anything: drop to an unprivileged user first. */
      if (getuid () == 0)
        g_assert_true (setgid (65534) == 0 && setuid (65534) == 0);
      assert_load_fails (g_getenv ("FLITZIS_TEST_PATH"), RATE, G_IO_ERROR,
                         G_IO_ERROR_PERMISSION_DENIED, "secret.wav");
      return;
    }
  /* The directory must be traversable by the unprivileged user. */
  g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
  g_setenv ("FLITZIS_TEST_PATH", path, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/loader/map/same", test_map_same);
  g_test_add_func ("/engine/loader/map/mono-to-stereo", test_map_mono_to_stereo);
  g_test_add_func ("/engine/loader/map/stereo-to-mono", test_map_stereo_to_mono);
  g_test_add_func ("/engine/loader/map/quad-to-stereo", test_map_quad_to_stereo);
  g_test_add_func ("/engine/loader/map/three-to-stereo", test_map_three_to_stereo);
  g_test_add_func ("/engine/loader/map/stereo-to-quad", test_map_stereo_to_quad);
  for (guint i = 0; i < G_N_ELEMENTS (format_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/loader/format/%s", format_cases[i].name);
      g_test_add (path, LoaderFixture, &format_cases[i], loader_setup, test_format, loader_teardown);
    }
#define ADD(path, func) g_test_add (path, LoaderFixture, NULL, loader_setup, func, loader_teardown)
  ADD ("/engine/loader/channels/mono-file-to-stereo", test_mono_file_to_stereo);
  ADD ("/engine/loader/channels/stereo-file-to-mono", test_stereo_file_to_mono);
  ADD ("/engine/loader/channels/six-channel-file-to-stereo", test_six_channel_file_to_stereo);
  ADD ("/engine/loader/values/non-finite", test_non_finite_values);
  ADD ("/engine/loader/error/missing-file", test_missing_file);
  ADD ("/engine/loader/error/not-audio", test_not_audio);
  ADD ("/engine/loader/error/directory", test_directory);
  ADD ("/engine/loader/error/rate-out-of-range", test_rate_out_of_range);
  ADD ("/engine/loader/error/no-frames", test_no_frames);
  ADD ("/engine/loader/error/permission-denied", test_permission_denied);
  ADD ("/engine/loader/truncated-file", test_truncated_file);
#undef ADD
  return g_test_run ();
}
