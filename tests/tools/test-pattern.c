/* test-pattern.c: the flitzis tool's pattern files
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The parser (tools/flitzis-pattern.c) on its own: what each statement
 * means in frames, and that every mistake is an error that names the line
 * and says what is allowed.
 */
#include "config.h"

#include <locale.h>

#include "tools/flitzis-pattern.h"

static Pattern *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  Pattern *pattern = pattern_parse (text, "p.pattern", "/base", &error);

  g_assert_no_error (error);
  g_assert_nonnull (pattern);
  return pattern;
}

static void
test_defaults_and_times (void)
{
  g_autoptr (Pattern) pattern = parse_ok ("flitzis-pattern 1\n"
                                          "length 4\n"
                                          "sample k kick.wav\n"
                                          "hit 1.5 k\n"
                                          "hit 100f k 0.25  # a comment\n");
  g_autoptr (GArray) events = pattern_events (pattern, 48000);
  PatternEvent *first, *second;

  g_assert_cmpfloat (pattern->tempo, ==, 120);
  g_assert_cmpuint (pattern->repeat, ==, 1);
  g_assert_cmpfloat (pattern->volume, ==, 1);
  /* 4 beats at 120 BPM are 2 s */
  g_assert_cmpuint (pattern_length_frames (pattern, 48000), ==, 96000);
  g_assert_cmpuint (pattern_length_frames (pattern, 44100), ==, 88200);
  g_assert_cmpstr (((PatternSample *) g_ptr_array_index (pattern->samples, 0))->path, ==,
                   "/base/kick.wav");
  /* in time order: the frame-given hit first */
  g_assert_cmpuint (events->len, ==, 2);
  first = &g_array_index (events, PatternEvent, 0);
  second = &g_array_index (events, PatternEvent, 1);
  g_assert_cmpuint (first->frame, ==, 100);
  g_assert_cmpfloat (first->velocity, ==, 0.25f);
  g_assert_cmpuint (second->frame, ==, 36000);
  g_assert_cmpfloat (second->velocity, ==, 1.0f);
}

static void
test_statements (void)
{
  g_autoptr (Pattern) pattern = parse_ok ("# leading comment and blank lines\n\n"
                                          "flitzis-pattern 1\n"
                                          "tempo 150\n"
                                          "length 3\n"
                                          "repeat 3\n"
                                          "volume 0.5\n"
                                          "sample a /abs/a.wav\n"
                                          "sample b with space.wav\n"
                                          "hit 0 b\n"
                                          "steps a 0.5  X.x. \t .X\n");
  g_autoptr (GArray) events = pattern_events (pattern, 44100);
  const guint64 beat = 44100 * 60 / 150;
  const struct { guint64 frame; guint slot; float velocity; } expected[] = {
    { 0, 1, 1.0f },               /* hit 0 b comes first in the file ... */
    { 0, 0, 1.0f },               /* ... so it stays before step 0 of a */
    { beat, 0, 0.6f },
    { 5 * beat / 2, 0, 1.0f },
  };

  g_assert_cmpfloat (pattern->tempo, ==, 150);
  g_assert_cmpuint (pattern->repeat, ==, 3);
  g_assert_cmpfloat (pattern->volume, ==, 0.5);
  g_assert_cmpstr (((PatternSample *) g_ptr_array_index (pattern->samples, 0))->path, ==,
                   "/abs/a.wav");
  g_assert_cmpstr (((PatternSample *) g_ptr_array_index (pattern->samples, 1))->path, ==,
                   "/base/with space.wav");
  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < events->len; i++)
    {
      PatternEvent *event = &g_array_index (events, PatternEvent, i);

      g_assert_cmpuint (event->frame, ==, expected[i].frame);
      g_assert_cmpuint (event->slot, ==, expected[i].slot);
      g_assert_cmpfloat (event->velocity, ==, expected[i].velocity);
    }
}

