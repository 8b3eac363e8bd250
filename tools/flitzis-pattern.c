/* flitzis-pattern.c: reads the pattern files of the flitzis tool
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The format, line by line (flitzis(1) documents it for users):
 *
 *   flitzis-pattern 1          the first statement: format and version
 *   tempo BPM                  beats per minute (20 to 999; default 120)
 *   length TIME                the pattern's length (required)
 *   repeat N                   how many times it plays (default 1)
 *   volume V                   master volume, 0 to 4 (default 1)
 *   beats-per-bar N            beats in a bar, 1 to 32 (default 4)
 *   metronome on|off           the engine clicks on every beat (tempo up to 400)
 *   sample NAME PATH           a sample file, relative to the pattern
 *   hit TIME NAME [VELOCITY]   a trigger; velocity 0 to 1 (default 1)
 *   steps NAME STEP GRID...    a trigger per "X" (1.0) or "x" (0.6) of
 *                              GRID, one character every STEP, "." rests
 *
 * TIME is a number of beats ("1.5"), of frames ("24000f"), or a bar and a
 * beat in it, from 1 ("2:1" is bar 2's first beat, "1:2.5" half a beat
 * after bar 1's second).  "#" starts
 * a comment.  Every error names the file and line and what is allowed.
 * Runs on the main thread.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "flitzis-pattern.h"

#define STEP_LOUD 1.0f
#define STEP_SOFT 0.6f
#define MAX_GAIN 4.0

G_DEFINE_QUARK (flitzis-pattern-error-quark, pattern_error)

typedef struct {
  Pattern *pattern;
  const char *name;             /* the file, for error messages */
  const char *folder;
  guint line;
  gboolean has_header;
  gboolean has_length;
} Parser;

static void
pattern_sample_free (gpointer data)
{
  PatternSample *sample = data;

  g_free (sample->name);
  g_free (sample->path);
  g_free (sample);
}

void
pattern_free (Pattern *pattern)
{
  if (pattern == NULL)
    return;
  g_ptr_array_unref (pattern->samples);
  g_array_unref (pattern->hits);
  g_free (pattern);
}

G_GNUC_PRINTF (3, 4) static gboolean
fail (Parser *parser, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* TRANSLATORS: a pattern file's name, a line number, and what is wrong */
  g_set_error (error, PATTERN_ERROR, PATTERN_ERROR_INVALID, _("%s:%u: %s"),
               parser->name, parser->line, message);
  return FALSE;
}

static gboolean
parse_number (const char *token, double *value)
{
  char *end = NULL;

  *value = g_ascii_strtod (token, &end);
  return end != token && *end == '\0' && isfinite (*value);
}

/* "BAR:BEAT", both from 1; the bar a whole number. */
static gboolean
parse_bar_time (Parser *parser, const char *token, const char *colon, PatternTime *time,
                GError **error)
{
  g_autofree char *bar = g_strndup (token, (gsize) (colon - token));
  double bar_value, beat;

  if (!parse_number (bar, &bar_value) || bar_value < 1 || bar_value != floor (bar_value) ||
      bar_value > G_MAXUINT32 || !parse_number (colon + 1, &beat) || beat < 1)
    return fail (parser, error,
                 _("“%s” is not a bar and beat: give “BAR:BEAT”, both from 1 (“2:1”, “1:2.5”)"),
                 token);
  *time = (PatternTime) { .value = beat - 1, .bar = (guint) bar_value };
  return TRUE;
}

static gboolean
parse_time (Parser *parser, const char *token, PatternTime *time, GError **error)
{
  gsize length = strlen (token);
  g_autofree char *number = NULL;
  const char *colon = strchr (token, ':');

  if (colon != NULL)
    return parse_bar_time (parser, token, colon, time, error);
  time->bar = 0;
  time->in_frames = length > 1 && token[length - 1] == 'f';
  number = g_strndup (token, time->in_frames ? length - 1 : length);
  if (!parse_number (number, &time->value) || time->value < 0 ||
      (time->in_frames && time->value != floor (time->value)))
    return fail (parser, error,
                 _("“%s” is not a time: give beats (“1.5”) or whole frames (“24000f”), "
                   "not negative"), token);
  return TRUE;
}

static gboolean
parse_ranged (Parser *parser, const char *what, const char *token, double min, double max,
              double *value, GError **error)
{
  if (!parse_number (token, value) || *value < min || *value > max)
    return fail (parser, error, _("%s “%s” is out of range: it must be from %g to %g"),
                 what, token, min, max);
  return TRUE;
}

