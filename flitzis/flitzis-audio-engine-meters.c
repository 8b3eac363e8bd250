/* flitzis-audio-engine-meters.c: switching the level meters on and off
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The meter-rate property and its accessors.  The audio thread measures
 * (core/fz-meter.c); the snapshots come back as FlitzisLevels through
 * flitzis-audio-engine-replies.c.  Like every command, a rate is checked
 * on the calling control thread and queued under the lock, never waiting
 * for the audio thread.
 */
#include "config.h"

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"

/* Class init: the meter-rate property. */
void
_flitzis_audio_engine_class_init_meters (GParamSpec **properties)
{
  /**
   * FlitzisAudioEngine:meter-rate: (getter get_meter_rate) (setter set_meter_rate)
   *
   * How many times a second the audio thread measures levels and
   * playheads, from 1 to 120 Hz; 0 (the default) switches the meters off,
   * and they then cost nothing.  Each meter period ends with a
   * [signal@Flitzis.AudioEngine::levels] in the main context; see
   * [struct@Flitzis.Levels] for what is measured.  Kept across runs.
   *
   * Since: 0.1
   */
  properties[PROP_METER_RATE] =
    g_param_spec_uint ("meter-rate", _("Meter rate"),
                       _("Level snapshots per second, 1 to 120; 0: the meters are off"),
                       0, FZ_METER_RATE_MAX, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

/**
 * flitzis_audio_engine_get_meter_rate:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:meter-rate].
 *
 * Returns: the meter snapshots per second, as last set; 0 when the meters
 *   are off
 *
 * Since: 0.1
 */
guint
flitzis_audio_engine_get_meter_rate (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return _flitzis_audio_engine_read_guint (self, &self->meter_rate);
}

/**
 * flitzis_audio_engine_set_meter_rate:
 * @self: a [class@Flitzis.AudioEngine]
 * @rate: meter snapshots per second, 1 to 120; 0 switches the meters off
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:meter-rate].  While running, the
 * audio thread starts a new meter period at its next period; otherwise
 * the next [method@Flitzis.AudioEngine.run] starts with it.
 *
 * Returns: %TRUE when the rate was set (and queued while running);
 *   %FALSE, changing nothing, with @error set to
 *   [error@Flitzis.EngineError.INVALID_ARGUMENT] or
 *   [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_meter_rate (FlitzisAudioEngine *self, guint rate, GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_METER, .start = rate };
  gboolean ok = TRUE, changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (rate > FZ_METER_RATE_MAX)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("A meter rate of %u Hz is not allowed; the meters run at 1 to %u Hz, "
                     "or 0 for off"), rate, FZ_METER_RATE_MAX);
      return FALSE;
    }
  fz_mutex_lock (&self->lock);
  changed = self->meter_rate != rate;
  if (changed && self->core != NULL)
    ok = _flitzis_audio_engine_send_command (self, &command, error);
  if (ok)
    self->meter_rate = rate;
  fz_mutex_unlock (&self->lock);
  if (ok && changed)
    _flitzis_audio_engine_notify (self, PROP_METER_RATE);
  return ok;
}
