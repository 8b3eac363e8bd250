/* test-cli.c: the flitzis command-line tool, as a user runs it
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs the built tool (tools/flitzis) as a subprocess: its usage errors
 * and exit statuses, "render" compared sample for sample with the
 * library's own offline render of the same hits (computed here, not by
 * the tool's pattern code), and "devices", "play" and "latency" against a
 * private JACK dummy server.  Every run has a deadline; nothing sleeps.
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <sndfile.h>

#include "flitzis.h"
#include "flitzis-test.h"
#include "flitzis-test-jack.h"

#define DEADLINE_MS 30000

typedef struct {
  GSubprocess *process;
  char *out;
  char *err;
  gboolean done;
} Tool;

static char *
tool_path (void)
{
  return g_test_build_filename (G_TEST_BUILT, "..", "tools", "flitzis", NULL);
}

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", "samples", name, NULL);
}

static void
tool_free (Tool *tool)
{
  g_clear_object (&tool->process);
  g_free (tool->out);
  g_free (tool->err);
  g_free (tool);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Tool, tool_free)

static Tool *
tool_spawn (const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GError) error = NULL;
  Tool *tool = g_new0 (Tool, 1);
  va_list list;

  g_ptr_array_add (args, tool_path ());
  va_start (list, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (list, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (list);
  g_ptr_array_add (args, NULL);
  tool->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata,
                                                &error);
  g_assert_no_error (error);
  return tool;
}

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer data)
{
  Tool *tool = data;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &tool->out, &tool->err,
                                        &error);
  g_assert_no_error (error);
  tool->done = TRUE;
}

static gboolean
tool_is_done (gpointer data)
{
  return ((Tool *) data)->done;
}

/* Waits for the tool to exit, killing it after the deadline; returns its
 * exit status. */
static int
tool_wait (Tool *tool)
{
  g_subprocess_communicate_utf8_async (tool->process, NULL, NULL, on_communicated, tool);
  if (!flitzis_test_wait_until (NULL, tool_is_done, tool, DEADLINE_MS))
    {
      g_subprocess_force_exit (tool->process);
      flitzis_test_wait_until (NULL, tool_is_done, tool, DEADLINE_MS);
      g_error ("flitzis did not finish within %d ms; stderr so far: %s", DEADLINE_MS,
               tool->err != NULL ? tool->err : "");
    }
  g_assert_true (g_subprocess_get_if_exited (tool->process));
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", g_subprocess_get_exit_status (tool->process),
                  tool->out, tool->err);
  return g_subprocess_get_exit_status (tool->process);
}

#define run_tool(tool, ...) (tool = tool_spawn (__VA_ARGS__, NULL), tool_wait (tool))

static void
assert_contains (const char *text, const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("“%s” does not contain “%s”", text, part);
}

/* ---- usage ---- */

