/* flitzis-sample-info.c: what a sample slot holds
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built on the control thread that loaded the sample; immutable afterwards,
 * so any thread may hold a reference.
 */
#include "config.h"

#include "flitzis-sample-info.h"
#include "flitzis-sample-info-private.h"

struct _FlitzisSampleInfo {
  gatomicrefcount ref_count;
  char *path;
  guint64 frames;
  guint channels;
  guint sample_rate;
  guint64 original_frames;      /* as the file's header promises */
  guint64 delivered_frames;     /* as the file delivered */
  guint original_channels;
  guint original_rate;
  gsize memory_size;
  gboolean memory_locked;
};

G_DEFINE_BOXED_TYPE (FlitzisSampleInfo, flitzis_sample_info,
                     flitzis_sample_info_ref, flitzis_sample_info_unref)

FlitzisSampleInfo *
_flitzis_sample_info_new (const char *path, const FzSampleFormat *decoded,
                         const FzSampleFormat *original, guint64 delivered_frames,
                         gsize memory_size)
{
  FlitzisSampleInfo *info = g_new0 (FlitzisSampleInfo, 1);

  g_atomic_ref_count_init (&info->ref_count);
  info->path = g_strdup (path);
  info->frames = decoded->frames;
  info->channels = decoded->channels;
  info->sample_rate = decoded->rate;
  info->original_frames = original->frames;
  info->delivered_frames = delivered_frames;
  info->original_channels = original->channels;
  info->original_rate = original->rate;
  info->memory_size = memory_size;
  return info;
}

/**
 * flitzis_sample_info_ref:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Adds a reference to @info.
 *
 * Returns: (transfer full): @info
 *
 * Since: 0.1
 */
FlitzisSampleInfo *
flitzis_sample_info_ref (FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  g_atomic_ref_count_inc (&info->ref_count);
  return info;
}

/**
 * flitzis_sample_info_unref:
 * @info: (transfer full): a [struct@Flitzis.SampleInfo]
 *
 * Drops a reference to @info, freeing it when it was the last.
 *
 * Since: 0.1
 */
void
flitzis_sample_info_unref (FlitzisSampleInfo *info)
{
  g_return_if_fail (info != NULL);

  if (g_atomic_ref_count_dec (&info->ref_count))
    {
      g_free (info->path);
      g_free (info);
    }
}

/**
 * flitzis_sample_info_get_path:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets the file the sample was loaded from.
 *
 * Returns: (type filename) (transfer none) (nullable): the path, as given
 *   to [method@Flitzis.AudioEngine.load_sample]; %NULL for a sample loaded
 *   from memory ([method@Flitzis.AudioEngine.load_sample_from_bytes])
 *
 * Since: 0.1
 */
const char *
flitzis_sample_info_get_path (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  return info->path;
}

/**
 * flitzis_sample_info_get_frames:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets the length of the sample as it plays: in frames at the stream's
 * rate, after resampling.
 *
 * Returns: the number of frames
 *
 * Since: 0.1
 */
guint64
flitzis_sample_info_get_frames (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, 0);

  return info->frames;
}

/**
 * flitzis_sample_info_get_channels:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets the channel count of the sample as it plays: the stream's.
 *
 * Returns: the number of channels
 *
 * Since: 0.1
 */
guint
flitzis_sample_info_get_channels (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, 0);

  return info->channels;
}

/**
 * flitzis_sample_info_get_sample_rate:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets the rate of the sample as it plays: the stream's.
 *
 * Returns: the sample rate in Hz
 *
 * Since: 0.1
 */
guint
flitzis_sample_info_get_sample_rate (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, 0);

  return info->sample_rate;
}

/**
 * flitzis_sample_info_get_original_frames:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets the length of the audio in the file, in frames at the file's rate,
 * as the file's header gives it: the same as
 * [method@Flitzis.SampleInfo.get_frames_promised].
 *
 * Returns: the number of frames the file's header promises
 *
 * Since: 0.1
 */
guint64
flitzis_sample_info_get_original_frames (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, 0);

  return info->original_frames;
}

/**
 * flitzis_sample_info_get_original_channels:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets the channel count of the file.
 *
 * Returns: the number of channels in the file
 *
 * Since: 0.1
 */
guint
flitzis_sample_info_get_original_channels (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, 0);

  return info->original_channels;
}

/**
 * flitzis_sample_info_get_original_rate:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets the sample rate of the file.
 *
 * Returns: the file's sample rate in Hz
 *
 * Since: 0.1
 */
guint
flitzis_sample_info_get_original_rate (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, 0);

  return info->original_rate;
}

/**
 * flitzis_sample_info_get_memory_size:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets how much memory the decoded sample takes, stored once however many
 * voices play it.
 *
 * Returns: the size of the sample's buffer and header and of its peak
 *   pyramid (1.7 % of the buffer, for waveforms and meters), in bytes
 *
 * Since: 0.1
 */
gsize
flitzis_sample_info_get_memory_size (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, 0);

  return info->memory_size;
}

/**
 * flitzis_sample_info_get_frames_promised:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets how many frames, at the file's rate, the file's header promised.
 * A file whose header promises more than it holds (a header written
 * before the audio, a copy or download cut short) loads what it holds:
 * [method@Flitzis.SampleInfo.get_frames_delivered] is then smaller.  (A
 * file that changes while it is loaded is not loaded at all:
 * [error@Flitzis.EngineError.FILE_CHANGED].)
 *
 * Returns: the frames the header promised
 *
 * Since: 0.1
 */
guint64
flitzis_sample_info_get_frames_promised (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, 0);

  return info->original_frames;
}

/**
 * flitzis_sample_info_get_frames_delivered:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets how many frames, at the file's rate, were decoded from the file:
 * as many as [method@Flitzis.SampleInfo.get_frames_promised] unless the
 * file is short of its header's promise.
 *
 * Returns: the frames the file delivered
 *
 * Since: 0.1
 */
guint64
flitzis_sample_info_get_frames_delivered (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, 0);

  return info->delivered_frames;
}

void
_flitzis_sample_info_set_memory_locked (FlitzisSampleInfo *info, gboolean locked)
{
  info->memory_locked = locked;
}

/**
 * flitzis_sample_info_get_memory_locked:
 * @info: a [struct@Flitzis.SampleInfo]
 *
 * Gets whether the sample's memory is locked in RAM (`mlock()`), so that
 * the audio thread never waits for one of its pages to come back from
 * swap.  Samples are locked while
 * [property@Flitzis.AudioEngine:lock-memory] is set (the default) and the
 * system allows it: root, or within the user's `RLIMIT_MEMLOCK` (`ulimit
 * -l`, 8 MiB by default on Debian 12; the audio group of Debian's jackd2
 * and PipeWire packages has more).  A sample that could not be locked
 * plays all the same.
 *
 * Returns: %TRUE if the sample's frames and peak pyramid are locked
 *
 * Since: 0.1
 */
gboolean
flitzis_sample_info_get_memory_locked (const FlitzisSampleInfo *info)
{
  g_return_val_if_fail (info != NULL, FALSE);

  return info->memory_locked;
}