/* Each mistake: the error names the file and line and what is allowed. */
static void
test_errors (void)
{
  const struct { const char *text; const char *message; } cases[] = {
    { "", "p.pattern:1: not a pattern" },
    { "tempo 120\n", "p.pattern:1: not a pattern: the first line must be" },
    { "flitzis-pattern 2\n", "p.pattern:1: pattern format version 2 is not known" },
    { "flitzis-pattern 1\nsample k k.wav\nhit 1 k\n", "has no “length”" },
    { "flitzis-pattern 1\nlength 0\n", "p.pattern:2: the length must be more than 0" },
    { "flitzis-pattern 1\nlength -1\n", "p.pattern:2: “-1” is not a time" },
    { "flitzis-pattern 1\nlength 1.5f\n", "p.pattern:2: “1.5f” is not a time" },
    { "flitzis-pattern 1\nlength four\n", "“four” is not a time" },
    { "flitzis-pattern 1\ntempo 10\n", "p.pattern:2: Tempo “10” is out of range: it must be "
                                       "from 20 to 999" },
    { "flitzis-pattern 1\ntempo\n", "p.pattern:2: “tempo” takes one value" },
    { "flitzis-pattern 1\nrepeat 1.5\n", "Repeat “1.5” is not a whole number" },
    { "flitzis-pattern 1\nrepeat 0\n", "Repeat “0” is out of range" },
    { "flitzis-pattern 1\nvolume 5\n", "Volume “5” is out of range: it must be from 0 to 4" },
    { "flitzis-pattern 1\nvolume nan\n", "Volume “nan” is out of range" },
    { "flitzis-pattern 1\nsample k\n", "“sample” needs a name and a file" },
    { "flitzis-pattern 1\nsample k a.wav\nsample k b.wav\n",
      "p.pattern:3: there is already a sample called “k”" },
    { "flitzis-pattern 1\nlength 4\nhit 0 k\n",
      "p.pattern:3: no sample is called “k”: declare it first" },
    { "flitzis-pattern 1\nlength 4\nsample k a.wav\nhit 0 k 1.1\n",
      "p.pattern:4: Velocity “1.1” is out of range: it must be from 0 to 1" },
    { "flitzis-pattern 1\nlength 4\nsample k a.wav\nhit 0\n", "“hit” takes a time" },
    { "flitzis-pattern 1\nlength 4\nsample k a.wav\nsteps k 1 X?\n",
      "p.pattern:4: “?” is not a step" },
    { "flitzis-pattern 1\nlength 4\nsample k a.wav\nsteps k 1\n", "“steps” takes a sample" },
    { "flitzis-pattern 1\nsample k a.wav\nhit 4 k\nlength 4\n",
      "p.pattern:3: a hit of “k” at 4 is not before the pattern’s end" },
    { "flitzis-pattern 1\nlength 4\nsample k a.wav\nsteps k 1 XXXXX\n",
      "p.pattern:4: a hit of “k” at 4 is not before" },
    { "flitzis-pattern 1\nlength 100f\nsample k a.wav\nhit 100f k\n",
      "a hit of “k” at 100f is not before" },
    { "flitzis-pattern 1\nplay k\n", "p.pattern:2: “play” is not a pattern statement: use "
                                     "tempo, length, repeat, volume, beats-per-bar, metronome, "
                                     "sample, hit or steps" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (Pattern) pattern = pattern_parse (cases[i].text, "p.pattern", "/", &error);

      g_test_message ("case %u: %s", i, cases[i].text);
      g_assert_null (pattern);
      g_assert_error (error, PATTERN_ERROR, PATTERN_ERROR_INVALID);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].message);
    }
}

/* Bars and beats: "BAR:BEAT" from 1:1 at the pattern's beats per bar
 * (declared before or after), the metronome, and their mistakes. */