static void
test_usage (void)
{
  const struct { const char *args[5]; const char *says; } wrong[] = {
    { { NULL }, "COMMAND" },
    { { "bogus" }, "“bogus” is not a command" },
    { { "devices", "extra" }, "“extra” is not an option" },
    { { "play" }, "give the sample files to play, or --pattern FILE" },
    { { "play", "--pattern", "p", "a.wav" }, "not both" },
    { { "play", "--period", "-1", "a.wav" }, "the period must be from 1 to 8192" },
    { { "play", "--volume", "5", "a.wav" }, "0 to 4" },
    { { "render", "p" }, "give the file to write with -o OUT.wav" },
    { { "render", "-o", "x.wav" }, "give one pattern file" },
    { { "render", "p", "-o", "x.wav", "--rate=0" }, "the rate must be from 1 to 768000 Hz" },
    { { "render", "p", "-o", "x.wav", "--channels=33" }, "channels must be from 1 to 32" },
    { { "render", "p", "-o", "x.wav", "--format=mp3" }, "“mp3” is not a format" },
    { { "latency", "--count", "0" }, "the count must be from 1 to 100000" },
    { { "render", "--no-such-option" }, "--no-such-option" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr (Tool) tool = NULL;
      const char *const *a = wrong[i].args;

      g_assert_cmpint (run_tool (tool, a[0], a[1], a[2], a[3], a[4]), ==, 2);
      assert_contains (tool->err, wrong[i].says);
      g_assert_cmpstr (tool->out, ==, "");
    }
}

static void
test_help_and_version (void)
{
  g_autoptr (Tool) help = NULL;
  g_autoptr (Tool) version = NULL;
  g_autoptr (Tool) render_help = NULL;

  g_assert_cmpint (run_tool (help, "--help"), ==, 0);
  for (const char *const *c = (const char *[]) { "devices", "play", "render", "latency", NULL };
       *c != NULL; c++)
    assert_contains (help->out, *c);
  g_assert_cmpint (run_tool (version, "--version"), ==, 0);
  g_assert_cmpstr (version->out, ==, "flitzis " PACKAGE_VERSION " (libflitzis " PACKAGE_VERSION ")\n");
  g_assert_cmpint (run_tool (render_help, "render", "--help"), ==, 0);
  assert_contains (render_help->out, "flitzis render [OPTION…] PATTERN");
  assert_contains (render_help->out, "--no-tail");
}

/* The committed samples are exactly what tools/make-samples.py makes. */
static void
test_samples_reproducible (void)
{
  const char *python = g_getenv ("PYTHON3");
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "..", "tools", "make-samples.py",
                                                   NULL);
  g_autofree char *samples = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", NULL);
  g_autoptr (GError) error = NULL;
  int status;

  g_assert_nonnull (python);
  g_spawn_sync (NULL, (char *[]) { (char *) python, script, (char *) "--check", samples, NULL },
                NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
}

/* ---- render ---- */

static float *
read_wav (const char *path, SF_INFO *info)
{
  SNDFILE *file = sf_open (path, SFM_READ, info);
  float *data;

  g_assert_nonnull (file);
  data = g_new (float, (gsize) info->frames * info->channels);
  g_assert_cmpint (sf_readf_float (file, data, info->frames), ==, info->frames);
  sf_close (file);
  return data;
}

typedef struct {
  guint64 frame;
  guint slot;
  float velocity;
} Hit;

#define RENDER_RATE 44100
#define BEAT (RENDER_RATE * 60 / 150)        /* 17640 frames at 150 BPM */
#define PASS (2 * BEAT)
#define PASSES 3

/* The hits of the pattern below, worked out by hand: in time order, hits
 * at the same frame in the order of the file. */
static const Hit one_pass[] = {
  { 0, 2, 0.5f },                            /* hit 0 chord 0.5 */
  { 0, 0, 1.0f },                            /* steps kick: X */
  { 333, 1, 0.9f },                          /* hit 333f hat 0.9 */
  { BEAT, 0, 0.6f },                         /* steps kick: . x */
  { 5 * BEAT / 4, 1, 1.0f },                 /* hit 1.25 hat */
  { 3 * BEAT / 2, 0, 1.0f },                 /* steps kick: X */
};

static char *
write_test_pattern (const char *dir)
{
  g_autofree char *kick = data_path ("kick.wav");
  g_autofree char *hat = data_path ("hat.wav");
  g_autofree char *chord = data_path ("chord.wav");
  g_autofree char *text = g_strdup_printf ("flitzis-pattern 1\n"
                                           "tempo 150\nlength 2\nrepeat %d\nvolume 0.8\n"
                                           "sample kick %s\nsample hat %s\nsample chord %s\n"
                                           "hit 0 chord 0.5\n"
                                           "steps kick 0.5 X.xX\n"
                                           "hit 333f hat 0.9\n"
                                           "hit 1.25 hat\n", PASSES, kick, hat, chord);

  return flitzis_test_write_text (dir, "test.pattern", text);
}

/* The same hits through the library: all queued at once, rendered in
 * blocks of another size than the tool's.  Returns the frames rendered:
 * up to the end of the last voice. */
static float *
render_with_library (gsize *n_frames)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new_offline (RENDER_RATE, 2);
  g_autoptr (GError) error = NULL;
  const char *names[] = { "kick.wav", "hat.wav", "chord.wav" };
  guint64 lengths[3], end = PASS * PASSES;
  const gsize block = 700;
  float *out;

  g_assert_true (flitzis_audio_engine_set_volume (engine, 0.8, &error));
  g_assert_true (flitzis_audio_engine_run (engine, &error));
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = data_path (names[i]);
      g_autoptr (FlitzisSampleInfo) info = NULL;

      g_assert_true (flitzis_audio_engine_load_sample (engine, i, path, &error));
      info = flitzis_audio_engine_dup_sample_info (engine, i, &error);
      lengths[i] = flitzis_sample_info_get_frames (info);
    }
  for (guint pass = 0; pass < PASSES; pass++)
    for (guint i = 0; i < G_N_ELEMENTS (one_pass); i++)
      {
        guint64 frame = pass * PASS + one_pass[i].frame;

        g_assert_true (flitzis_audio_engine_play_sample_at (engine, one_pass[i].slot,
                                                            one_pass[i].velocity, frame, &error));
        end = MAX (end, frame + lengths[one_pass[i].slot]);
      }
  *n_frames = end;
  out = g_new0 (float, (end + block) * 2);
  for (gsize done = 0; done < end; done += block)
    g_assert_true (flitzis_audio_engine_render (engine, out + done * 2, block, &error));
  g_assert_no_error (error);
  return out;
}

