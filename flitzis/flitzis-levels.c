/* flitzis-levels.c: a snapshot of the level meters and playheads
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Made on a control thread from a meter frame that the audio thread left
 * in the core's meter ring (flitzis-audio-engine-replies.c); immutable
 * afterwards, so any thread may hold a reference.
 */
#include "config.h"

#include <string.h>

#include "flitzis-levels-private.h"

/* One block: the header, then n_slots playheads, then n_slots peaks. */
struct _FlitzisLevels {
  gatomicrefcount ref_count;
  guint64 frame;
  guint channels;
  guint n_slots;
  float master[FZ_METER_MAX_CHANNELS];
  guint64 *playhead;
  float *slot_peak;
  guint64 arrays[];
};

G_DEFINE_BOXED_TYPE (FlitzisLevels, flitzis_levels, flitzis_levels_ref, flitzis_levels_unref)

FlitzisLevels *
_flitzis_levels_new (const FzMeterFrame *frame)
{
  gsize n = frame->n_slots;
  FlitzisLevels *levels = g_malloc (sizeof (FlitzisLevels) + n * (sizeof (guint64) + sizeof (float)));

  g_atomic_ref_count_init (&levels->ref_count);
  levels->frame = frame->frame;
  levels->channels = frame->channels;
  levels->n_slots = frame->n_slots;
  memcpy (levels->master, frame->master, sizeof (levels->master));
  levels->playhead = levels->arrays;
  levels->slot_peak = (float *) (levels->arrays + n);
  memcpy (levels->playhead, frame->playhead, n * sizeof (guint64));
  memcpy (levels->slot_peak, frame->slot_peak, n * sizeof (float));
  return levels;
}

/**
 * flitzis_levels_ref:
 * @levels: a [struct@Flitzis.Levels]
 *
 * Takes a reference to @levels.
 *
 * Returns: (transfer full): @levels
 *
 * Since: 0.1
 */
FlitzisLevels *
flitzis_levels_ref (FlitzisLevels *levels)
{
  g_return_val_if_fail (levels != NULL, NULL);

  g_atomic_ref_count_inc (&levels->ref_count);
  return levels;
}

/**
 * flitzis_levels_unref:
 * @levels: (transfer full): a [struct@Flitzis.Levels]
 *
 * Releases a reference to @levels, freeing it with the last one.
 *
 * Since: 0.1
 */
void
flitzis_levels_unref (FlitzisLevels *levels)
{
  g_return_if_fail (levels != NULL);

  if (g_atomic_ref_count_dec (&levels->ref_count))
    g_free (levels);
}

/**
 * flitzis_levels_get_frame:
 * @levels: a [struct@Flitzis.Levels]
 *
 * Where the meter period ends.  It began where the one before ended (or
 * where [property@Flitzis.AudioEngine:meter-rate] was switched on): a
 * meter period is made of whole audio periods, and the periods follow
 * each other without a gap.
 *
 * Returns: the frame time just after the meter period's last frame
 *
 * Since: 0.1
 */
guint64
flitzis_levels_get_frame (const FlitzisLevels *levels)
{
  g_return_val_if_fail (levels != NULL, 0);

  return levels->frame;
}

/**
 * flitzis_levels_get_n_channels:
 * @levels: a [struct@Flitzis.Levels]
 *
 * How many output channels were measured: the stream's channel count.
 *
 * Returns: the number of master peaks, one per output channel
 *
 * Since: 0.1
 */
guint
flitzis_levels_get_n_channels (const FlitzisLevels *levels)
{
  g_return_val_if_fail (levels != NULL, 0);

  return levels->channels;
}

/**
 * flitzis_levels_get_n_slots:
 * @levels: a [struct@Flitzis.Levels]
 *
 * How many sample slots were measured: every slot of the engine
 * ([property@Flitzis.AudioEngine:slots]), sounding or not.
 *
 * Returns: the number of slot peaks and playheads
 *
 * Since: 0.1
 */
guint
flitzis_levels_get_n_slots (const FlitzisLevels *levels)
{
  g_return_val_if_fail (levels != NULL, 0);

  return levels->n_slots;
}

/**
 * flitzis_levels_get_master_peak:
 * @levels: a [struct@Flitzis.Levels]
 * @channel: an output channel, below [method@Flitzis.Levels.get_n_channels]
 *
 * The largest magnitude of output channel @channel over the whole meter
 * period, after the master volume ([property@Flitzis.AudioEngine:volume]).
 * It is not clamped: an output that would clip at 1.0 reads above it.
 *
 * Returns: the channel's peak, 0.0 or more (1.0 is full scale)
 *
 * Since: 0.1
 */
double
flitzis_levels_get_master_peak (const FlitzisLevels *levels, guint channel)
{
  g_return_val_if_fail (levels != NULL, 0.0);
  g_return_val_if_fail (channel < levels->channels, 0.0);

  return levels->master[channel];
}

/**
 * flitzis_levels_get_slot_peak:
 * @levels: a [struct@Flitzis.Levels]
 * @slot: a sample slot, below [method@Flitzis.Levels.get_n_slots]
 *
 * The largest magnitude that a voice of slot @slot played over the meter
 * period, on any channel: after the voice's velocity, the slot's gain
 * ([method@Flitzis.AudioEngine.set_sample_gain]) and the voice's fades
 * (stop, pause and resume, the crossfades of a restart or a seek), and
 * before the master volume.  With several voices of the slot sounding at
 * once (a crossfade's two halves too), the largest of theirs.  While a
 * gain glides (the 5 ms ramp of a change or of a fade) the peak is that of
 * the glide's louder end: it never reads lower than what played.
 *
 * Returns: the slot's peak, 0.0 or more; 0.0 when it did not sound
 *
 * Since: 0.1
 */
double
flitzis_levels_get_slot_peak (const FlitzisLevels *levels, guint slot)
{
  g_return_val_if_fail (levels != NULL, 0.0);
  g_return_val_if_fail (slot < levels->n_slots, 0.0);

  return levels->slot_peak[slot];
}

/**
 * flitzis_levels_get_slot_playhead:
 * @levels: a [struct@Flitzis.Levels]
 * @slot: a sample slot, below [method@Flitzis.Levels.get_n_slots]
 *
 * Where slot @slot's newest voice still sounding was at the end of the
 * meter period (or, if none of its voices sounds on, where the last one
 * to end was when it ended): the frame of the sample, as it plays at the
 * stream's rate, that it would play next.
 *
 * Returns: the newest voice's source frame; 0 when the slot did not sound
 *   in this meter period
 *
 * Since: 0.1
 */
guint64
flitzis_levels_get_slot_playhead (const FlitzisLevels *levels, guint slot)
{
  g_return_val_if_fail (levels != NULL, 0);
  g_return_val_if_fail (slot < levels->n_slots, 0);

  return levels->playhead[slot];
}
