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
 *
 * A file written while it is read (a recording still going, a copy in
 * progress, an editor saving in place) would load as whatever part of it
 * was there: the descriptor's size and modification time are taken when
 * it is opened and compared once it is read, and an uncompressed file
 * must deliver every frame its size implies.  A file that is merely short
 * of what its header promises (a header written before the audio, a
 * download cut short) is not changing: it loads what it holds, and the
 * caller is told both counts.
 */
#include "config.h"

#include <float.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "flitzis-engine-error.h"
#include "flitzis-i18n-private.h"
#include "fz-loader.h"
#include "fz-memlock.h"
#include "fz-resampler.h"

/* Frames converted per step when the file's channel count differs from
 * the stream's. */
#define FZ_LOADER_CHUNK_FRAMES 4096
/* A header's frame count is only believed up to this many frames per byte
 * of file (or one second, for tiny files): real compressed audio needs far
 * fewer, and a 40-byte file claiming billions of frames must not reserve
 * gigabytes.  Beyond it the buffer grows (doubling) as frames arrive. */
#define FZ_LOADER_FRAMES_PER_BYTE 64u

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

/* Opens @path for reading.  Only regular files are read: opening a FIFO
 * would wait for a writer (so it is opened without waiting), and a device
 * or socket never ends. */
static int
open_readable (const char *path, const char *display, GError **error)
{
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  int saved_errno = errno;
  int flags;

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
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _("Cannot load “%s”: it is not a regular file (a pipe, socket or device), "
                     "not an audio file"), display);
      g_close (fd, NULL);
      return -1;
    }
  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    (void) fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

static gboolean
check_format (const SF_INFO *info, const char *display, GError **error)
{
  if (info->samplerate < (int) FZ_FILE_RATE_MIN || info->samplerate > (int) FZ_FILE_RATE_MAX)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                   _("“%s” has a sample rate of %d Hz; playable files have %u to %u Hz"),
                   display, info->samplerate, FZ_FILE_RATE_MIN, FZ_FILE_RATE_MAX);
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

/* One file on its way into a sample. */
typedef struct {
  SNDFILE *file;
  uint32_t file_channels;
  FzSample *sample;
  size_t capacity;            /* frames sample->data has room for */
  size_t full_capacity;       /* frames the header promises, at the stream's rate */
  gboolean out_of_memory;     /* growing the buffer failed */
  size_t written;             /* frames in sample->data so far */
  uint64_t read;              /* frames read from the file so far, at its rate */
  uint64_t promised;          /* frames its header promises */
  const char *path;           /* for the test hook; NULL for PCM from memory */
  FzResampler *resampler;     /* NULL when the file is at the stream's rate */
  GCancellable *cancellable;
  float *raw;                 /* a chunk as read, file_channels per frame */
  float *mapped;              /* the same chunk in the stream's channels */
  gboolean sanitize;          /* float data: bound it (sanitize()) */
  /* The peak pyramid (core/fz-peaks.h), level 0 built block by block as
   * the frames arrive, while they are in the cache; NULL when memory was
   * short (the sample then has none). */
  FzPeaks *peaks;
  size_t peaks_capacity;      /* frames it has room for */
  size_t n_blocks;            /* blocks done: their frames are final */
  FzLoadProgressFunc progress;
  void *progress_data;
  uint64_t total;             /* source frames in all */
  FzLoadOptions options;      /* the resampler's quality, if one is needed; whether
                               * the sample's memory is locked as it is decoded into */
} FzDecode;

static void sanitize (float *data, size_t n);

/* Finishes the blocks of frames that are final (all, at the end: @last):
 * bounds float data, and makes each block's level-0 node. */
