/* fz-midi-map-text.c: reads and writes MIDI maps, see fz-midi-map-text.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The format, line by line (docs/midi.md documents it for users), in the
 * style of the flitzis tool's patterns:
 *
 *   flitzis-midi-map 1         the first statement: format and version
 *   bank-size N                slots per bank (program changes select banks)
 *   note NOTE [channel C] slot S [velocity linear|fixed G|curve E] [gate]
 *   cc NUMBER [channel C] TARGET [SLOT] [range MIN MAX]
 *                              TARGET: volume, tempo, gain, eq-low, eq-mid,
 *                              eq-high, speed (the last five take a slot)
 *   program P [channel C] bank B
 *
 * Channels run from 1 to 16 ("any", or none given: every channel).  "#"
 * starts a comment.  Every error names the map and the line, and what is
 * allowed.  Control thread; the tables it fills are what the audio thread
 * reads, so that it never computes a power or a logarithm.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flitzis-audio-engine.h"
#include "flitzis-engine-error.h"
#include "flitzis-i18n-private.h"
#include "fz-midi-map-text.h"

#define EQ_MIN_DB -60.0
#define EQ_MAX_DB 6.0
#define MAX_EXPONENT 10.0
#define MIN_EXPONENT 0.1
#define MIN_SPEED 0.25
#define MAX_SPEED 4.0

typedef struct {
  FzMidiMap *map;
  const char *name;
  guint n_slots;
  guint line;
} Reader;

static const char *const target_names[] = {
  [FZ_MIDI_TARGET_VOLUME] = "volume",
  [FZ_MIDI_TARGET_GAIN] = "gain",
  [FZ_MIDI_TARGET_EQ_LOW] = "eq-low",
  [FZ_MIDI_TARGET_EQ_MID] = "eq-mid",
  [FZ_MIDI_TARGET_EQ_HIGH] = "eq-high",
  [FZ_MIDI_TARGET_TEMPO] = "tempo",
  [FZ_MIDI_TARGET_SPEED] = "speed",
};

/* Each target's range as written: what may be asked, and the default. */
static const struct {
  double low, high, default_min, default_max;
} target_ranges[] = {
  [FZ_MIDI_TARGET_VOLUME] = { 0.0, FLITZIS_MAX_GAIN, 0.0, 1.0 },
  [FZ_MIDI_TARGET_GAIN] = { 0.0, FLITZIS_MAX_GAIN, 0.0, 1.0 },
  [FZ_MIDI_TARGET_EQ_LOW] = { EQ_MIN_DB, EQ_MAX_DB, EQ_MIN_DB, 0.0 },
  [FZ_MIDI_TARGET_EQ_MID] = { EQ_MIN_DB, EQ_MAX_DB, EQ_MIN_DB, 0.0 },
  [FZ_MIDI_TARGET_EQ_HIGH] = { EQ_MIN_DB, EQ_MAX_DB, EQ_MIN_DB, 0.0 },
  [FZ_MIDI_TARGET_TEMPO] = { FLITZIS_MIN_TEMPO, FLITZIS_MAX_TEMPO, 60.0, 180.0 },
  [FZ_MIDI_TARGET_SPEED] = { MIN_SPEED, MAX_SPEED, 0.5, 2.0 },
};

G_GNUC_PRINTF (3, 4) static gboolean
fail (Reader *reader, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* TRANSLATORS: a MIDI map's name, a line number, and what is wrong */
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_MIDI_MAP,
               _("%s:%u: %s"), reader->name, reader->line, message);
  return FALSE;
}

static gboolean
parse_number (const char *token, double *value)
{
  char *end = NULL;

  if (token == NULL)
    return FALSE;
  *value = g_ascii_strtod (token, &end);
  return end != token && *end == '\0' && isfinite (*value);
}

static gboolean
parse_whole (Reader *reader, const char *what, const char *token, guint max, guint *value,
             GError **error)
{
  double number;

  if (!parse_number (token, &number) || number < 0 || number > max || number != floor (number))
    return fail (reader, error, _("%s “%s” is not allowed: give a whole number from 0 to %u"),
                 what, token != NULL ? token : "", max);
  *value = (guint) number;
  return TRUE;
}

static gboolean
parse_ranged (Reader *reader, const char *what, const char *token, double min, double max,
              double *value, GError **error)
{
  if (!parse_number (token, value) || *value < min || *value > max)
    return fail (reader, error, _("%s “%s” is out of range: it must be from %g to %g"),
                 what, token != NULL ? token : "", min, max);
  return TRUE;
}

static gboolean
parse_slot (Reader *reader, const char *token, guint32 *slot, GError **error)
{
  guint value;

  if (!parse_whole (reader, _("Slot"), token, G_MAXUINT32 - 1, &value, error))
    return FALSE;
  if (value >= reader->n_slots)
    return fail (reader, error, _("slot %u is not below the engine’s %u slots"), value,
                 reader->n_slots);
  *slot = value;
  return TRUE;
}

