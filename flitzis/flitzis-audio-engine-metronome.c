/* flitzis-audio-engine-metronome.c: the metronome, and the beat reports
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The metronome's click is synthesised here, on the control thread, once
 * per run(), and mixed by the audio thread on each beat's frame
 * (core/fz-transport.c); its properties and report-beats are queued like
 * every command.  Any control thread.
 */
#include "config.h"

#include <math.h>

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"

/* The metronome's click: 30 ms of a decaying tone, accented on a bar's
 * first beat.  Its first frame is its loudest, so that it is heard (and
 * found by a test) on the beat's frame exactly. */
#define CLICK_MS 30u
#define CLICK_DECAY_S 0.005
static const struct {
  double hz;
  double level;
} click_sounds[2] = { { 1760.0, 0.6 }, { 1320.0, 0.35 } };

static gboolean
check_volume (double volume, GError **error)
{
  if (volume >= 0.0 && volume <= FLITZIS_MAX_GAIN)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN,
               _("Metronome volume %g is not allowed; it is a number from 0.0 to %g"),
               volume, FLITZIS_MAX_GAIN);
  return FALSE;
}

/* Called with the lock held. */
static FzMsg
metronome_command (FlitzisAudioEngine *self, gboolean on, double volume)
{
  return (FzMsg) { .type = FZ_CMD_SET_METRONOME, .flag = on != FALSE, .gain = (float) volume };
}

/**
 * flitzis_audio_engine_get_metronome:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:metronome].
 *
 * Returns: whether the metronome clicks, as last set
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_metronome (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  return _flitzis_audio_engine_read_guint (self, (const guint *) &self->metronome);
}

/**
 * flitzis_audio_engine_set_metronome:
 * @self: a [class@Flitzis.AudioEngine]
 * @metronome: whether to click on every beat
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:metronome], from the next audio
 * period on.  Switched off, a click that sounds stops at once.
 *
 * Returns: %TRUE when it was set (and queued while running); %FALSE,
 *   changing nothing, with @error set to [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_metronome (FlitzisAudioEngine *self, gboolean metronome,
                                    GError **error)
{
  FzMsg command;
  gboolean ok, changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  metronome = metronome != FALSE;
  fz_mutex_lock (&self->lock);
  changed = self->metronome != metronome;
  command = metronome_command (self, metronome, self->metronome_volume);
  ok = _flitzis_audio_engine_queue_change (self, changed, &command, error);
  if (ok)
    self->metronome = metronome;
  fz_mutex_unlock (&self->lock);
  if (ok && changed)
    _flitzis_audio_engine_notify (self, PROP_METRONOME);
  return ok;
}

/**
 * flitzis_audio_engine_get_metronome_volume:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:metronome-volume].
 *
 * Returns: the metronome's gain, as last set
 *
 * Since: 0.1
 */
double
flitzis_audio_engine_get_metronome_volume (FlitzisAudioEngine *self)
{
  double volume;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0.0);

  fz_mutex_lock (&self->lock);
  volume = self->metronome_volume;
  fz_mutex_unlock (&self->lock);
  return volume;
}

/**
 * flitzis_audio_engine_set_metronome_volume:
 * @self: a [class@Flitzis.AudioEngine]
 * @volume: the metronome's gain, from 0.0 to [const@Flitzis.MAX_GAIN]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:metronome-volume], from the next
 * click on.
 *
 * Returns: %TRUE when it was set (and queued while running); %FALSE,
 *   changing nothing, with @error set to
 *   [error@Flitzis.EngineError.INVALID_GAIN] or
 *   [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_metronome_volume (FlitzisAudioEngine *self, double volume,
                                           GError **error)
{
  FzMsg command;
  gboolean ok, changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_volume (volume, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  changed = self->metronome_volume != volume;
  command = metronome_command (self, self->metronome, volume);
  ok = _flitzis_audio_engine_queue_change (self, changed, &command, error);
  if (ok)
    self->metronome_volume = volume;
  fz_mutex_unlock (&self->lock);
  if (ok && changed)
    _flitzis_audio_engine_notify (self, PROP_METRONOME_VOLUME);
  return ok;
}

/**
 * flitzis_audio_engine_get_report_beats:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:report-beats].
 *
 * Returns: whether every beat is reported, as last set
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_report_beats (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  return _flitzis_audio_engine_read_guint (self, (const guint *) &self->report_beats);
}

/**
 * flitzis_audio_engine_set_report_beats:
 * @self: a [class@Flitzis.AudioEngine]
 * @report: whether to report every beat
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:report-beats], from the next audio
 * period on.
 *
 * Returns: %TRUE when it was set (and queued while running); %FALSE,
 *   changing nothing, with @error set to [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_report_beats (FlitzisAudioEngine *self, gboolean report,
                                       GError **error)
{
  FzMsg command = { .type = FZ_CMD_REPORT_BEATS, .flag = report != FALSE };
  gboolean ok, changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  report = report != FALSE;
  fz_mutex_lock (&self->lock);
  changed = self->report_beats != report;
  ok = _flitzis_audio_engine_queue_change (self, changed, &command, error);
  if (ok)
    self->report_beats = report;
  fz_mutex_unlock (&self->lock);
  if (ok && changed)
    _flitzis_audio_engine_notify (self, PROP_REPORT_BEATS);
  return ok;
}

/* Control thread: a decaying tone that reaches 0 at its end. */
static void
synthesise_click (FzClick *click, guint rate, guint channels, double hz, double level)
{
  for (gsize i = 0; i < click->frames; i++)
    {
      double t = (double) i / rate;
      double envelope = exp (-t / CLICK_DECAY_S) * (1.0 - (double) i / click->frames);
      float value = (float) (level * envelope * cos (2.0 * G_PI * hz * t));

      for (guint c = 0; c < channels; c++)
        click->data[i * channels + c] = value;
    }
}

void
_flitzis_audio_engine_make_clicks (FzCore *core, guint sample_rate, guint channels)
{
  gsize frames = MAX ((gsize) sample_rate * CLICK_MS / 1000u, 1);

  if (!fz_core_alloc_clicks (core, frames))
    g_error ("%s: out of memory", G_STRLOC);
  for (guint i = 0; i < G_N_ELEMENTS (click_sounds); i++)
    synthesise_click (&core->clicks[i], sample_rate, channels, click_sounds[i].hz,
                      click_sounds[i].level);
}