static void
finish_blocks (FzDecode *decode, gboolean last)
{
  uint32_t channels = decode->sample->channels;

  while ((decode->n_blocks + 1) * FZ_PEAKS_BLOCK <= decode->written ||
         (last && decode->n_blocks * FZ_PEAKS_BLOCK < decode->written))
    {
      size_t start = decode->n_blocks * FZ_PEAKS_BLOCK;
      size_t frames = MIN (FZ_PEAKS_BLOCK, decode->written - start);
      float *data = decode->sample->data + start * channels;

      if (decode->sanitize)
        sanitize (data, frames * channels);
      if (decode->peaks != NULL && start + frames > decode->peaks_capacity)
        {
          /* The buffer grew past what the header was believed for. */
          FzPeaks *larger = fz_peaks_reserve (decode->capacity, channels);

          if (larger != NULL)
            memcpy (fz_peaks_block_at (larger, 0), fz_peaks_block_at (decode->peaks, 0),
                    decode->n_blocks * 2 * channels * sizeof (float));
          fz_peaks_free (decode->peaks);
          decode->peaks = larger;
          decode->peaks_capacity = decode->capacity;
        }
      if (decode->peaks != NULL)
        fz_peaks_block (fz_peaks_block_at (decode->peaks, decode->n_blocks), data, channels,
                        frames);
      decode->n_blocks++;
    }
}

/* Faults in @sample's whole pages at once, writable, before the decoder
 * writes them: one call instead of a page fault for every 4 KiB it writes
 * (a fifth of the CPU time of a 60 s load, bench-core load).  With the
 * sample to be locked, mlock() does it, and locks it in the same pass
 * (locked after decoding, its pages were walked twice); otherwise, and
 * where the lock fails, madvise() from Linux 5.14 on.  Before that the
 * pages fault as they are written, as they did. */
static void
make_resident (FzDecode *decode, FzSample *sample)
{
#ifdef MADV_POPULATE_WRITE
  uintptr_t page = (uintptr_t) sysconf (_SC_PAGESIZE);
  uintptr_t start = ((uintptr_t) sample + page - 1) & ~(page - 1);
  uintptr_t end = ((uintptr_t) sample + fz_sample_block_size (sample)) & ~(page - 1);
#endif

  if (decode->options.lock_memory && fz_memlock_block (sample))
    return;
#ifdef MADV_POPULATE_WRITE
  if (end > start)
    (void) madvise ((void *) start, end - start, MADV_POPULATE_WRITE);
#endif
}

/* Makes room for @frames more frames, up to what the header promises, by
 * moving what was decoded into a larger sample.  False when it cannot grow
 * (the promise is reached, or memory is short: then out_of_memory). */
static gboolean
grow (FzDecode *decode, size_t frames)
{
  FzSample *larger;
  size_t capacity;

  if (decode->capacity - decode->written >= frames)
    return TRUE;
  if (decode->capacity == decode->full_capacity)
    return FALSE;
  capacity = decode->capacity > decode->full_capacity / 2 ? decode->full_capacity
             : MAX (2 * decode->capacity, decode->written + frames);
  capacity = MIN (capacity, decode->full_capacity);
  larger = fz_sample_new (capacity, decode->sample->channels, decode->sample->rate);
  if (larger == NULL)
    {
      decode->out_of_memory = TRUE;
      return FALSE;
    }
  make_resident (decode, larger);
  memcpy (larger->data, decode->sample->data,
          decode->written * decode->sample->channels * sizeof (float));
  fz_sample_unref (decode->sample);
  decode->sample = larger;
  decode->capacity = capacity;
  return TRUE;
}

/* Reads the next chunk, in the stream's channels, into *@frames: straight
 * into the sample when nothing is to be converted, else into a chunk
 * buffer.  Returns the frames read, 0 at the end or on a read error. */
static size_t
read_chunk (FzDecode *decode, float **frames)
{
  uint32_t channels = decode->sample->channels;
  gboolean mapping = decode->file_channels != channels;
  gboolean direct = !mapping && decode->resampler == NULL;
  float *target;
  size_t want;
  sf_count_t got;

  if (direct)
    grow (decode, FZ_LOADER_CHUNK_FRAMES);
  target = mapping ? decode->raw
                  : direct ? decode->sample->data + decode->written * channels
                  : decode->mapped;
  want = direct ? MIN (FZ_LOADER_CHUNK_FRAMES, decode->capacity - decode->written)
                : FZ_LOADER_CHUNK_FRAMES;
  got = want > 0 ? sf_readf_float (decode->file, target, (sf_count_t) want) : 0;

  if (got <= 0)
    return 0;
  decode->read += (uint64_t) got;
  if (mapping)
    fz_map_channels (decode->raw, decode->file_channels, decode->mapped, channels, (size_t) got);
  *frames = mapping ? decode->mapped : target;
  return (size_t) got;
}

