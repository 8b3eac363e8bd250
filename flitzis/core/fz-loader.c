/* fz-loader.c: decoding audio files into samples, see fz-loader.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs in the calling (control) thread.  The file is opened here rather
 * than by libsndfile so that a missing or unreadable file gets the matching
 * GIOErrorEnum code; libsndfile then decodes from the descriptor.  The
 * decoded buffer is allocated once, at its final size, from the frame count
 * in the header.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "flitzis-engine-error.h"
#include "flitzis-private.h"
#include "fz-loader.h"

/* Frames converted per step when the file's channel count differs from
 * the stream's. */
#define FZ_LOADER_CHUNK_FRAMES 4096

void
fz_map_channels (const float *in, uint32_t in_channels,
                 float *out, uint32_t out_channels, size_t frames)
{
  for (size_t f = 0; f < frames; f++, in += in_channels, out += out_channels)
    for (uint32_t c = 0; c < out_channels; c++)
      {
        float sum = 0.0f;
        uint32_t n = 0;

        if (in_channels == 1)
          {
            out[c] = in[0];
            continue;
          }
        for (uint32_t k = c; k < in_channels; k += out_channels, n++)
          sum += in[k];
        out[c] = n > 0 ? sum / (float) n : 0.0f;
      }
}

static int
open_readable (const char *path, const char *display, GError **error)
{
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved_errno = errno;

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot open “%s”: %s"), display, g_strerror (saved_errno));
      return -1;
    }
  if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("Cannot load “%s”: it is a directory, not an audio file"), display);
      g_close (fd, NULL);
      return -1;
    }
  return fd;
}

static gboolean
check_format (const SF_INFO *info, const char *display, uint32_t rate, GError **error)
{
  if (info->samplerate <= 0 || (uint32_t) info->samplerate != rate)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                   _("“%s” has a sample rate of %d Hz, but the stream runs at %u Hz; "
                     "files must match the stream’s rate (resampling is not supported yet)"),
                   display, info->samplerate, rate);
      return FALSE;
    }
  if (info->channels <= 0 || info->frames <= 0 || info->frames == SF_COUNT_MAX)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                   _("“%s” holds no audio frames of known length; "
                     "a sample must hold at least one frame"), display);
      return FALSE;
    }
  return TRUE;
}

/* Reads up to sample->frames frames, converting channels in chunks when
 * the layouts differ.  Returns the number of frames read. */
static size_t
decode_frames (SNDFILE *file, uint32_t file_channels, FzSample *sample)
{
  g_autofree float *chunk = NULL;
  size_t done = 0;

  if (file_channels == sample->channels)
    {
      while (done < sample->frames)
        {
          sf_count_t got = sf_readf_float (file, sample->data + done * sample->channels,
                                           (sf_count_t) (sample->frames - done));
          if (got <= 0)
            break;
          done += (size_t) got;
        }
      return done;
    }

  chunk = g_new (float, (gsize) FZ_LOADER_CHUNK_FRAMES * file_channels);
  while (done < sample->frames)
    {
      size_t want = MIN (sample->frames - done, FZ_LOADER_CHUNK_FRAMES);
      sf_count_t got = sf_readf_float (file, chunk, (sf_count_t) want);

      if (got <= 0)
        break;
      fz_map_channels (chunk, file_channels, sample->data + done * sample->channels,
                       sample->channels, (size_t) got);
      done += (size_t) got;
    }
  return done;
}

/* Float files may hold NaN, infinities or huge values: the mixer must only
 * ever see finite values of bounded size. */
static void
sanitize (float *data, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float x = data[i];

      if (!isfinite (x))
        x = 0.0f;
      data[i] = fminf (fmaxf (x, -FZ_SAMPLE_PEAK_MAX), FZ_SAMPLE_PEAK_MAX);
    }
}

static FzSample *
decode (SNDFILE *file, const SF_INFO *info, const char *display,
        uint32_t rate, uint32_t channels, GError **error)
{
  FzSample *sample = fz_sample_new ((size_t) info->frames, channels, rate);
  size_t frames;

  if (sample == NULL)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "“%s” is too long to hold in memory (%llu frame)",
                                "“%s” is too long to hold in memory (%llu frames)",
                                (gulong) MIN ((guint64) info->frames, G_MAXULONG)),
                   display, (unsigned long long) info->frames);
      return NULL;
    }
  frames = decode_frames (file, (uint32_t) info->channels, sample);
  if (frames == 0 || sf_error (file) != SF_ERR_NO_ERROR)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                   _("Cannot decode “%s”: %s"), display,
                   frames == 0 ? _("no audio frames could be read") : sf_strerror (file));
      fz_sample_unref (sample);
      return NULL;
    }
  /* A header may promise more frames than the stream delivers (some
   * compressed formats): keep what was decoded, without reallocating. */
  sample->frames = frames;
  sanitize (sample->data, frames * channels);
  return sample;
}

FzSample *
fz_load_sample (const char *path, uint32_t rate, uint32_t channels, GError **error)
{
  g_autofree char *display = g_filename_display_name (path);
  SF_INFO info = { 0 };
  SNDFILE *file;
  FzSample *sample = NULL;
  int fd;

  flitzis_init_i18n ();
  fd = open_readable (path, display, error);
  if (fd < 0)
    return NULL;
  /* The descriptor stays ours, whether libsndfile succeeds or not. */
  file = sf_open_fd (fd, SFM_READ, &info, SF_FALSE);
  if (file == NULL)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                   _("“%s” is not an audio file libflitzis can read (%s); readable are "
                     "WAV, AIFF, FLAC, Ogg Vorbis, Opus, MP3 and the other formats of libsndfile"),
                   display, sf_strerror (NULL));
      g_close (fd, NULL);
      return NULL;
    }
  if (check_format (&info, display, rate, error))
    sample = decode (file, &info, display, rate, channels, error);
  sf_close (file);
  g_close (fd, NULL);
  return sample;
}