/* "channel C" (1 to 16, or "any") at @words[*i], if there; moves past it. */
static gboolean
parse_channel (Reader *reader, char **words, guint *i, guint8 *channel, GError **error)
{
  guint value;

  *channel = FZ_MIDI_ANY_CHANNEL;
  if (words[*i] == NULL || strcmp (words[*i], "channel") != 0)
    return TRUE;
  (*i)++;
  if (g_strcmp0 (words[*i], "any") == 0)
    {
      (*i)++;
      return TRUE;
    }
  if (!parse_whole (reader, _("Channel"), words[*i], 16, &value, error))
    return FALSE;
  if (value < 1)
    return fail (reader, error, _("channel 0 is not allowed: channels run from 1 to 16, "
                                  "or “any”"));
  *channel = (guint8) (value - 1);
  (*i)++;
  return TRUE;
}

static gboolean
too_many (Reader *reader, char **words, guint i, const char *usage, GError **error)
{
  if (words[i] == NULL)
    return FALSE;
  fail (reader, error, _("unexpected “%s”: write “%s”"), words[i], usage);
  return TRUE;
}

/* The table of a velocity curve: shared by the notes with the same one. */
static gboolean
find_curve (Reader *reader, FzMidiVelocity kind, float param, guint32 *index, GError **error)
{
  FzMidiMap *map = reader->map;
  float table[128];

  for (guint v = 0; v < 128; v++)
    {
      double x = v / 127.0;

      table[v] = kind == FZ_MIDI_VELOCITY_FIXED ? param
               : kind == FZ_MIDI_VELOCITY_CURVE ? (float) pow (x, param) : (float) x;
    }
  for (guint i = 0; i < map->n_curves; i++)
    if (memcmp (map->curves[i], table, sizeof table) == 0)
      {
        *index = i;
        return TRUE;
      }
  if (map->n_curves == FZ_MIDI_MAP_MAX_CURVES)
    return fail (reader, error, _("too many velocity curves: a map has at most %u different "
                                  "ones"), FZ_MIDI_MAP_MAX_CURVES);
  memcpy (map->curves[map->n_curves], table, sizeof table);
  *index = map->n_curves++;
  return TRUE;
}

#define NOTE_USAGE "note NOTE [channel C] slot S [velocity linear|fixed G|curve E] [gate]"

static gboolean
parse_velocity (Reader *reader, char **words, guint *i, FzMidiNoteMap *note, GError **error)
{
  double value;
  const char *kind = words[*i];

  (*i)++;
  note->velocity = FZ_MIDI_VELOCITY_LINEAR;
  note->param = 1.0f;
  if (g_strcmp0 (kind, "linear") == 0)
    return TRUE;
  if (g_strcmp0 (kind, "fixed") == 0)
    {
      if (!parse_ranged (reader, _("Velocity"), words[(*i)++], 0.0, 1.0, &value, error))
        return FALSE;
      note->velocity = FZ_MIDI_VELOCITY_FIXED;
    }
  else if (g_strcmp0 (kind, "curve") == 0)
    {
      if (!parse_ranged (reader, _("Curve exponent"), words[(*i)++], MIN_EXPONENT, MAX_EXPONENT,
                         &value, error))
        return FALSE;
      note->velocity = FZ_MIDI_VELOCITY_CURVE;
    }
  else
    return fail (reader, error, _("“velocity” takes “linear”, “fixed GAIN” or “curve "
                                  "EXPONENT”, not “%s”"), kind != NULL ? kind : "");
  note->param = (float) value;
  return TRUE;
}

static gboolean
parse_note (Reader *reader, char **words, GError **error)
{
  FzMidiNoteMap note = { 0 };
  guint i = 1, number;

  if (reader->map->n_notes == FZ_MIDI_MAP_MAX_NOTES)
    return fail (reader, error, _("too many notes: a map holds at most %u"),
                 FZ_MIDI_MAP_MAX_NOTES);
  if (!parse_whole (reader, _("Note"), words[i++], 127, &number, error) ||
      !parse_channel (reader, words, &i, &note.channel, error))
    return FALSE;
  note.note = (guint8) number;
  if (g_strcmp0 (words[i], "slot") != 0)
    return fail (reader, error, _("a note needs its slot: write “%s”"), NOTE_USAGE);
  i++;
  if (!parse_slot (reader, words[i++], &note.slot, error))
    return FALSE;
  note.param = 1.0f;
  if (g_strcmp0 (words[i], "velocity") == 0 &&
      !parse_velocity (reader, words, (i++, &i), &note, error))
    return FALSE;
  if (g_strcmp0 (words[i], "gate") == 0)
    {
      note.gate = TRUE;
      i++;
    }
  if (too_many (reader, words, i, NOTE_USAGE, error) ||
      !find_curve (reader, note.velocity, note.param, &note.curve, error))
    return FALSE;
  reader->map->notes[reader->map->n_notes++] = note;
  return TRUE;
}