static void
test_render_matches_library (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *pattern = write_test_pattern (dir);
  g_autofree char *wav = g_build_filename (dir, "out.wav", NULL);
  g_autofree float *expected = NULL;
  g_autofree float *got = NULL;
  g_autoptr (Tool) tool = NULL;
  SF_INFO info = { 0 };
  gsize frames;

  g_assert_cmpint (run_tool (tool, "render", pattern, "-o", wav, "--rate", "44100"), ==, 0);
  assert_contains (tool->out, "Wrote");
  g_assert_cmpstr (tool->err, ==, "");
  got = read_wav (wav, &info);
  expected = render_with_library (&frames);
  g_assert_cmpint (info.samplerate, ==, RENDER_RATE);
  g_assert_cmpint (info.channels, ==, 2);
  /* a .wav is written by the RF64 writer, downgraded to RIFF below 4 GiB */
  g_assert_cmpint (info.format, ==, SF_FORMAT_WAVEX | SF_FORMAT_FLOAT);
  /* the last chord rings past the pattern's end, and the file ends with it */
  g_assert_cmpint (frames, >, PASS * PASSES);
  g_assert_cmpint (info.frames, ==, frames);
  g_assert_cmpmem (got, frames * 2 * sizeof (float), expected, frames * 2 * sizeof (float));
  flitzis_test_remove_tree (dir);
}

static void
test_render_no_tail_and_formats (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *pattern = write_test_pattern (dir);
  g_autofree char *wav = g_build_filename (dir, "loop.wav", NULL);
  g_autoptr (Tool) tool = NULL;
  g_autofree float *data = NULL;
  SF_INFO info = { 0 };
  float peak = 0;

  g_assert_cmpint (run_tool (tool, "render", pattern, "-o", wav, "--no-tail", "-f", "s16",
                             "-r", "44100", "-c", "1"), ==, 0);
  data = read_wav (wav, &info);
  g_assert_cmpint (info.frames, ==, PASS * PASSES);
  g_assert_cmpint (info.channels, ==, 1);
  g_assert_cmpint (info.format, ==, SF_FORMAT_WAVEX | SF_FORMAT_PCM_16);
  for (sf_count_t i = 0; i < info.frames; i++)
    peak = MAX (peak, fabsf (data[i]));
  g_assert_cmpfloat (peak, >, 0.1);
  flitzis_test_remove_tree (dir);
}

/* A pattern that sets the tempo, 3 beats a bar and the metronome: the
 * render clicks on every beat's frame (93.7 BPM at 48 kHz: beat k on
 * ceil (k * 30736.39...)), accented on each bar's first, with the hit
 * given as bar 2 beat 1 on the fourth. */
