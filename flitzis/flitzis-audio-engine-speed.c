/* flitzis-audio-engine-speed.c: voices at another speed (varispeed, tempo lock)
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The speed and tempo-lock properties and each slot's speed.  All three
 * are parameters (core/fz-params.h): written under the lock, latest value
 * wins, taken by the audio thread at the start of its next period, where
 * every voice glides to its new ratio (core/fz-varispeed.h).  A speed
 * slider may set them a thousand times a second: they never fill the
 * command queue.  Any control thread.
 */
#include "config.h"

#include <math.h>

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"

static gboolean
check_speed (const char *what, double ratio, GError **error)
{
  if (isfinite (ratio) && ratio >= FLITZIS_MIN_SPEED && ratio <= FLITZIS_MAX_SPEED)
    return TRUE;
  /* TRANSLATORS: %s is "The engine’s speed" or "The speed of slot N". */
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
               _("%s cannot be %g; a speed is a ratio from %g to %g (1.0: as recorded)"),
               what, ratio, FLITZIS_MIN_SPEED, FLITZIS_MAX_SPEED);
  return FALSE;
}

/**
 * flitzis_audio_engine_get_speed:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:speed].
 *
 * Returns: the engine's speed, as last set
 *
 * Since: 0.1
 */
double
flitzis_audio_engine_get_speed (FlitzisAudioEngine *self)
{
  double speed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 1.0);

  fz_mutex_lock (&self->lock);
  speed = self->speed;
  fz_mutex_unlock (&self->lock);
  return speed;
}

/**
 * flitzis_audio_engine_set_speed:
 * @self: a [class@Flitzis.AudioEngine]
 * @ratio: the speed of every voice, [const@Flitzis.MIN_SPEED] to
 *   [const@Flitzis.MAX_SPEED]; 1.0 plays samples as recorded
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:speed].  While running, every voice
 * glides to its new speed over 10 ms from the start of the next audio
 * period (no click, no zipper noise); like a gain, the speed is a
 * parameter, never queued behind commands, and cannot fail for a full
 * queue.
 *
 * Returns: %TRUE when the speed was set; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_ARGUMENT] (not a number
 *   from [const@Flitzis.MIN_SPEED] to [const@Flitzis.MAX_SPEED])
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_speed (FlitzisAudioEngine *self, double ratio, GError **error)
{
  gboolean changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_speed (_("The engine’s speed"), ratio, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  changed = self->speed != ratio;
  self->speed = ratio;
  if (self->core != NULL)
    fz_params_set_speed (&self->core->params, FZ_MASTER, ratio);
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_SPEED);
  return TRUE;
}

/**
 * flitzis_audio_engine_get_tempo_lock:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:tempo-lock].
 *
 * Returns: whether slots with a tempo follow the transport's
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_tempo_lock (FlitzisAudioEngine *self)
{
  gboolean on;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  fz_mutex_lock (&self->lock);
  on = self->tempo_lock;
  fz_mutex_unlock (&self->lock);
  return on;
}

/**
 * flitzis_audio_engine_set_tempo_lock:
 * @self: a [class@Flitzis.AudioEngine]
 * @tempo_lock: whether slots with a tempo follow the transport's
 *
 * Sets [property@Flitzis.AudioEngine:tempo-lock].  While running, it
 * applies from the start of the next audio period, each voice gliding to
 * its new speed over 10 ms.
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_tempo_lock (FlitzisAudioEngine *self, gboolean tempo_lock)
{
  gboolean changed;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  tempo_lock = tempo_lock != FALSE;
  fz_mutex_lock (&self->lock);
  changed = self->tempo_lock != tempo_lock;
  self->tempo_lock = tempo_lock;
  if (self->core != NULL)
    fz_params_set_tempo_lock (&self->core->params, tempo_lock);
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_TEMPO_LOCK);
}

/**
 * flitzis_audio_engine_set_sample_speed:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @ratio: the slot's speed, [const@Flitzis.MIN_SPEED] to [const@Flitzis.MAX_SPEED];
 *   1.0 (the default) plays the sample as recorded
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets the speed of every voice of slot @id, playing now or triggered
 * later: a voice plays at [property@Flitzis.AudioEngine:speed] times its
 * slot's speed times, with [property@Flitzis.AudioEngine:tempo-lock] on and
 * a slot tempo set ([method@Flitzis.AudioEngine.set_sample_tempo]), the
 * transport's [property@Flitzis.AudioEngine:tempo] over the slot's (that
 * product held within 1/16 to 8).  The pitch moves with the speed
 * (varispeed, as a turntable): a sample at 2.0 plays an octave up, in half
 * its length.  A change glides over 10 ms, so it never clicks, and keeps
 * the position where an instant change would have put it.
 *
 * Off 1.0 a voice is resampled by a 16-tap windowed-sinc interpolator,
 * with its cutoff lowered above 1.0 so that nothing aliases; a 5 kHz tone
 * at 48 kHz comes out at least 60 dB above what the interpolation adds
 * (docs/performance.md has the figures and the cost).  At a product of
 * exactly 1.0, a voice on a whole frame plays bit for bit as without a
 * speed, on the mixer's direct path (docs: the speed page).
 *
 * The speed belongs to the slot, like its gain: it may be set on an empty
 * slot, and stays when a sample is loaded or replaced, until
 * [method@Flitzis.AudioEngine.run] starts again (at 1.0).  Like every
 * parameter ([method@Flitzis.AudioEngine.set_sample_gain]) it is not
 * queued behind commands: of several speeds set between two audio periods
 * the last applies, from the start of the next period.
 *
 * Returns: %TRUE when the speed was set; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.INVALID_ARGUMENT] (not a number from
 *   [const@Flitzis.MIN_SPEED] to [const@Flitzis.MAX_SPEED]) or
 *   [error@Flitzis.EngineError.NOT_RUNNING]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_speed (FlitzisAudioEngine *self, guint id, double ratio,
                                       GError **error)
{
  g_autofree char *what = NULL;
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return FALSE;
  what = g_strdup_printf (_("The speed of slot %u"), id);
  if (!check_speed (what, ratio, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (ok)
    fz_params_set_speed (&self->core->params, id, ratio);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/* ---- the properties ---- */