/* Converts @frames frames at @in (NULL: the end, drain the converter)
 * into the sample.  FALSE on a conversion error. */
static gboolean
resample_into (FzDecode *decode, const float *in, size_t frames)
{
  uint32_t channels = decode->sample->channels;

  for (;;)
    {
      size_t used, room;
      long n;

      grow (decode, FZ_LOADER_CHUNK_FRAMES);
      room = decode->capacity - decode->written;
      /* Full: what the header promised is there.  libsoxr is not asked
       * for zero frames at the buffer's end (it reads there). */
      if (room == 0)
        return TRUE;
      n = fz_resampler_process (decode->resampler, in, frames, &used,
                                     decode->sample->data + decode->written * channels, room);

      if (n < 0)
        return FALSE;
      decode->written += (size_t) n;
      if (in != NULL)
        {
          in += used * channels;
          frames -= used;
        }
      /* Done when all input is taken (or, draining, nothing more comes),
       * or when the buffer is full: its size bounds the exact length. */
      if ((in != NULL ? frames == 0 : n == 0) || (n == 0 && used == 0) ||
          ((size_t) n == room && (decode->capacity == decode->full_capacity ||
                                  decode->out_of_memory)))
        return TRUE;
    }
}

static gboolean
put_frames (FzDecode *decode, float *frames, size_t n)
{
  uint32_t channels = decode->sample->channels;
  float *next = decode->sample->data + decode->written * channels;

  if (decode->resampler != NULL)
    return resample_into (decode, frames, n);
  grow (decode, n);
  n = MIN (n, decode->capacity - decode->written);
  if (frames != next)
    memcpy (next, frames, n * channels * sizeof (float));
  decode->written += n;
  return TRUE;
}

static FzLoaderHook test_hook;
static void *test_hook_data;

void
fz_loader_set_test_hook (FzLoaderHook hook, void *data)
{
  test_hook_data = data;
  g_atomic_pointer_set (&test_hook, hook);
}

static void
call_test_hook (const char *path, FzLoaderHookPoint point, uint64_t frames_read)
{
  FzLoaderHook hook = g_atomic_pointer_get (&test_hook);

  if (G_UNLIKELY (hook != NULL) && path != NULL)
    hook (path, point, frames_read, test_hook_data);
}

/* Decodes the whole file, chunk by chunk, straight into the sample. */
static gboolean
decode_all (FzDecode *decode, const char *display, GError **error)
{
  float *frames = NULL;
  gboolean readable;
  size_t got;

  while ((got = read_chunk (decode, &frames)) > 0)
    {
      call_test_hook (decode->path, FZ_LOADER_HOOK_CHUNK, decode->read);
      if (g_cancellable_set_error_if_cancelled (decode->cancellable, error))
        return FALSE;
      if (!put_frames (decode, frames, got))
        break;
      finish_blocks (decode, FALSE);
      if (decode->progress != NULL)
        decode->progress (MIN (decode->read, decode->total), decode->total,
                          decode->progress_data);
    }
  /* A compressed stream cut short ends in a decoding error where its
   * header promised more: what came before it loads (the caller is told
   * both counts), unless the file changed meanwhile (checked after). */
  readable = sf_error (decode->file) == SF_ERR_NO_ERROR ||
             (decode->read > 0 && decode->read < decode->promised);
  if (decode->resampler != NULL && readable)
    resample_into (decode, NULL, 0);
  finish_blocks (decode, TRUE);
  if (decode->out_of_memory)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                   _("Cannot decode “%s”: %s"), display, g_strerror (ENOMEM));
      return FALSE;
    }
  if (decode->written > 0 && readable)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
               _("Cannot decode “%s”: %s"), display,
               decode->written == 0 ? _("no audio frames could be read")
                                    : sf_strerror (decode->file));
  return FALSE;
}