static gboolean
find_sample (Parser *parser, const char *name, guint *index, GError **error)
{
  for (guint i = 0; i < parser->pattern->samples->len; i++)
    {
      PatternSample *sample = g_ptr_array_index (parser->pattern->samples, i);

      if (strcmp (sample->name, name) == 0)
        {
          *index = i;
          return TRUE;
        }
    }
  return fail (parser, error, _("no sample is called “%s”: declare it first with “sample %s FILE”"),
               name, name);
}

static gboolean
add_hit (Parser *parser, PatternTime time, guint sample, float velocity, GError **error)
{
  PatternHit hit = { time, sample, velocity, parser->line };

  if (parser->pattern->hits->len == PATTERN_MAX_HITS)
    return fail (parser, error, _("too many hits: a pattern holds at most %u"), PATTERN_MAX_HITS);
  g_array_append_val (parser->pattern->hits, hit);
  return TRUE;
}

static gboolean
parse_sample (Parser *parser, char **words, const char *rest, GError **error)
{
  PatternSample *sample;
  guint unused;

  if (words[1] == NULL || rest == NULL || *rest == '\0')
    return fail (parser, error, _("“sample” needs a name and a file: “sample NAME FILE”"));
  if (find_sample (parser, words[1], &unused, NULL))
    return fail (parser, error, _("there is already a sample called “%s”"), words[1]);
  if (parser->pattern->samples->len == PATTERN_MAX_SAMPLES)
    return fail (parser, error, _("too many samples: a pattern uses at most %u"),
                 PATTERN_MAX_SAMPLES);
  sample = g_new0 (PatternSample, 1);
  sample->name = g_strdup (words[1]);
  sample->path = g_path_is_absolute (rest) ? g_strdup (rest)
                                           : g_build_filename (parser->folder, rest, NULL);
  g_ptr_array_add (parser->pattern->samples, sample);
  return TRUE;
}

static gboolean
parse_hit (Parser *parser, char **words, GError **error)
{
  PatternTime time;
  double velocity = 1.0;
  guint sample;

  if (words[1] == NULL || words[2] == NULL || (words[3] != NULL && words[4] != NULL))
    return fail (parser, error, _("“hit” takes a time, a sample and a velocity: "
                                  "“hit TIME NAME [VELOCITY]”"));
  return parse_time (parser, words[1], &time, error) &&
         find_sample (parser, words[2], &sample, error) &&
         (words[3] == NULL ||
          parse_ranged (parser, _("Velocity"), words[3], 0, 1, &velocity, error)) &&
         add_hit (parser, time, sample, (float) velocity, error);
}

static gboolean
parse_steps (Parser *parser, char **words, GError **error)
{
  PatternTime step;
  guint sample, position = 0;

  if (words[1] == NULL || words[2] == NULL || words[3] == NULL)
    return fail (parser, error, _("“steps” takes a sample, a step and a grid: "
                                  "“steps NAME STEP X.x.…”"));
  if (!find_sample (parser, words[1], &sample, error) ||
      !parse_time (parser, words[2], &step, error))
    return FALSE;
  if (step.bar != 0)
    return fail (parser, error, _("a step is a length, in beats (“0.25”) or frames (“6000f”), "
                                  "not a bar and beat (“%s”)"), words[2]);
  for (char **grid = words + 3; *grid != NULL; grid++)
    for (const char *c = *grid; *c != '\0'; c++, position++)
      {
        PatternTime time = { step.value * position, step.in_frames };

        if (*c == '.')
          continue;
        if (*c != 'X' && *c != 'x')
          return fail (parser, error, _("“%c” is not a step: use “X” (loud), “x” (soft) or "
                                        "“.” (rest)"), *c);
        if (!add_hit (parser, time, sample, *c == 'X' ? STEP_LOUD : STEP_SOFT, error))
          return FALSE;
      }
  return TRUE;
}