static void
test_bars_and_metronome (void)
{
  g_autoptr (Pattern) pattern = parse_ok ("flitzis-pattern 1\n"
                                          "tempo 120\n"
                                          "length 3:1\n"
                                          "sample k kick.wav\n"
                                          "hit 2:1 k\n"
                                          "hit 1:2.5 k\n"
                                          "beats-per-bar 3\n"
                                          "metronome on\n");
  g_autoptr (GArray) events = pattern_events (pattern, 48000);
  const struct { const char *text; const char *message; } cases[] = {
    { "flitzis-pattern 1\nlength 0:1\n", "p.pattern:2: “0:1” is not a bar and beat: give "
                                          "“BAR:BEAT”, both from 1" },
    { "flitzis-pattern 1\nlength 2:0.5\n", "“2:0.5” is not a bar and beat" },
    { "flitzis-pattern 1\nlength 1.5:1\n", "“1.5:1” is not a bar and beat" },
    { "flitzis-pattern 1\nlength 2:x\n", "“2:x” is not a bar and beat" },
    { "flitzis-pattern 1\nbeats-per-bar 0\n", "Beats per bar “0” is out of range: it must be "
                                               "from 1 to 32" },
    { "flitzis-pattern 1\nbeats-per-bar 33\n", "Beats per bar “33” is out of range" },
    { "flitzis-pattern 1\nbeats-per-bar 2.5\n", "Beats per bar “2.5” is not a whole number" },
    { "flitzis-pattern 1\nmetronome yes\n", "“metronome” is “on” or “off”, not “yes”" },
    { "flitzis-pattern 1\ntempo 500\nmetronome on\nlength 4\n",
      "the metronome clicks up to tempo 400; this pattern’s is 500" },
    { "flitzis-pattern 1\nlength 4\nsample k a.wav\nsteps k 1:1 X\n",
      "a step is a length, in beats (“0.25”) or frames (“6000f”), not a bar and beat (“1:1”)" },
    { "flitzis-pattern 1\nbeats-per-bar 3\nlength 2:1\nsample k a.wav\nhit 1:4 k\n",
      "a hit of “k” at 3 is not before the pattern’s end" },
  };

  g_assert_cmpuint (pattern->beats_per_bar, ==, 3);
  g_assert_true (pattern->metronome);
  /* 3:1 is 6 beats in, 2:1 three, 1:2.5 one and a half */
  g_assert_cmpuint (pattern_length_frames (pattern, 48000), ==, 6 * 24000);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpuint (g_array_index (events, PatternEvent, 0).frame, ==, 36000);
  g_assert_cmpuint (g_array_index (events, PatternEvent, 1).frame, ==, 72000);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (Pattern) bad = pattern_parse (cases[i].text, "p.pattern", "/", &error);

      g_test_message ("case %u: %s", i, cases[i].text);
      g_assert_null (bad);
      g_assert_error (error, PATTERN_ERROR, PATTERN_ERROR_INVALID);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].message);
    }
}

static void
test_limits (void)
{
  g_autoptr (GString) text = g_string_new ("flitzis-pattern 1\nlength 1\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (Pattern) pattern = NULL;

  for (guint i = 0; i <= PATTERN_MAX_SAMPLES; i++)
    g_string_append_printf (text, "sample s%u s%u.wav\n", i, i);
  pattern = pattern_parse (text->str, "p", "/", &error);
  g_assert_null (pattern);
  g_assert_error (error, PATTERN_ERROR, PATTERN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "p:35: too many samples: a pattern uses at most 32"));
}

static void
test_load_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *demo = g_test_build_filename (G_TEST_DIST, "..", "data", "demo.pattern", NULL);
  g_autofree char *folder = g_path_get_dirname (demo);
  g_autofree char *kick = g_build_filename (folder, "samples", "kick.wav", NULL);
  g_autoptr (Pattern) pattern = pattern_load (demo, &error);
  g_autoptr (Pattern) missing = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (pattern->samples->len, ==, 5);
  g_assert_cmpstr (((PatternSample *) g_ptr_array_index (pattern->samples, 0))->path, ==, kick);
  g_assert_true (g_file_test (kick, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (pattern->repeat, ==, 2);

  missing = pattern_load ("/nonexistent/x.pattern", &error);
  g_assert_null (missing);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tools/pattern/defaults-and-times", test_defaults_and_times);
  g_test_add_func ("/tools/pattern/statements", test_statements);
  g_test_add_func ("/tools/pattern/errors", test_errors);
  g_test_add_func ("/tools/pattern/limits", test_limits);
  g_test_add_func ("/tools/pattern/bars-and-metronome", test_bars_and_metronome);
  g_test_add_func ("/tools/pattern/load-file", test_load_file);
  return g_test_run ();
}