/* Float files may hold NaN, infinities or huge values: the mixer must only
 * ever see finite values of bounded size.  Comparisons and selects rather
 * than isfinite(), fminf() and fmaxf(): at -O2 those two are calls into
 * libm for every sample, which made a load several times slower than the
 * decoding itself. */
static void
sanitize (float *data, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float x = data[i];

      x = fabsf (x) <= FLT_MAX ? x : 0.0f;      /* NaN and infinities: 0 */
      x = x > FZ_SAMPLE_PEAK_MAX ? FZ_SAMPLE_PEAK_MAX : x;
      data[i] = x < -FZ_SAMPLE_PEAK_MAX ? -FZ_SAMPLE_PEAK_MAX : x;
    }
}

/* Integer PCM comes out of libsndfile in [-1, 1], and resampling or
 * folding channels keeps it far inside the bounds: no pass over it. */
static gboolean
needs_sanitize (const SF_INFO *info)
{
  switch (info->format & SF_FORMAT_SUBMASK)
    {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW:
      return FALSE;
    default:
      return TRUE;
    }
}

static gboolean
set_too_long_error (const SF_INFO *info, const char *display, GError **error)
{
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
               g_dngettext (GETTEXT_PACKAGE,
                            "“%s” is too long to hold in memory (%llu frame)",
                            "“%s” is too long to hold in memory (%llu frames)",
                            (gulong) MIN ((guint64) info->frames, G_MAXULONG)),
               display, (unsigned long long) info->frames);
  return FALSE;
}

/* Sets up @decode for @file of @file_bytes bytes: the sample buffer at
 * its final size (as far as the header is believed), the converter, the
 * chunk buffers. */
static gboolean
begin_decode (FzDecode *decode, SNDFILE *file, const SF_INFO *info, uint64_t file_bytes,
              const char *display, uint32_t rate, uint32_t channels, GError **error)
{
  gboolean same_rate = (uint32_t) info->samplerate == rate;
  uint64_t believed = MAX ((uint64_t) info->samplerate,
                           MIN (file_bytes, G_MAXUINT64 / FZ_LOADER_FRAMES_PER_BYTE)
                           * FZ_LOADER_FRAMES_PER_BYTE);

  believed = MIN (believed, (uint64_t) info->frames);
  decode->file = file;
  decode->promised = (uint64_t) info->frames;
  decode->file_channels = (uint32_t) info->channels;
  decode->full_capacity = same_rate ? (size_t) info->frames
                                    : fz_resampler_max_output ((uint32_t) info->samplerate, rate,
                                                               (uint64_t) info->frames);
  decode->capacity = same_rate ? (size_t) believed
                               : fz_resampler_max_output ((uint32_t) info->samplerate, rate,
                                                          believed);
  decode->capacity = MIN (decode->capacity, decode->full_capacity);
  decode->sample = fz_sample_new (decode->capacity, channels, rate);
  if (decode->sample == NULL)
    return set_too_long_error (info, display, error);
  make_resident (decode, decode->sample);
  if (!same_rate)
    decode->resampler = fz_resampler_new ((uint32_t) info->samplerate, rate, channels,
                                          decode->options.quality);
  if (!same_rate && decode->resampler == NULL)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                   _("Cannot convert “%s” from %d Hz to %u Hz"), display, info->samplerate, rate);
      return FALSE;
    }
  /* The pyramid's room at once, for the frames the buffer has room for:
   * growing it as the frames came left glibc's heap fragmented between
   * loads (a third slower). */
  decode->peaks = fz_peaks_reserve (decode->capacity, channels);
  decode->peaks_capacity = decode->capacity;
  decode->raw = g_new (float, (gsize) FZ_LOADER_CHUNK_FRAMES * decode->file_channels);
  decode->mapped = g_new (float, (gsize) FZ_LOADER_CHUNK_FRAMES * channels);
  return TRUE;
}

static void
end_decode (FzDecode *decode)
{
  fz_resampler_free (decode->resampler);
  g_free (decode->raw);
  g_free (decode->mapped);
}