#define CC_USAGE "cc NUMBER [channel C] volume|tempo|gain S|eq-low S|eq-mid S|eq-high S|" \
                 "speed S [range MIN MAX]"

static void
fill_cc_table (FzMidiCcMap *cc)
{
  for (guint v = 0; v < 128; v++)
    {
      double x = (double) cc->min + ((double) cc->max - (double) cc->min) * (v / 127.0);
      gboolean band = cc->target >= FZ_MIDI_TARGET_EQ_LOW && cc->target <= FZ_MIDI_TARGET_EQ_HIGH;

      /* An isolator's band from dB to the linear gain the core takes,
       * as set_sample_eq() does: -60 dB and below kills it. */
      if (band)
        x = x <= EQ_MIN_DB ? 0.0 : pow (10.0, x / 20.0);
      cc->table[v] = (float) x;
    }
}

static gboolean
parse_target (Reader *reader, const char *word, guint8 *target, GError **error)
{
  for (guint t = 0; t <= FZ_MIDI_TARGET_LAST; t++)
    if (g_strcmp0 (word, target_names[t]) == 0)
      {
        *target = (guint8) t;
        return TRUE;
      }
  return fail (reader, error, _("“%s” is not a controller’s target: write “%s”"),
               word != NULL ? word : "", CC_USAGE);
}

static gboolean
parse_cc (Reader *reader, char **words, GError **error)
{
  FzMidiCcMap cc = { 0 };
  guint i = 1, number;
  double min, max;

  if (reader->map->n_ccs == FZ_MIDI_MAP_MAX_CCS)
    return fail (reader, error, _("too many controllers: a map holds at most %u"),
                 FZ_MIDI_MAP_MAX_CCS);
  if (!parse_whole (reader, _("Controller"), words[i++], 127, &number, error) ||
      !parse_channel (reader, words, &i, &cc.channel, error) ||
      !parse_target (reader, words[i++], &cc.target, error))
    return FALSE;
  cc.number = (guint8) number;
  if (cc.target != FZ_MIDI_TARGET_VOLUME && cc.target != FZ_MIDI_TARGET_TEMPO &&
      !parse_slot (reader, words[i++], &cc.slot, error))
    return FALSE;
  min = target_ranges[cc.target].default_min;
  max = target_ranges[cc.target].default_max;
  if (g_strcmp0 (words[i], "range") == 0)
    {
      double low = target_ranges[cc.target].low, high = target_ranges[cc.target].high;

      i++;
      if (!parse_ranged (reader, _("Range"), words[i++], low, high, &min, error) ||
          !parse_ranged (reader, _("Range"), words[i++], low, high, &max, error))
        return FALSE;
    }
  if (too_many (reader, words, i, CC_USAGE, error))
    return FALSE;
  cc.min = (float) min;
  cc.max = (float) max;
  fill_cc_table (&cc);
  reader->map->ccs[reader->map->n_ccs++] = cc;
  return TRUE;
}

#define PROGRAM_USAGE "program P [channel C] bank B"

static gboolean
parse_program (Reader *reader, char **words, GError **error)
{
  FzMidiProgramMap program = { 0 };
  guint i = 1, number, bank;

  if (reader->map->n_programs == FZ_MIDI_MAP_MAX_PROGRAMS)
    return fail (reader, error, _("too many programs: a map holds at most %u"),
                 FZ_MIDI_MAP_MAX_PROGRAMS);
  if (!parse_whole (reader, _("Program"), words[i++], 127, &number, error) ||
      !parse_channel (reader, words, &i, &program.channel, error))
    return FALSE;
  if (g_strcmp0 (words[i], "bank") != 0)
    return fail (reader, error, _("a program selects a bank: write “%s”"), PROGRAM_USAGE);
  i++;
  if (!parse_whole (reader, _("Bank"), words[i++], reader->n_slots - 1, &bank, error) ||
      too_many (reader, words, i, PROGRAM_USAGE, error))
    return FALSE;
  program.program = (guint8) number;
  program.bank = bank;
  reader->map->programs[reader->map->n_programs++] = program;
  return TRUE;
}

