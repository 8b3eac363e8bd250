/* flitzis-audio-engine-pads.c: what makes a slot a pad
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Retrigger policies, choke groups, exclusive triggers, and each slot's
 * own pause and seek.  Like every command (flitzis-audio-engine-commands.c)
 * each is checked on the calling control thread, queued under the lock and
 * carried out by the audio thread at the start of its next period, in the
 * core's slot table (core/fz-mixer.c).  The policy and the group are
 * parameters instead: written to the core's parameter cells under the
 * lock (core/fz-params.h), latest value wins, taken at the start of the
 * next period before its commands.  Nothing here waits for the audio
 * thread, and a bad value fails with an error that says what is allowed,
 * changing nothing.
 */
#include "config.h"

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"

/* Class init: the construct-only capacity properties. */
void
_flitzis_audio_engine_class_init_pads (GParamSpec **properties)
{
  /**
   * FlitzisAudioEngine:slots: (getter get_slots)
   *
   * How many sample slots the engine has, from 1 to 1024
   * ([const@Flitzis.MAX_SAMPLE_SLOTS], 32, by default); slot ids run from 0 to
   * this number - 1.  Set when the engine is made
   * (`Flitzis.AudioEngine(slots=216)` for 6 banks of 36 pads).  An empty
   * slot costs 784 bytes on 64-bit systems with a stereo stream (96 in
   * the audio thread's slot table, 64 for its parameter cell, 388 for its
   * isolator, [method@Flitzis.AudioEngine.set_sample_eq], and 256 more
   * for each further pair of channels, 204 for the meters' 17 frames, 32
   * on the control side), and nothing per audio period:
   * the audio thread's work grows with the voices that play, not with the
   * slots.
   *
   * Since: 0.1
   */
  properties[PROP_SLOTS] =
    g_param_spec_uint ("slots", _("Slots"),
                       _("How many sample slots the engine has"),
                       1, FZ_SLOTS_LIMIT, FLITZIS_MAX_SAMPLE_SLOTS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:voices: (getter get_voices)
   *
   * How many voices the engine mixes at most, from 1 to 256
   * ([const@Flitzis.MAX_VOICES], 32, by default); a trigger that finds them
   * all busy is dropped and counted.  Set when the engine is made.  Crossfades
   * ([enum@Flitzis.Retrigger.RESTART], [method@Flitzis.AudioEngine.seek_sample])
   * hold a second voice for 5 ms.
   *
   * Since: 0.1
   */
  properties[PROP_VOICES] =
    g_param_spec_uint ("voices", _("Voices"),
                       _("How many voices the engine mixes at most"),
                       1, FZ_VOICES_LIMIT, FLITZIS_MAX_VOICES,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);
}

/**
 * flitzis_audio_engine_set_sample_retrigger:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @policy: what a trigger does to the slot while it sounds
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets what [method@Flitzis.AudioEngine.play_sample] and
 * [method@Flitzis.AudioEngine.play_sample_at] do when slot @id already
 * sounds: [enum@Flitzis.Retrigger.LAYER] (the default) starts another voice,
 * [enum@Flitzis.Retrigger.RESTART] crossfades the slot's voices over 5 ms into a
 * new one from the slot's start (its loop start when it loops),
 * [enum@Flitzis.Retrigger.TOGGLE] fades the slot's voices out instead of
 * starting one.  A scheduled trigger applies the policy at its own frame.
 * The policy stays when another sample is loaded, until the next
 * [method@Flitzis.AudioEngine.run].  It is a parameter, as a slot's gain is
 * ([method@Flitzis.AudioEngine.set_sample_gain]): the last policy set
 * between two audio periods applies from the next one, to the triggers
 * of that period too, whether queued before or after it.
 *
 * Returns: %TRUE when the policy was set; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.INVALID_POLICY] or
 *   [error@Flitzis.EngineError.NOT_RUNNING]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_retrigger (FlitzisAudioEngine *self, guint id,
                                           FlitzisRetrigger policy, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return FALSE;
  if ((guint) policy > FLITZIS_RETRIGGER_TOGGLE)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_POLICY,
                   _("Retrigger policy %d does not exist; a policy is LAYER (0), RESTART (1) "
                     "or TOGGLE (2)"), (int) policy);
      return FALSE;
    }
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (ok)
    fz_params_set_retrigger (&self->core->params, id, (FzRetrigger) policy);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_set_sample_choke_group:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @group: the choke group, from 1 to [const@Flitzis.MAX_CHOKE_GROUP], or 0
 *   for none
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Puts slot @id in choke group @group: a voice that starts in a group
 * fades out (over 5 ms, from the frame it starts) every other voice of a
 * slot in that group, the slot's own earlier voices too.  An open and a
 * closed hi-hat share a group; so do the pads of a "one loop per column"
 * looper.  The group stays when another sample is loaded, until the next
 * [method@Flitzis.AudioEngine.run].  It is a parameter, as the retrigger
 * policy is ([method@Flitzis.AudioEngine.set_sample_retrigger]).
 *
 * Returns: %TRUE when the group was set; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.INVALID_GROUP] or
 *   [error@Flitzis.EngineError.NOT_RUNNING]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_choke_group (FlitzisAudioEngine *self, guint id, guint group,
                                             GError **error)
{
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return FALSE;
  if (group > FLITZIS_MAX_CHOKE_GROUP)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GROUP,
                   _("Choke group %u does not exist; groups are 1 to %u, and 0 is none"),
                   group, FLITZIS_MAX_CHOKE_GROUP);
      return FALSE;
    }
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (ok)
    fz_params_set_group (&self->core->params, id, group);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_play_sample_exclusive:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @velocity: the gain of the new voice, from 0.0 to 1.0
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Starts a voice of slot @id, as [method@Flitzis.AudioEngine.play_sample]
 * does, and fades out every other voice, of every slot, over 5 ms from the
 * frame it starts: one command on the audio thread, so nothing comes
 * between the two.  A [enum@Flitzis.Retrigger.RESTART] slot crossfades into
 * the new voice; a [enum@Flitzis.Retrigger.TOGGLE] slot starts (an exclusive
 * trigger always starts).  Triggering an empty slot does nothing, and stops
 * nothing.
 *
 * Returns: %TRUE when the trigger was queued; %FALSE with @error set to
 *   [error@Flitzis.EngineError.INVALID_SLOT], [error@Flitzis.EngineError.INVALID_VELOCITY],
 *   [error@Flitzis.EngineError.NOT_RUNNING] or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_play_sample_exclusive (FlitzisAudioEngine *self, guint id, float velocity,
                                            GError **error)
{
  FzMsg play = { .type = FZ_CMD_PLAY, .slot = id, .gain = velocity, .flag = 1 };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  play.start = flitzis_audio_engine_get_quantize (self);
  return _flitzis_audio_engine_queue_trigger (self, &play, error);
}

static gboolean
queue_slot_command (FlitzisAudioEngine *self, const FzMsg *command, GError **error)
{
  if (!_flitzis_audio_engine_check_slot (self, command->slot, error))
    return FALSE;
  return _flitzis_audio_engine_send_running (self, command, error);
}

/**
 * flitzis_audio_engine_pause_sample:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Pauses slot @id from the next audio period on: its voices fade out over
 * 5 ms and hold where they fell silent; a trigger meanwhile starts a voice
 * that waits, silent, at its start.  The rest of the mix plays on (the
 * engine-wide [method@Flitzis.AudioEngine.pause] silences everything).
 * [method@Flitzis.AudioEngine.resume_sample] goes on from there.  Pausing a
 * paused slot does nothing; held voices keep their voice.
 *
 * Returns: %TRUE when the pause was queued; %FALSE with @error set to
 *   [error@Flitzis.EngineError.INVALID_SLOT], [error@Flitzis.EngineError.NOT_RUNNING]
 *   or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_pause_sample (FlitzisAudioEngine *self, guint id, GError **error)
{
  FzMsg command = { .type = FZ_CMD_PAUSE_SLOT, .slot = id, .flag = 1 };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return queue_slot_command (self, &command, error);
}

/**
 * flitzis_audio_engine_resume_sample:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Ends a [method@Flitzis.AudioEngine.pause_sample] at the next audio period:
 * the slot's voices fade in over 5 ms from exactly the frame at which they
 * fell silent.  Resuming a slot that is not paused does nothing.
 *
 * Returns: %TRUE when the resume was queued; %FALSE with @error set to
 *   [error@Flitzis.EngineError.INVALID_SLOT], [error@Flitzis.EngineError.NOT_RUNNING]
 *   or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_resume_sample (FlitzisAudioEngine *self, guint id, GError **error)
{
  FzMsg command = { .type = FZ_CMD_PAUSE_SLOT, .slot = id, .flag = 0 };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return queue_slot_command (self, &command, error);
}

/* Called with the lock held. */
static gboolean
check_seek (FlitzisAudioEngine *self, guint id, guint64 frame, GError **error)
{
  const FzSample *sample = self->published[id];

  if (sample == NULL)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_EMPTY_SLOT,
                   _("Sample slot %u is empty; load a sample before seeking in it"), id);
      return FALSE;
    }
  if (frame < sample->frames)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_FRAME,
               _("Frame %llu is past the end of the sample in slot %u, which has %llu frames; "
                 "seek to a frame from 0 to %llu"),
               (unsigned long long) frame, id, (unsigned long long) sample->frames,
               (unsigned long long) sample->frames - 1);
  return FALSE;
}

/**
 * flitzis_audio_engine_seek_sample:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @frame: the frame of the sample to go on from, in frames as it plays (at
 *   the stream's rate: [method@Flitzis.SampleInfo.get_frames])
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Moves every voice of slot @id to @frame of its sample at the next audio
 * period, with a 5 ms crossfade from where it was (no click; the old
 * place fades out on a second voice, and with none free the voice fades in
 * at @frame alone).  A paused voice moves silently and resumes there.  A
 * voice of a looping slot moved past the loop's end plays on to the
 * sample's end.  The seek reports no event: the voices go on.
 *
 * Returns: %TRUE when the seek was queued; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.EMPTY_SLOT], [error@Flitzis.EngineError.INVALID_FRAME]
 *   (the message names the sample's length), [error@Flitzis.EngineError.NOT_RUNNING]
 *   or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_seek_sample (FlitzisAudioEngine *self, guint id, guint64 frame,
                                  GError **error)
{
  FzMsg command = { .type = FZ_CMD_SEEK, .slot = id, .start = frame };
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error) && check_seek (self, id, frame, error) &&
       _flitzis_audio_engine_send_command (self, &command, error);
  fz_mutex_unlock (&self->lock);
  return ok;
}