/* Where a decoded sample goes, and who is told how far it is. */
typedef struct {
  uint32_t rate;
  uint32_t channels;
  FzLoadOptions options;
  GCancellable *cancellable;
  FzLoadProgressFunc progress;
  void *progress_data;
  const char *path;           /* for the test hook; NULL for PCM from memory */
} FzTarget;

/* NULL: fz_load_sample()'s way. */
static FzLoadOptions
options_or_default (const FzLoadOptions *options)
{
  return options != NULL ? *options : (FzLoadOptions) { FZ_RESAMPLE_HIGH, FALSE };
}

static FzSample *
decode (SNDFILE *file, const SF_INFO *info, uint64_t file_bytes, const char *display,
        const FzTarget *target, uint64_t *delivered, GError **error)
{
  uint32_t rate = target->rate, channels = target->channels;
  FzDecode decode = {
    .cancellable = target->cancellable, .sanitize = needs_sanitize (info),
    .progress = target->progress, .progress_data = target->progress_data,
    .total = (uint64_t) info->frames, .path = target->path, .options = target->options,
  };
  gboolean ok;

  ok = begin_decode (&decode, file, info, file_bytes, display, rate, channels, error) &&
       decode_all (&decode, display, error);
  end_decode (&decode);
  if (delivered != NULL)
    *delivered = decode.read;
  if (!ok)
    {
      fz_peaks_free (decode.peaks);
      fz_sample_unref (decode.sample);
      return NULL;
    }
  /* A header may promise more frames than the stream delivers (some
   * compressed formats): keep what was decoded, without reallocating.
   * Float data was bounded block by block (finish_blocks()).  Without
   * memory for the pyramid the sample has none: meters and waveforms
   * read its frames instead. */
  decode.sample->frames = decode.written;
  decode.sample->peaks = decode.peaks != NULL ? fz_peaks_finish (decode.peaks, decode.written)
                                              : NULL;
  return decode.sample;
}

/* Bytes per frame of an uncompressed file, whose size implies its frame
 * count; 0 for compressed ones. */
static guint
bytes_per_frame (const SF_INFO *info)
{
  static const struct { int subtype; guint bytes; } sizes[] = {
    { SF_FORMAT_PCM_S8, 1 }, { SF_FORMAT_PCM_U8, 1 }, { SF_FORMAT_PCM_16, 2 },
    { SF_FORMAT_PCM_24, 3 }, { SF_FORMAT_PCM_32, 4 }, { SF_FORMAT_FLOAT, 4 },
    { SF_FORMAT_DOUBLE, 8 }, { SF_FORMAT_ULAW, 1 }, { SF_FORMAT_ALAW, 1 },
  };
  int type = info->format & SF_FORMAT_TYPEMASK;

  if (type != SF_FORMAT_WAV && type != SF_FORMAT_WAVEX && type != SF_FORMAT_AIFF &&
      type != SF_FORMAT_AU && type != SF_FORMAT_W64 && type != SF_FORMAT_RF64 &&
      type != SF_FORMAT_CAF)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    if ((info->format & SF_FORMAT_SUBMASK) == sizes[i].subtype)
      return sizes[i].bytes * (guint) info->channels;
  return 0;
}

/* The frames the header promises.  libsndfile gives a WAV or AIFF file's
 * audio chunk as long as the file holds, whatever its header says; what it
 * said is in libsndfile's log ("data : 8000 (should be 4000)"). */
static uint64_t
frames_promised (SNDFILE *file, const SF_INFO *info)
{
  char log[4096] = "";
  guint frame_bytes = bytes_per_frame (info);
  g_auto (GStrv) lines = NULL;
  uint64_t promised = (uint64_t) info->frames;

  if (frame_bytes == 0)
    return promised;
  sf_command (file, SFC_GET_LOG_INFO, log, sizeof log);
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if ((g_str_has_prefix (lines[i], "data : ") || g_str_has_prefix (lines[i], "SSND : ")) &&
        strstr (lines[i], "(should be") != NULL)
      promised = MAX (promised, g_ascii_strtoull (lines[i] + 7, NULL, 10) / frame_bytes);
  return promised;
}

