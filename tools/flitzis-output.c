/* flitzis-output.c: the sound files "flitzis render" writes
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The file's extension names its format (.wav, .flac, .ogg, .opus,
 * .aiff, .rf64); --format may name it too, and its sample encoding.  A
 * name whose extension the tool cannot write is refused before anything
 * is rendered: the tool never writes a WAV under another format's name.
 *
 * A .wav is written through libsndfile's RF64 writer with its automatic
 * downgrade: a plain RIFF/WAVE file (WAVE_FORMAT_EXTENSIBLE) while it
 * stays below 4 GiB, an RF64 file (EBU Tech 3306, 64-bit sizes) beyond,
 * because a RIFF header's 32-bit sizes would wrap there and lie about the
 * length.  Main thread.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include <gio/gio.h>

#include "flitzis-output.h"

typedef struct {
  const char *type;
  const char *extensions[3];
  int major;
  int default_subtype;           /* 0: the codec is the subtype, none can be chosen */
  gboolean downgrade;
} OutputType;

/* Float where the format holds it (WAV and RF64, as before); 24-bit for
 * FLAC, which holds no float, and for AIFF, whose float variant is AIFF-C. */
static const OutputType types[] = {
  { "wav", { "wav", "wave" }, SF_FORMAT_RF64, SF_FORMAT_FLOAT, TRUE },
  { "rf64", { "rf64" }, SF_FORMAT_RF64, SF_FORMAT_FLOAT, FALSE },
  { "flac", { "flac" }, SF_FORMAT_FLAC, SF_FORMAT_PCM_24, FALSE },
  { "ogg", { "ogg", "oga" }, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0, FALSE },
  { "opus", { "opus" }, SF_FORMAT_OGG | SF_FORMAT_OPUS, 0, FALSE },
  { "aiff", { "aiff", "aif" }, SF_FORMAT_AIFF, SF_FORMAT_PCM_24, FALSE },
};

static const struct { const char *name; int subtype; } encodings[] = {
  { "float", SF_FORMAT_FLOAT },
  { "s16", SF_FORMAT_PCM_16 },
  { "s24", SF_FORMAT_PCM_24 },
};

/* Opus codes only these rates; libsndfile would fail at open. */
static const int opus_rates[] = { 8000, 12000, 16000, 24000, 48000 };

static const OutputType *
find_type (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_ascii_strcasecmp (types[i].type, name) == 0)
      return &types[i];
  return NULL;
}

static const OutputType *
type_of_extension (const char *extension)
{
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    for (guint j = 0; j < G_N_ELEMENTS (types[i].extensions) && types[i].extensions[j]; j++)
      if (g_ascii_strcasecmp (types[i].extensions[j], extension) == 0)
        return &types[i];
  return NULL;
}

static int
find_encoding (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (encodings); i++)
    if (g_ascii_strcasecmp (encodings[i].name, name) == 0)
      return encodings[i].subtype;
  return 0;
}

/* The extension of @path's last component, or NULL. */
static const char *
extension_of (const char *path)
{
  const char *base = strrchr (path, '/');
  const char *dot = strrchr (base != NULL ? base + 1 : path, '.');

  return dot != NULL && dot[1] != '\0' ? dot + 1 : NULL;
}

/* "--format" is a type (wav, flac, …), an encoding (float, s16, s24) or
 * both, separated by a comma: "flac,s16". */
static gboolean
parse_format (const char *format, const OutputType **type, int *subtype, GError **error)
{
  g_auto (GStrv) words = g_strsplit (format != NULL ? format : "", ",", -1);

  for (guint i = 0; format != NULL && words[i] != NULL; i++)
    {
      const OutputType *named = find_type (words[i]);
      int encoding = find_encoding (words[i]);

      if ((named == NULL && encoding == 0) || (named != NULL && *type != NULL) ||
          (encoding != 0 && *subtype != 0))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” is not a format: use wav, flac, ogg, opus, aiff or rf64, "
                         "float, s16 or s24, or a type and an encoding such as flac,s16"),
                       format);
          return FALSE;
        }
      if (named != NULL)
        *type = named;
      else
        *subtype = encoding;
    }
  return TRUE;
}