static void
test_render_metronome (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *kick = data_path ("kick.wav");
  g_autofree char *text = g_strdup_printf ("flitzis-pattern 1\ntempo 93.7\nbeats-per-bar 3\n"
                                           "metronome on\nlength 3:1\nsample kick %s\n"
                                           "hit 2:1 kick 0.01\n", kick);
  g_autofree char *pattern = flitzis_test_write_text (dir, "m.pattern", text);
  g_autofree char *wav = g_build_filename (dir, "m.wav", NULL);
  g_autoptr (Tool) tool = NULL;
  g_autofree float *data = NULL;
  SF_INFO info = { 0 };
  const double beat = 60.0 * 48000 / 93.7;

  g_assert_cmpint (run_tool (tool, "render", pattern, "-o", wav, "--no-tail", "-r", "48000",
                             "-c", "1"), ==, 0);
  data = read_wav (wav, &info);
  /* Six beats: up to the frame on which the seventh falls. */
  g_assert_cmpint (info.frames, ==, (sf_count_t) ceil (6 * beat));
  for (guint k = 0; k < 6; k++)
    {
      gsize frame = (gsize) ceil (k * beat);

      g_test_message ("beat %u at %" G_GSIZE_FORMAT ": %g", k, frame, (double) data[frame]);
      if (k > 0)
        g_assert_cmpfloat (data[frame - 1], ==, 0.0f);
      g_assert_cmpfloat (fabsf (data[frame]), >, k % 3 == 0 ? 0.55f : 0.3f);
    }
  flitzis_test_remove_tree (dir);
}

/* Times in bars and beats sound where the engine's clock puts its beats
 * and clicks: on the first frame at or after the exact time.  At 93.7 BPM
 * beat 3 (2:1, three beats a bar) is 92209.18 frames in: frame 92210, on
 * the metronome's click (nearest-frame rounding put it on 92209, a frame
 * before the click); 1:2.5 is 46104.59: 46105.  A one-frame impulse shows
 * each hit's frame; with the metronome on, the hit on 2:1 adds to the
 * click on its frame. */
static void
test_render_bars_on_the_beat (void)
{
  const float impulse[1] = { 0.25f };
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *one = flitzis_test_write_mono (dir, "one.wav", 48000, impulse, 1);
  const double beat = 60.0 * 48000 / 93.7;
  const gsize hits[2] = { (gsize) ceil (1.5 * beat), (gsize) ceil (3 * beat) };

  g_assert_cmpuint (hits[0], ==, 46105);
  g_assert_cmpuint (hits[1], ==, 92210);
  for (guint metronome = 0; metronome < 2; metronome++)
    {
      g_autofree char *text = g_strdup_printf ("flitzis-pattern 1\ntempo 93.7\nbeats-per-bar 3\n"
                                               "metronome %s\nlength 3:1\nsample one %s\n"
                                               "hit 1:2.5 one\nhit 2:1 one\n",
                                               metronome ? "on" : "off", one);
      g_autofree char *pattern = flitzis_test_write_text (dir, "b.pattern", text);
      g_autofree char *wav = g_build_filename (dir, "b.wav", NULL);
      g_autoptr (Tool) tool = NULL;
      g_autofree float *data = NULL;
      SF_INFO info = { 0 };

      g_assert_cmpint (run_tool (tool, "render", pattern, "-o", wav, "--no-tail", "-r", "48000",
                                 "-c", "1"), ==, 0);
      data = read_wav (wav, &info);
      g_assert_cmpint (info.frames, >, (sf_count_t) hits[1]);
      for (guint h = 0; h < 2; h++)
        {
          g_assert_cmpfloat (data[hits[h] - 1], ==, 0.0f);
          if (!metronome)
            g_assert_cmpfloat (data[hits[h]], ==, 0.25f);
        }
      /* 2:1 starts bar 2: the hit on the accented click, 0.6. */
      if (metronome)
        g_assert_cmpfloat_with_epsilon (data[hits[1]], 0.25f + 0.6f, 1e-3);
    }
  flitzis_test_remove_tree (dir);
}

/* A sample file short of what its header promises (a float WAV whose
 * data chunk promises 2000 frames and holds 1000): the pattern renders,
 * and the tool warns, naming the file and both counts. */