static gboolean
parse_one_value (Parser *parser, char **words, GError **error)
{
  Pattern *pattern = parser->pattern;
  double value;

  if (words[1] == NULL || words[2] != NULL)
    return fail (parser, error, _("“%s” takes one value"), words[0]);
  if (strcmp (words[0], "tempo") == 0)
    return parse_ranged (parser, _("Tempo"), words[1], PATTERN_MIN_TEMPO, PATTERN_MAX_TEMPO,
                         &pattern->tempo, error);
  if (strcmp (words[0], "volume") == 0)
    return parse_ranged (parser, _("Volume"), words[1], 0, MAX_GAIN, &pattern->volume, error);
  if (strcmp (words[0], "metronome") == 0)
    {
      if (strcmp (words[1], "on") != 0 && strcmp (words[1], "off") != 0)
        return fail (parser, error, _("“metronome” is “on” or “off”, not “%s”"), words[1]);
      pattern->metronome = strcmp (words[1], "on") == 0;
      return TRUE;
    }
  if (strcmp (words[0], "beats-per-bar") == 0)
    {
      if (!parse_ranged (parser, _("Beats per bar"), words[1], 1, PATTERN_MAX_BEATS_PER_BAR,
                         &value, error))
        return FALSE;
      if (value != floor (value))
        return fail (parser, error, _("Beats per bar “%s” is not a whole number"), words[1]);
      pattern->beats_per_bar = (guint) value;
      return TRUE;
    }
  if (strcmp (words[0], "repeat") == 0)
    {
      if (!parse_ranged (parser, _("Repeat"), words[1], 1, PATTERN_MAX_REPEAT, &value, error))
        return FALSE;
      if (value != floor (value))
        return fail (parser, error, _("Repeat “%s” is not a whole number"), words[1]);
      pattern->repeat = (guint) value;
      return TRUE;
    }
  /* length */
  parser->has_length = TRUE;
  if (!parse_time (parser, words[1], &pattern->length, error))
    return FALSE;
  if (pattern->length.value == 0 && pattern->length.bar <= 1)
    return fail (parser, error, _("the length must be more than 0"));
  return TRUE;
}

static gboolean
parse_header (Parser *parser, char **words, GError **error)
{
  if (g_strv_length (words) != 2 || strcmp (words[0], "flitzis-pattern") != 0)
    return fail (parser, error, _("not a pattern: the first line must be “flitzis-pattern 1”"));
  if (strcmp (words[1], "1") != 0)
    return fail (parser, error, _("pattern format version %s is not known: this flitzis reads "
                                  "version 1"), words[1]);
  parser->has_header = TRUE;
  return TRUE;
}

static const char *
after_words (const char *line, guint n)
{
  const char *p = line;

  for (guint i = 0; i < n; i++)
    {
      p += strspn (p, " \t");
      p += strcspn (p, " \t");
    }
  return p + strspn (p, " \t");
}

static gboolean
parse_line (Parser *parser, char *line, GError **error)
{
  g_auto (GStrv) words = NULL;
  char *comment = strchr (line, '#');

  if (comment != NULL)
    *comment = '\0';
  g_strstrip (line);
  if (*line == '\0')
    return TRUE;
  words = g_strsplit_set (line, " \t", -1);
  /* g_strsplit_set() leaves empty words between repeated blanks */
  {
    guint kept = 0;

    for (guint i = 0; words[i] != NULL; i++)
      if (*words[i] != '\0')
        words[kept++] = words[i];
      else
        g_free (words[i]);
    words[kept] = NULL;
  }
  if (!parser->has_header)
    return parse_header (parser, words, error);
  if (strcmp (words[0], "sample") == 0)
    return parse_sample (parser, words, after_words (line, 2), error);
  if (strcmp (words[0], "hit") == 0)
    return parse_hit (parser, words, error);
  if (strcmp (words[0], "steps") == 0)
    return parse_steps (parser, words, error);
  if (strcmp (words[0], "tempo") == 0 || strcmp (words[0], "length") == 0 ||
      strcmp (words[0], "repeat") == 0 || strcmp (words[0], "volume") == 0 ||
      strcmp (words[0], "beats-per-bar") == 0 || strcmp (words[0], "metronome") == 0)
    return parse_one_value (parser, words, error);
  return fail (parser, error, _("“%s” is not a pattern statement: use tempo, length, repeat, "
                                "volume, beats-per-bar, metronome, sample, hit or steps"),
               words[0]);
}

/* Every hit must lie inside the pattern; beats and frames are compared at
 * a common rate, since both scale with it in the same way. */