/* Once read: whether the file stayed as it was when opened (@before). */
static gboolean
check_unchanged (int fd, const struct stat *before, const SF_INFO *info, uint64_t delivered,
                 const char *display, GError **error)
{
  struct stat now;
  g_autofree char *why = NULL;

  if (fstat (fd, &now) != 0)
    why = g_strdup (g_strerror (errno));
  else if (now.st_size != before->st_size)
    why = g_strdup_printf (_("its size went from %llu to %llu bytes"),
                           (unsigned long long) before->st_size,
                           (unsigned long long) now.st_size);
  else if (now.st_mtim.tv_sec != before->st_mtim.tv_sec ||
           now.st_mtim.tv_nsec != before->st_mtim.tv_nsec)
    why = g_strdup (_("it was modified"));
  else if (bytes_per_frame (info) > 0 && delivered < (uint64_t) info->frames)
    why = g_strdup_printf (_("%llu of the %llu frames its size implies could be read"),
                           (unsigned long long) delivered, (unsigned long long) info->frames);
  if (why == NULL)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_FILE_CHANGED,
               _("“%s” changed while it was being read (%s); nothing was loaded: load it "
                 "again once it is complete"), display, why);
  return FALSE;
}

FzSample *
fz_load_sample_full (const char *path, uint32_t rate, uint32_t channels,
                     GCancellable *cancellable, FzSampleFormat *original, uint64_t *delivered,
                     GError **error)
{
  return fz_load_sample_progress (path, rate, channels, NULL, cancellable, NULL, NULL, original,
                                  delivered, error);
}

FzSample *
fz_load_sample_progress (const char *path, uint32_t rate, uint32_t channels,
                         const FzLoadOptions *options, GCancellable *cancellable,
                         FzLoadProgressFunc progress, void *progress_data,
                         FzSampleFormat *original, uint64_t *delivered, GError **error)
{
  FzTarget target = { rate, channels, options_or_default (options), cancellable, progress,
                      progress_data, path };
  g_autofree char *display = g_filename_display_name (path);
  SF_INFO info = { 0 };
  SNDFILE *file;
  FzSample *sample = NULL;
  struct stat before;
  uint64_t read = 0;
  int fd, sf_fd;

  _flitzis_init_i18n ();
  fd = open_readable (path, display, error);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &before) != 0)
    memset (&before, 0, sizeof before);
  /* libsndfile gets a descriptor of its own, which sf_close() closes:
   * when it cannot open a file it closes the descriptor it was given,
   * whatever close_desc says (libsndfile 1.2.0), and our own close after
   * that closed whatever another loading thread had opened under the same
   * number meanwhile (a bank's file then failed as "not a regular file").
   * Ours stays ours, for the checks after the read. */
  sf_fd = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  if (sf_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot open “%s”: %s"), display, g_strerror (saved_errno));
      g_close (fd, NULL);
      return NULL;
    }
  file = sf_open_fd (sf_fd, SFM_READ, &info, SF_TRUE);
  if (file == NULL)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                   _("“%s” is not an audio file libflitzis can read (%s); readable are "
                     "WAV, AIFF, FLAC, Ogg Vorbis, Opus, MP3 and the other formats of libsndfile"),
                   display, sf_strerror (NULL));
      g_close (fd, NULL);
      return NULL;
    }
  if (check_format (&info, display, error))
    sample = decode (file, &info, (uint64_t) before.st_size, display, &target, &read, error);
  if (sample != NULL)
    call_test_hook (path, FZ_LOADER_HOOK_END, read);
  if (sample != NULL && !check_unchanged (fd, &before, &info, read, display, error))
    g_clear_pointer (&sample, fz_sample_unref);
  if (sample != NULL && original != NULL)
    *original = (FzSampleFormat) {
      .frames = frames_promised (file, &info), .channels = (uint32_t) info.channels,
      .rate = (uint32_t) info.samplerate,
    };
  if (sample != NULL && delivered != NULL)
    *delivered = read;
  sf_close (file);
  g_close (fd, NULL);
  return sample;
}

FzSample *
fz_load_sample (const char *path, uint32_t rate, uint32_t channels, GError **error)
{
  return fz_load_sample_full (path, rate, channels, NULL, NULL, NULL, error);
}

