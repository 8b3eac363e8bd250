/* flitzis-audio-engine-sync.c: slots that know their tempo, and the transport synced to them
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each slot has a tempo and a downbeat, kept in the core's slot table like
 * its loop region; sync_transport_to_sample() asks the audio thread to
 * line the transport up with the slot's voice, and its answer updates the
 * tempo and downbeat-frame properties here.  Any control thread.
 */
#include "config.h"

#include <string.h>

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"

/* What a sync changed (FlitzisAudioEngine.clock_synced). */
#define SYNCED_TEMPO 1u
#define SYNCED_DOWNBEAT 2u

static gboolean
check_sample_tempo (guint id, double bpm, GError **error)
{
  if (bpm == 0.0 || (bpm >= FLITZIS_MIN_TEMPO && bpm <= FLITZIS_MAX_TEMPO))
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_TEMPO,
               _("Tempo %g is not allowed for slot %u; a sample’s tempo is %g to %g beats "
                 "per minute, or 0 when it is not known"),
               bpm, id, FLITZIS_MIN_TEMPO, FLITZIS_MAX_TEMPO);
  return FALSE;
}

/**
 * flitzis_audio_engine_set_sample_tempo:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @bpm: the tempo of the slot's sample as it plays, in beats per minute
 *   ([const@Flitzis.MIN_TEMPO] to [const@Flitzis.MAX_TEMPO]), or 0 when it is
 *   not known
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Tells the engine the tempo of the loop in slot @id, for
 * [method@Flitzis.AudioEngine.sync_transport_to_sample].  The tempo belongs
 * to the slot, like its loop region: it stays when a sample is loaded or
 * replaced, until [method@Flitzis.AudioEngine.run] starts again.  It does
 * not change how the slot plays (there is no time stretching).
 *
 * Returns: %TRUE when the tempo was queued; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.INVALID_TEMPO], [error@Flitzis.EngineError.NOT_RUNNING]
 *   or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_tempo (FlitzisAudioEngine *self, guint id, double bpm,
                                       GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_SLOT_TEMPO, .slot = id };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error) || !check_sample_tempo (id, bpm, error))
    return FALSE;
  memcpy (&command.start, &bpm, sizeof command.start);
  return _flitzis_audio_engine_send_running (self, &command, error);
}

/**
 * flitzis_audio_engine_set_sample_downbeat:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @frame: the frame of the slot's sample on which its first bar starts,
 *   in frames as it plays (at the stream's rate:
 *   [method@Flitzis.SampleInfo.get_frames])
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Tells the engine where the first downbeat of the loop in slot @id is, for
 * [method@Flitzis.AudioEngine.sync_transport_to_sample]; 0 (the default)
 * is the sample's first frame.  It belongs to the slot, like its tempo.
 *
 * Returns: %TRUE when the downbeat was queued; %FALSE, changing nothing,
 *   with @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.NOT_RUNNING] or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_downbeat (FlitzisAudioEngine *self, guint id, guint64 frame,
                                          GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_SLOT_DOWNBEAT, .slot = id, .start = frame };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return FALSE;
  return _flitzis_audio_engine_send_running (self, &command, error);
}

/**
 * flitzis_audio_engine_sync_transport_to_sample:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Lines the transport's bars up with those of the loop playing in slot
 * @id, from the start of the next audio period on: the audio thread sets
 * [property@Flitzis.AudioEngine:tempo] to the tempo the loop is heard at
 * (the slot's, [method@Flitzis.AudioEngine.set_sample_tempo], times the
 * speed its voices play at; with [property@Flitzis.AudioEngine:tempo-lock]
 * the slot's own, which its voices then follow) and
 * [property@Flitzis.AudioEngine:downbeat-frame] to the frame at which the
 * slot's voice plays (or played) its downbeat
 * ([method@Flitzis.AudioEngine.set_sample_downbeat]) at that speed,
 * exactly (a key-locked voice's sound lands where its stretcher puts it,
 * within a few milliseconds of that frame); both properties are notified
 * in the main context once it has.  The bars then
 * stay in line as long as the loop is a whole number of bars long (see
 * [property@Flitzis.AudioEngine:quantize] for what happens when it is not).
 *
 * A slot whose tempo is not known (0), or heard beyond
 * [const@Flitzis.MIN_TEMPO] to [const@Flitzis.MAX_TEMPO], keeps the
 * transport's tempo and lines up the downbeat alone.  When no voice of the slot sounds then, only the
 * tempo changes, with the position kept where it is.  A downbeat that
 * would lie before the stream's first frame is kept exactly by the audio
 * thread; [property@Flitzis.AudioEngine:downbeat-frame] then reads the
 * first bar line from frame 0 on (rounded up to a frame).
 *
 * Returns: %TRUE when the sync was queued; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.EMPTY_SLOT], [error@Flitzis.EngineError.NOT_RUNNING]
 *   or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_sync_transport_to_sample (FlitzisAudioEngine *self, guint id,
                                               GError **error)
{
  FzMsg command = { .type = FZ_CMD_SYNC, .slot = id };
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (ok && self->published[id] == NULL)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_EMPTY_SLOT,
                   _("Sample slot %u is empty; load and play a loop before syncing to it"), id);
      ok = FALSE;
    }
  command.seq = self->clock_serial + 1;
  ok = ok && _flitzis_audio_engine_send_command (self, &command, error);
  if (ok)
    self->clock_serial++;
  fz_mutex_unlock (&self->lock);
  return ok;
}

/* Called with the lock held.  A change of tempo or downbeat set after the
 * sync was queued wins: the audio thread took it after the sync. */
void
_flitzis_audio_engine_take_synced (FlitzisAudioEngine *self, const FzMsg *reply)
{
  double tempo;

  if (reply->seq != self->clock_serial)
    return;
  memcpy (&tempo, &reply->start, sizeof tempo);
  if (reply->start != 0 && tempo != self->tempo)
    {
      self->tempo = tempo;
      self->clock_synced |= SYNCED_TEMPO;
    }
  if (reply->frame != G_MAXUINT64 && reply->frame != self->downbeat_frame)
    {
      self->downbeat_frame = reply->frame;
      self->clock_synced |= SYNCED_DOWNBEAT;
    }
}

void
_flitzis_audio_engine_notify_synced (FlitzisAudioEngine *self)
{
  guint synced;

  fz_mutex_lock (&self->lock);
  synced = self->clock_synced;
  self->clock_synced = 0;
  fz_mutex_unlock (&self->lock);
  if (synced & SYNCED_TEMPO)
    _flitzis_audio_engine_notify (self, PROP_TEMPO);
  if (synced & SYNCED_DOWNBEAT)
    _flitzis_audio_engine_notify (self, PROP_DOWNBEAT_FRAME);
}