static gboolean
parse_statement (Reader *reader, char **words, GError **error)
{
  const char *keyword = words[0];
  guint size;

  if (strcmp (keyword, "note") == 0)
    return parse_note (reader, words, error);
  if (strcmp (keyword, "cc") == 0)
    return parse_cc (reader, words, error);
  if (strcmp (keyword, "program") == 0)
    return parse_program (reader, words, error);
  if (strcmp (keyword, "bank-size") == 0)
    {
      if (!parse_whole (reader, _("Bank size"), words[1], reader->n_slots, &size, error) ||
          too_many (reader, words, 2, "bank-size N", error))
        return FALSE;
      reader->map->bank_size = size;
      return TRUE;
    }
  return fail (reader, error, _("unknown statement “%s”: a map has “note”, “cc”, “program” "
                                "and “bank-size” lines"), keyword);
}

/* Splits on blanks, without the comment. */
static char **
split_line (const char *line)
{
  g_autofree char *code = g_strndup (line, strcspn (line, "#"));
  g_auto (GStrv) parts = g_strsplit_set (g_strstrip (code), " \t\r", -1);
  GPtrArray *words = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_ptr_array_add (words, g_strdup (parts[i]));
  g_ptr_array_add (words, NULL);
  return (char **) g_ptr_array_free (words, FALSE);
}

FzMidiMap *
fz_midi_map_parse (const char *text, const char *name, guint n_slots, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  Reader reader = { .map = fz_midi_map_new (), .name = name, .n_slots = n_slots };
  gboolean has_header = FALSE;

  if (reader.map == NULL)
    g_error ("out of memory for a MIDI map");
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = split_line (lines[i]);
      gboolean ok;

      reader.line = i + 1;
      if (words[0] == NULL)
        continue;
      if (!has_header)
        {
          ok = strcmp (words[0], "flitzis-midi-map") == 0 && g_strcmp0 (words[1], "1") == 0 &&
               words[2] == NULL;
          if (!ok)
            fail (&reader, error, _("a MIDI map starts with “flitzis-midi-map 1”"));
          has_header = TRUE;
        }
      else
        ok = parse_statement (&reader, words, error);
      if (!ok)
        {
          fz_midi_map_free (reader.map);
          return NULL;
        }
    }
  if (!has_header)
    {
      reader.line = 1;
      fail (&reader, error, _("a MIDI map starts with “flitzis-midi-map 1”"));
      fz_midi_map_free (reader.map);
      return NULL;
    }
  fz_midi_map_index (reader.map);
  return reader.map;
}

/* ---- writing ---- */

/* The shortest decimal that reads back as the same float, in the C
 * locale's notation whatever the application's (g_ascii_formatd()). */
static void
append_float (GString *out, float value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 0; digits <= 9; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%df", digits);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if ((float) g_ascii_strtod (buffer, NULL) == value)
        break;
    }
  g_string_append_printf (out, " %s", buffer);
}

static void
append_channel (GString *out, guint8 channel)
{
  if (channel != FZ_MIDI_ANY_CHANNEL)
    g_string_append_printf (out, " channel %u", channel + 1u);
}

static void
print_note (GString *out, const FzMidiNoteMap *note)
{
  g_string_append_printf (out, "note %u", note->note);
  append_channel (out, note->channel);
  g_string_append_printf (out, " slot %u", note->slot);
  if (note->velocity == FZ_MIDI_VELOCITY_FIXED)
    g_string_append (out, " velocity fixed");
  else if (note->velocity == FZ_MIDI_VELOCITY_CURVE)
    g_string_append (out, " velocity curve");
  if (note->velocity != FZ_MIDI_VELOCITY_LINEAR)
    append_float (out, note->param);
  if (note->gate)
    g_string_append (out, " gate");
  g_string_append_c (out, '\n');
}

static void
print_cc (GString *out, const FzMidiCcMap *cc)
{
  g_string_append_printf (out, "cc %u", cc->number);
  append_channel (out, cc->channel);
  g_string_append_printf (out, " %s", target_names[cc->target]);
  if (cc->target != FZ_MIDI_TARGET_VOLUME && cc->target != FZ_MIDI_TARGET_TEMPO)
    g_string_append_printf (out, " %u", cc->slot);
  g_string_append (out, " range");
  append_float (out, cc->min);
  append_float (out, cc->max);
  g_string_append_c (out, '\n');
}

char *
fz_midi_map_print (const FzMidiMap *map)
{
  GString *out = g_string_new ("flitzis-midi-map 1\n");

  if (map->bank_size > 0)
    g_string_append_printf (out, "bank-size %u\n", map->bank_size);
  for (guint i = 0; i < map->n_notes; i++)
    print_note (out, &map->notes[i]);
  for (guint i = 0; i < map->n_ccs; i++)
    print_cc (out, &map->ccs[i]);
  for (guint i = 0; i < map->n_programs; i++)
    {
      g_string_append_printf (out, "program %u", map->programs[i].program);
      append_channel (out, map->programs[i].channel);
      g_string_append_printf (out, " bank %u\n", map->programs[i].bank);
    }
  return g_string_free (out, FALSE);
}