static void
test_render_short_file_warns (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *short_wav = g_build_filename (dir, "short.wav", NULL);
  g_autofree char *wav = g_build_filename (dir, "out.wav", NULL);
  g_autofree char *text = NULL;
  g_autofree char *pattern = NULL;
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autoptr (Tool) tool = NULL;
  const guint32 header[] = {
    GUINT32_TO_BE (0x52494646), GUINT32_TO_LE (36 + 8000), GUINT32_TO_BE (0x57415645),
    GUINT32_TO_BE (0x666d7420), GUINT32_TO_LE (16), GUINT32_TO_LE (3 | (1 << 16)),
    GUINT32_TO_LE (48000), GUINT32_TO_LE (48000 * 4), GUINT32_TO_LE (4 | (32 << 16)),
    GUINT32_TO_BE (0x64617461), GUINT32_TO_LE (8000),
  };
  float value = 0.5f;

  g_byte_array_append (bytes, (const guint8 *) header, sizeof header);
  for (guint i = 0; i < 1000; i++)
    g_byte_array_append (bytes, (const guint8 *) &value, sizeof value);
  g_assert_true (g_file_set_contents (short_wav, (const char *) bytes->data, bytes->len, NULL));
  text = g_strdup_printf ("flitzis-pattern 1\ntempo 120\nlength 1\nsample s %s\nhit 0 s\n",
                          short_wav);
  pattern = flitzis_test_write_text (dir, "short.pattern", text);
  g_assert_cmpint (run_tool (tool, "render", pattern, "-o", wav), ==, 0);
  assert_contains (tool->err, "short.wav");
  assert_contains (tool->err, "1000 of the 2000 frames its header promises");
  flitzis_test_remove_tree (dir);
}

static void
test_render_demo (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *demo = g_test_build_filename (G_TEST_DIST, "..", "data", "demo.pattern", NULL);
  g_autofree char *wav = g_build_filename (dir, "demo.wav", NULL);
  g_autoptr (Tool) tool = NULL;
  g_autofree float *data = NULL;
  SF_INFO info = { 0 };
  float peak = 0;

  g_assert_cmpint (run_tool (tool, "render", demo, "-o", wav), ==, 0);
  data = read_wav (wav, &info);
  /* two passes of two bars at 120 BPM, and the last bass note's tail */
  g_assert_cmpint (info.frames, >, 8 * 48000);
  g_assert_cmpint (info.frames, <, 9 * 48000);
  for (sf_count_t i = 0; i < info.frames * info.channels; i++)
    {
      g_assert_true (isfinite (data[i]));
      peak = MAX (peak, fabsf (data[i]));
    }
  g_assert_cmpfloat (peak, >, 0.3);
  g_assert_cmpfloat (peak, <=, 1.0);
  flitzis_test_remove_tree (dir);
}

static void
test_render_errors (void)
{
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *bad = flitzis_test_write_text (dir, "bad.pattern",
                                                  "flitzis-pattern 1\nlength 4\ntempo fast\n");
  g_autofree char *missing = flitzis_test_write_text (dir, "missing.pattern",
                                                      "flitzis-pattern 1\nlength 4\n"
                                                      "sample k no-such.wav\nhit 0 k\n");
  g_autofree char *good = write_test_pattern (dir);
  g_autofree char *wav = g_build_filename (dir, "out.wav", NULL);
  g_autofree char *missing_wav = g_build_filename (dir, "no-such.wav", NULL);
  g_autofree char *unwritable = g_build_filename (dir, "no-dir", "out.wav", NULL);
  g_autoptr (Tool) syntax = NULL;
  g_autoptr (Tool) sample = NULL;
  g_autoptr (Tool) output = NULL;
  g_autoptr (Tool) absent = NULL;

  g_assert_cmpint (run_tool (syntax, "render", bad, "-o", wav), ==, 1);
  assert_contains (syntax->err, "bad.pattern:3: Tempo “fast” is out of range");
  g_assert_cmpint (run_tool (sample, "render", missing, "-o", wav), ==, 1);
  assert_contains (sample->err, missing_wav);
  g_assert_cmpint (run_tool (output, "render", good, "-o", unwritable), ==, 1);
  assert_contains (output->err, unwritable);
  g_assert_cmpint (run_tool (absent, "render", "/nonexistent.pattern", "-o", wav), ==, 1);
  assert_contains (absent->err, "/nonexistent.pattern");
  /* nothing was written by the failed runs */
  g_assert_false (g_file_test (wav, G_FILE_TEST_EXISTS));
  flitzis_test_remove_tree (dir);
}