void
_flitzis_audio_engine_class_init_speed (GParamSpec **properties)
{
  /**
   * FlitzisAudioEngine:speed: (getter get_speed) (setter set_speed)
   *
   * The speed of every voice, [const@Flitzis.MIN_SPEED] to
   * [const@Flitzis.MAX_SPEED]: 2.0 plays everything an octave up in half the
   * time, 0.5 an octave down in twice the time (varispeed).  Each voice
   * plays at this times its slot's speed
   * ([method@Flitzis.AudioEngine.set_sample_speed]) times its
   * [property@Flitzis.AudioEngine:tempo-lock] ratio.  Changes glide over
   * 10 ms.  Set while stopped, the next [method@Flitzis.AudioEngine.run]
   * starts at it.  Values out of range are refused
   * ([method@Flitzis.AudioEngine.set_speed] says why).
   *
   * Since: 0.1
   */
  properties[PROP_SPEED] =
    g_param_spec_double ("speed", _("Speed"),
                         _("The speed of every voice, as a ratio (1.0: as recorded)"),
                         FLITZIS_MIN_SPEED, FLITZIS_MAX_SPEED, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * FlitzisAudioEngine:tempo-lock: (getter get_tempo_lock) (setter set_tempo_lock)
   *
   * Whether the slots that have a tempo
   * ([method@Flitzis.AudioEngine.set_sample_tempo]) follow the transport's
   * [property@Flitzis.AudioEngine:tempo]: such a slot's voices play at the
   * engine's tempo over the slot's (times the speeds), so that a loop of
   * whole bars launched on a bar stays on the bars while the tempo changes
   * (a tempo change glides over 10 ms and keeps the loop's position where
   * the transport's beat is).  Slots without a tempo follow
   * [property@Flitzis.AudioEngine:speed] alone.  Off by default.
   *
   * Since: 0.1
   */
  properties[PROP_TEMPO_LOCK] =
    g_param_spec_boolean ("tempo-lock", _("Tempo lock"),
                          _("Whether slots with a tempo play at the transport’s tempo"),
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

gboolean
_flitzis_audio_engine_speed_get_property (FlitzisAudioEngine *self, guint prop_id,
                                          GValue *value)
{
  if (prop_id == PROP_SPEED)
    g_value_set_double (value, flitzis_audio_engine_get_speed (self));
  else if (prop_id == PROP_TEMPO_LOCK)
    g_value_set_boolean (value, flitzis_audio_engine_get_tempo_lock (self));
  else
    return FALSE;
  return TRUE;
}

gboolean
_flitzis_audio_engine_speed_set_property (FlitzisAudioEngine *self, guint prop_id,
                                          const GValue *value)
{
  g_autoptr (GError) error = NULL;

  if (prop_id == PROP_TEMPO_LOCK)
    flitzis_audio_engine_set_tempo_lock (self, g_value_get_boolean (value));
  else if (prop_id != PROP_SPEED)
    return FALSE;
  else if (!flitzis_audio_engine_set_speed (self, g_value_get_double (value), &error))
    g_warning ("%s", error->message);
  return TRUE;
}

/* Called with the lock held, on the control thread: a new core starts at
 * the properties (before its stream, directly; once published, through
 * its parameters, for a value set in between). */
void
_flitzis_audio_engine_start_speed (FlitzisAudioEngine *self, FzCore *core, gboolean published)
{
  if (!published)
    {
      fz_mixer_set_speed (&core->mixer, FZ_MASTER, self->speed);
      fz_mixer_set_tempo_lock (&core->mixer, self->tempo_lock);
      return;
    }
  fz_params_set_speed (&core->params, FZ_MASTER, self->speed);
  fz_params_set_tempo_lock (&core->params, self->tempo_lock);
}