/* ---- PCM from memory, through libsndfile's virtual I/O ---- */

/* A read-only file in memory. */
typedef struct {
  const guint8 *data;
  sf_count_t size;
  sf_count_t position;
} FzMemoryFile;

static sf_count_t
memory_length (void *user_data)
{
  return ((FzMemoryFile *) user_data)->size;
}

static sf_count_t
memory_seek (sf_count_t offset, int whence, void *user_data)
{
  FzMemoryFile *file = user_data;
  sf_count_t base = whence == SEEK_CUR ? file->position : whence == SEEK_END ? file->size : 0;

  if (base + offset < 0 || base + offset > file->size)
    return -1;
  file->position = base + offset;
  return file->position;
}

static sf_count_t
memory_read (void *ptr, sf_count_t count, void *user_data)
{
  FzMemoryFile *file = user_data;
  sf_count_t n = MIN (count, file->size - file->position);

  memcpy (ptr, file->data + file->position, (size_t) n);
  file->position += n;
  return n;
}

static sf_count_t
memory_write (const void *ptr, sf_count_t count, void *user_data)
{
  (void) ptr;
  (void) count;
  (void) user_data;
  return 0;
}

static sf_count_t
memory_tell (void *user_data)
{
  return ((FzMemoryFile *) user_data)->position;
}

gboolean
fz_check_pcm (gsize size, uint32_t pcm_rate, uint32_t pcm_channels, GError **error)
{
  _flitzis_init_i18n ();
  if (pcm_channels == 0 || pcm_channels > FZ_PCM_CHANNELS_MAX)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("PCM with %u channels cannot be loaded; PCM has 1 to %u channels"),
                   pcm_channels, FZ_PCM_CHANNELS_MAX);
      return FALSE;
    }
  if (pcm_rate < FZ_FILE_RATE_MIN || pcm_rate > FZ_FILE_RATE_MAX)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("PCM at %u Hz cannot be loaded; PCM has a rate of %u to %u Hz"),
                   pcm_rate, FZ_FILE_RATE_MIN, FZ_FILE_RATE_MAX);
      return FALSE;
    }
  if (size == 0 || size % ((gsize) pcm_channels * sizeof (float)) != 0)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("%" G_GSIZE_FORMAT " bytes are not a whole number of frames; PCM of %u "
                     "float32 channels is one or more frames of %" G_GSIZE_FORMAT " bytes"),
                   size, pcm_channels, (gsize) pcm_channels * sizeof (float));
      return FALSE;
    }
  return TRUE;
}

FzSample *
fz_load_pcm (GBytes *pcm, uint32_t pcm_rate, uint32_t pcm_channels, const char *display,
             uint32_t rate, uint32_t channels, const FzLoadOptions *options,
             GCancellable *cancellable, FzLoadProgressFunc progress, void *progress_data,
             GError **error)
{
  SF_VIRTUAL_IO io = { memory_length, memory_seek, memory_read, memory_write, memory_tell };
  FzTarget target = { rate, channels, options_or_default (options), cancellable, progress,
                      progress_data, NULL };
  gsize size = 0;
  FzMemoryFile file = { g_bytes_get_data (pcm, &size), 0, 0 };
  SF_INFO info = {
    .samplerate = (int) pcm_rate, .channels = (int) pcm_channels,
    .format = SF_FORMAT_RAW | SF_FORMAT_FLOAT | SF_ENDIAN_CPU,
  };
  SNDFILE *sndfile;
  FzSample *sample = NULL;

  if (!fz_check_pcm (size, pcm_rate, pcm_channels, error))
    return NULL;
  file.size = (sf_count_t) size;
  sndfile = sf_open_virtual (&io, SFM_READ, &info, &file);
  if (sndfile == NULL)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_UNSUPPORTED_FORMAT,
                   _("Cannot decode %s: %s"), display, sf_strerror (NULL));
      return NULL;
    }
  if (check_format (&info, display, error))
    sample = decode (sndfile, &info, size, display, &target, NULL, error);
  sf_close (sndfile);
  return sample;
}