/* ---- on a device: a private JACK dummy server ---- */

/* Underruns may happen on a loaded machine (and are reported); lost
 * sounds and events may not. */
static void
assert_nothing_lost (const char *err)
{
  g_assert_null (strstr (err, "dropped"));
  g_assert_null (strstr (err, "late"));
  g_assert_null (strstr (err, "lost"));
}

static void
test_devices (void)
{
  FlitzisTestJack *jack = flitzis_test_jack_start (48000, 256);
  g_autoptr (Tool) tool = NULL;
  g_autoptr (Tool) chosen = NULL;

  g_assert_cmpint (run_tool (tool, "devices"), ==, 0);
  assert_contains (tool->out, "* system ");
  assert_contains (tool->out, "JACK Audio Connection Kit");
  assert_contains (tool->out, "48000");
  /* FLITZIS_DEVICE moves the mark: to nothing, for a device not there */
  g_setenv ("FLITZIS_DEVICE", "no such device", TRUE);
  g_assert_cmpint (run_tool (chosen, "devices"), ==, 0);
  g_unsetenv ("FLITZIS_DEVICE");
  assert_contains (chosen->out, "  system ");
  g_assert_null (strstr (chosen->out, "* "));
  flitzis_test_jack_stop (jack);
}

static void
test_play_files (void)
{
  FlitzisTestJack *jack = flitzis_test_jack_start (48000, 256);
  g_autofree char *hat = data_path ("hat.wav");
  g_autofree char *kick = data_path ("kick.wav");
  g_autoptr (Tool) tool = NULL;

  g_assert_cmpint (run_tool (tool, "play", hat, kick), ==, 0);
  assert_nothing_lost (tool->err);
  flitzis_test_jack_stop (jack);
}

static void
test_play_pattern (void)
{
  FlitzisTestJack *jack = flitzis_test_jack_start (48000, 256);
  g_autofree char *dir = flitzis_test_make_tmpdir ();
  g_autofree char *hat = data_path ("hat.wav");
  g_autofree char *text = g_strdup_printf ("flitzis-pattern 1\ntempo 240\nlength 2\nrepeat 2\n"
                                           "sample hat %s\nsteps hat 0.5 XxXx\n", hat);
  g_autofree char *pattern = flitzis_test_write_text (dir, "p.pattern", text);
  g_autoptr (Tool) tool = NULL;

  g_assert_cmpint (run_tool (tool, "play", "--pattern", pattern), ==, 0);
  assert_nothing_lost (tool->err);
  flitzis_test_jack_stop (jack);
  flitzis_test_remove_tree (dir);
}

static gboolean
captured_enough (gpointer data)
{
  return flitzis_test_jack_capture_frames (data) >= 24000;
}

/* Captures half a second at a time until one holds the tool's sound (a
 * peak above 0.05), for DEADLINE_MS at most: its ports appear before it
 * has decoded its file, which under valgrind (and on a loaded machine)
 * takes longer than half a second. */
static gboolean
hears_the_tool (FlitzisTestJack *jack)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_MS * G_GINT64_CONSTANT (1000);

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree float *capture = NULL;
      guint channels;
      gsize frames;
      float peak = 0;

      flitzis_test_jack_capture_start (jack, 48000);
      if (!flitzis_test_wait_until (NULL, captured_enough, jack, DEADLINE_MS))
        return FALSE;
      capture = flitzis_test_jack_capture_stop (jack, &channels, &frames);
      for (gsize i = 0; i < frames * channels; i++)
        peak = MAX (peak, fabsf (capture[i]));
      if (peak > 0.05f)
        return TRUE;
      g_test_message ("half a second of silence from the tool (peak %g): listening on",
                      (double) peak);
    }
  return FALSE;
}

