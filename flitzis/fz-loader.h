/* fz-loader.h: decoding audio files into samples
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs in the calling (control) thread, never on the audio thread.
 */
#pragma once

#include <gio/gio.h>

#include "core/fz-sample.h"
#include "fz-resampler.h"

/* Largest magnitude a decoded sample value may have (about +18 dBFS):
 * float files may hold anything, but 32 voices of such values still sum to
 * something finite. */
#define FZ_SAMPLE_PEAK_MAX 8.0f

/* Sample rates a file may have. */
#define FZ_FILE_RATE_MIN 1000u
#define FZ_FILE_RATE_MAX 768000u

/* Channel counts a file or PCM may have (libsndfile's own limit). */
#define FZ_PCM_CHANNELS_MAX 1024u

/* Called on the loading thread after each chunk: @done of the source's
 * @total frames (at its own rate) are decoded.  Non-decreasing. */
typedef void (*FzLoadProgressFunc) (uint64_t done, uint64_t total, void *data);

/* How a load decodes: a file of another rate converted with @quality;
 * with @lock_memory, the sample's block locked in RAM (fz-memlock.h)
 * before it is decoded into, which faults its pages in with the one
 * call that locks them (fz_memlock_sample() then locks only its peak
 * pyramid); without, or where the lock fails, its pages are faulted in
 * at once all the same (madvise()). */
typedef struct {
  FzResampleQuality quality;
  gboolean lock_memory;
} FzLoadOptions;

/* Decodes @path into a new sample laid out as @channels interleaved
 * channels at @rate Hz, resampling when the file has another rate.  On
 * failure returns NULL and sets @error. */
FzSample *fz_load_sample (const char *path, uint32_t rate, uint32_t channels,
                          GError **error);
/* The same, stopping with G_IO_ERROR_CANCELLED once @cancellable (may be
 * NULL) is cancelled, and telling the file's own format in @original
 * (frames: as many as its header promises) and the frames it delivered,
 * at its own rate, in @delivered (fewer when it is short of its header's
 * promise; may be NULL).  A file that changed while it was read (its
 * size or modification time, or fewer frames than its size implies) fails
 * with FLITZIS_ENGINE_ERROR_FILE_CHANGED. */
FzSample *fz_load_sample_full (const char *path, uint32_t rate, uint32_t channels,
                               GCancellable *cancellable, FzSampleFormat *original,
                               uint64_t *delivered, GError **error);
/* The same with @progress (may be NULL) told after each chunk, and
 * @options (NULL: as fz_load_sample() and fz_load_sample_full() load,
 * FZ_RESAMPLE_HIGH, not locked). */
FzSample *fz_load_sample_progress (const char *path, uint32_t rate, uint32_t channels,
                                   const FzLoadOptions *options, GCancellable *cancellable,
                                   FzLoadProgressFunc progress,
                                   void *progress_data, FzSampleFormat *original,
                                   uint64_t *delivered, GError **error);
/* Checks PCM for fz_load_pcm(): @size bytes of float32 interleaved frames
 * of @pcm_channels channels at @pcm_rate Hz.  FALSE, with a
 * FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT that says what is allowed, for
 * an empty or partial frame, or a rate or channel count out of range. */
gboolean  fz_check_pcm (gsize size, uint32_t pcm_rate, uint32_t pcm_channels, GError **error);
/* Decodes @pcm (checked by fz_check_pcm(): float32 in the machine's byte
 * order) exactly as a file of that format: resampled, channel-mapped and
 * bounded like one, with its peak pyramid.  @display names it in
 * messages. */
FzSample *fz_load_pcm (GBytes *pcm, uint32_t pcm_rate, uint32_t pcm_channels,
                       const char *display, uint32_t rate, uint32_t channels,
                       const FzLoadOptions *options,
                       GCancellable *cancellable, FzLoadProgressFunc progress,
                       void *progress_data, GError **error);

/* Tests only: called on the loading thread, after each chunk read from a
 * file (FZ_LOADER_HOOK_CHUNK, with the frames read so far) and once the
 * file is read, before it is checked (FZ_LOADER_HOOK_END), so that a test
 * can change the file at a known point.  NULL (the default) for none. */
typedef enum {
  FZ_LOADER_HOOK_CHUNK,
  FZ_LOADER_HOOK_END,
} FzLoaderHookPoint;
typedef void (*FzLoaderHook) (const char *path, FzLoaderHookPoint point, uint64_t frames_read,
                              void *data);
void      fz_loader_set_test_hook (FzLoaderHook hook, void *data);

/* Maps @frames frames of @in_channels interleaved channels into
 * @out_channels: mono goes to every output channel; otherwise output
 * channel c is the mean of the input channels k with k % out_channels == c
 * (so stereo to mono averages, equal counts copy, and output channels with
 * no input stay silent). */
void fz_map_channels (const float *in, uint32_t in_channels,
                      float *out, uint32_t out_channels, size_t frames);