static gboolean
check_complete (Parser *parser, GError **error)
{
  Pattern *pattern = parser->pattern;
  const guint rate = 48000;
  guint64 length;

  parser->line = MAX (parser->line, 1);          /* an empty file has line 1 */
  if (!parser->has_header)
    return fail (parser, error, _("not a pattern: the first line must be “flitzis-pattern 1”"));
  if (!parser->has_length)
    return fail (parser, error, _("the pattern has no “length”: give one, e.g. “length 8” (beats)"));
  if (pattern->metronome && pattern->tempo > PATTERN_MAX_METRONOME_TEMPO)
    return fail (parser, error, _("the metronome clicks up to tempo %g; this pattern’s is %g"),
                 PATTERN_MAX_METRONOME_TEMPO, pattern->tempo);
  length = pattern_length_frames (pattern, rate);
  for (guint i = 0; i < pattern->hits->len; i++)
    {
      PatternHit *hit = &g_array_index (pattern->hits, PatternHit, i);

      parser->line = hit->line;
      if (pattern_time_frames (pattern, &hit->time, rate) >= length)
        return fail (parser, error, _("a hit of “%s” at %g%s is not before the pattern’s end"),
                     ((PatternSample *) g_ptr_array_index (pattern->samples, hit->sample))->name,
                     hit->time.value, hit->time.in_frames ? "f" : "");
    }
  return TRUE;
}

Pattern *
pattern_parse (const char *text, const char *name, const char *folder, GError **error)
{
  g_autoptr (Pattern) pattern = g_new0 (Pattern, 1);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  Parser parser = { pattern, name, folder, 0, FALSE, FALSE };

  pattern->tempo = 120;
  pattern->repeat = 1;
  pattern->volume = 1;
  pattern->beats_per_bar = 4;
  pattern->samples = g_ptr_array_new_with_free_func (pattern_sample_free);
  pattern->hits = g_array_new (FALSE, FALSE, sizeof (PatternHit));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      parser.line = i + 1;
      if (!parse_line (&parser, lines[i], error))
        return NULL;
    }
  if (!check_complete (&parser, error))
    return NULL;
  return g_steal_pointer (&pattern);
}

Pattern *
pattern_load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *folder = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  if (strlen (text) != length || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, PATTERN_ERROR, PATTERN_ERROR_INVALID,
                   _("%s: not a pattern: a pattern is a UTF-8 text file"), path);
      return NULL;
    }
  folder = g_path_get_dirname (path);
  return pattern_parse (text, path, folder, error);
}

guint64
pattern_time_frames (const Pattern *pattern, const PatternTime *time, guint rate)
{
  double beats = time->value;

  if (time->in_frames)
    return (guint64) time->value;
  if (time->bar > 0)
    beats += (double) (time->bar - 1) * pattern->beats_per_bar;
  /* Where the engine's clock puts a beat or a grid point, and its
   * metronome clicks: on the first frame at or after the exact time
   * (docs/clock.md).  The 1e-6 frame is the double arithmetic's: a time on
   * a whole frame (every beat at 120 BPM and 48 kHz) stays on it. */
  return (guint64) ceil (beats * 60.0 * rate / pattern->tempo - 1e-6);
}

gboolean
pattern_set_clock (const Pattern *pattern, FlitzisAudioEngine *engine, GError **error)
{
  if (pattern->tempo > FLITZIS_MAX_TEMPO)
    return TRUE;         /* no metronome (checked when parsed), nothing to line up */
  return flitzis_audio_engine_set_tempo (engine, pattern->tempo, error) &&
         flitzis_audio_engine_set_beats_per_bar (engine, pattern->beats_per_bar, error) &&
         flitzis_audio_engine_set_metronome (engine, pattern->metronome, error);
}

guint64
pattern_length_frames (const Pattern *pattern, guint rate)
{
  return pattern_time_frames (pattern, &pattern->length, rate);
}

typedef struct {
  PatternEvent event;
  guint order;
} OrderedEvent;

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const OrderedEvent *x = a, *y = b;

  if (x->event.frame != y->event.frame)
    return x->event.frame < y->event.frame ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* The hits of one repetition at @rate, in time order (hits at the same
 * frame in file order), so that playing and rendering trigger them in the
 * same order. */
GArray *
pattern_events (const Pattern *pattern, guint rate)
{
  g_autoptr (GArray) ordered = g_array_sized_new (FALSE, FALSE, sizeof (OrderedEvent),
                                                  pattern->hits->len);
  GArray *events = g_array_sized_new (FALSE, FALSE, sizeof (PatternEvent), pattern->hits->len);

  for (guint i = 0; i < pattern->hits->len; i++)
    {
      PatternHit *hit = &g_array_index (pattern->hits, PatternHit, i);
      OrderedEvent event = { { pattern_time_frames (pattern, &hit->time, rate), hit->sample,
                               hit->velocity }, i };

      g_array_append_val (ordered, event);
    }
  g_array_sort (ordered, compare_events);
  for (guint i = 0; i < ordered->len; i++)
    g_array_append_val (events, g_array_index (ordered, OrderedEvent, i).event);
  return events;
}