/* Ctrl-C: --loop ends with status 0, a play with an end with 130; both
 * shut down cleanly (the process exits by itself, in time). */
static void
interrupt_play (gboolean loop, int expected_status)
{
  FlitzisTestJack *jack = flitzis_test_jack_start (48000, 256);
  g_autofree char *chord = data_path ("chord.wav");
  g_autoptr (Tool) tool = NULL;

  tool = loop ? tool_spawn ("play", "--loop", chord, NULL) : tool_spawn ("play", chord, NULL);
  g_assert_true (flitzis_test_jack_wait_for_engine (jack, DEADLINE_MS));
  g_assert_true (hears_the_tool (jack));

  g_subprocess_send_signal (tool->process, SIGINT);
  g_assert_cmpint (tool_wait (tool), ==, expected_status);
  flitzis_test_jack_stop (jack);
}

static void
test_play_loop_interrupted (void)
{
  interrupt_play (TRUE, 0);
}

static void
test_play_interrupted (void)
{
  interrupt_play (FALSE, 130);
}

static void
test_play_no_device (void)
{
  g_autofree char *hat = data_path ("hat.wav");
  g_autoptr (Tool) tool = NULL;

  g_assert_cmpint (run_tool (tool, "play", "--device", "no such device", hat), ==, 3);
  assert_contains (tool->err, "No output device is named “no such device”");
}

static void
test_latency (void)
{
  FlitzisTestJack *jack = flitzis_test_jack_start (48000, 256);
  g_autoptr (Tool) tool = NULL;
  const char *row;
  double min, median, p99;

  g_assert_cmpint (run_tool (tool, "latency", "--count", "20"), ==, 0);
  assert_contains (tool->out, "48000 Hz");
  assert_contains (tool->out, "20 measurements");
  row = strstr (tool->out, "ping → pong");
  g_assert_nonnull (row);
  g_assert_cmpint (sscanf (row + strlen ("ping → pong"), "%lf %lf %lf", &min, &median, &p99),
                   ==, 3);
  /* a round trip through the audio thread takes time, and not seconds */
  g_assert_cmpfloat (min, >, 0);
  g_assert_cmpfloat (min, <=, median);
  g_assert_cmpfloat (median, <=, p99);
  g_assert_cmpfloat (p99, <, 1000);
  row = strstr (tool->out, "trigger → output");
  g_assert_nonnull (row);
  g_assert_cmpint (sscanf (row + strlen ("trigger → output"), "%lf", &min), ==, 1);
  /* at least the output latency of two 256-frame periods */
  g_assert_cmpfloat (min, >=, 2 * 256 * 1000.0 / 48000);
  flitzis_test_jack_stop (jack);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("FLITZIS_DEVICE");
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

  g_test_add_func ("/tools/cli/usage", test_usage);
  g_test_add_func ("/tools/cli/help-and-version", test_help_and_version);
  g_test_add_func ("/tools/cli/samples-reproducible", test_samples_reproducible);
  g_test_add_func ("/tools/cli/render/matches-library", test_render_matches_library);
  g_test_add_func ("/tools/cli/render/no-tail-and-formats", test_render_no_tail_and_formats);
  g_test_add_func ("/tools/cli/render/bars-on-the-beat", test_render_bars_on_the_beat);
  g_test_add_func ("/tools/cli/render/demo", test_render_demo);
  g_test_add_func ("/tools/cli/render/metronome", test_render_metronome);
  g_test_add_func ("/tools/cli/render/short-file-warns", test_render_short_file_warns);
  g_test_add_func ("/tools/cli/render/errors", test_render_errors);
  g_test_add_func ("/tools/cli/devices", test_devices);
  g_test_add_func ("/tools/cli/play/files", test_play_files);
  g_test_add_func ("/tools/cli/play/pattern", test_play_pattern);
  g_test_add_func ("/tools/cli/play/loop-interrupted", test_play_loop_interrupted);
  g_test_add_func ("/tools/cli/play/interrupted", test_play_interrupted);
  g_test_add_func ("/tools/cli/play/no-device", test_play_no_device);
  g_test_add_func ("/tools/cli/latency", test_latency);
  return g_test_run ();
}