static gboolean
type_from_path (const char *path, const OutputType *chosen, const OutputType **type,
                GError **error)
{
  const char *extension = extension_of (path);
  const OutputType *named = extension != NULL ? type_of_extension (extension) : NULL;

  if (extension != NULL && named == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("cannot write “.%s” files: name the file .wav, .flac, .ogg, .opus, "
                     ".aiff or .rf64"), extension);
      return FALSE;
    }
  if (named != NULL && chosen != NULL && named != chosen)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” names a %s file, but --format asks for %s"), path, named->type,
                   chosen->type);
      return FALSE;
    }
  *type = chosen != NULL ? chosen : named;
  if (*type == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” has no extension: name it .wav, .flac, .ogg, .opus, .aiff or "
                     ".rf64, or give --format"), path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_opus_rate (int rate, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (opus_rates); i++)
    if (rate == opus_rates[i])
      return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("Opus holds only 8000, 12000, 16000, 24000 or 48000 Hz, not %d Hz"), rate);
  return FALSE;
}

/* Chooses the format of @path from its extension and @format (which may be
 * %NULL).  Fails, with a message for a usage error, when the name or the
 * option asks for what cannot be written. */
gboolean
tool_output_choose (const char *path, const char *format, int rate, int channels,
                    ToolOutput *output, GError **error)
{
  const OutputType *chosen = NULL, *type;
  int subtype = 0;
  SF_INFO info = { .samplerate = rate, .channels = channels };

  if (!parse_format (format, &chosen, &subtype, error) ||
      !type_from_path (path, chosen, &type, error))
    return FALSE;
  if (subtype != 0 && type->default_subtype == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s files are compressed: they take no sample encoding"), type->type);
      return FALSE;
    }
  if (subtype == SF_FORMAT_FLOAT && type->major == SF_FORMAT_FLAC)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("flac files hold no float samples: use s16 or s24"));
      return FALSE;
    }
  if (type->major == (SF_FORMAT_OGG | SF_FORMAT_OPUS) && !check_opus_rate (rate, error))
    return FALSE;
  info.format = type->major | (subtype != 0 ? subtype : type->default_subtype);
  if (!sf_format_check (&info))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   g_dngettext (GETTEXT_PACKAGE, "%s files cannot hold %d channel at %d Hz",
                                "%s files cannot hold %d channels at %d Hz",
                                (gulong) channels),
                   type->type, channels, rate);
      return FALSE;
    }
  *output = (ToolOutput) { type->type, info.format, type->downgrade };
  return TRUE;
}

/* What every file the tool writes gets before its first frame: the RF64
 * downgrade (which libsndfile takes only before data), and clipping. */
gboolean
tool_output_prepare (SNDFILE *file, const ToolOutput *output, GError **error)
{
  if (output->downgrade &&
      sf_command (file, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE) != SF_TRUE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("libsndfile cannot write WAV files that grow beyond 4 GiB as RF64"));
      return FALSE;
    }
  /* Integer formats clip what lies beyond full scale instead of wrapping. */
  sf_command (file, SFC_SET_CLIPPING, NULL, SF_TRUE);
  return TRUE;
}

SNDFILE *
tool_output_open (const char *path, const ToolOutput *output, int rate, int channels,
                  GError **error)
{
  SF_INFO info = { .samplerate = rate, .channels = channels, .format = output->format };
  SNDFILE *file = sf_open (path, SFM_WRITE, &info);

  if (file == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write “%s”: %s"), path,
                   sf_strerror (NULL));
      return NULL;
    }
  if (!tool_output_prepare (file, output, error))
    {
      sf_close (file);
      return NULL;
    }
  return file;
}
