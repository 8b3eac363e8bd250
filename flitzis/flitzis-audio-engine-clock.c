/* flitzis-audio-engine-clock.c: the musical clock, control side
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The clock runs on the audio thread (core/fz-transport.c, with the
 * arithmetic of core/fz-clock.h): a tempo segment that the audio thread
 * changes at the start of a period and publishes.  This file holds the
 * transport's properties (tempo, beats-per-bar, downbeat-frame, quantize),
 * which are queued like every command (checked here, carried out at the
 * start of the next period), the position read from the published
 * segment, and the property plumbing of the metronome's and the beat
 * reports' properties too (flitzis-audio-engine-metronome.c).  Any control
 * thread; property notifications are emitted in the main context.
 */
#include "config.h"


#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"
#include "flitzis-enum-types.h"

G_STATIC_ASSERT (FLITZIS_MIN_TEMPO == FZ_CLOCK_MIN_TEMPO);
G_STATIC_ASSERT (FLITZIS_MAX_TEMPO == FZ_CLOCK_MAX_TEMPO);
G_STATIC_ASSERT (FLITZIS_MAX_BEATS_PER_BAR == FZ_CLOCK_MAX_BEATS_PER_BAR);
G_STATIC_ASSERT ((int) FLITZIS_QUANTIZE_BAR == (int) FZ_GRID_BAR);
G_STATIC_ASSERT ((int) FLITZIS_QUANTIZE_SIXTY_FOURTH == (int) FZ_GRID_SIXTY_FOURTH);

/* ---- checks ---- */

static gboolean
check_tempo (double bpm, GError **error)
{
  /* Also FALSE for NaN. */
  if (bpm >= FLITZIS_MIN_TEMPO && bpm <= FLITZIS_MAX_TEMPO)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_TEMPO,
               _("Tempo %g is not allowed; a tempo is %g to %g beats per minute"),
               bpm, FLITZIS_MIN_TEMPO, FLITZIS_MAX_TEMPO);
  return FALSE;
}

static gboolean
check_beats_per_bar (guint beats, GError **error)
{
  if (beats >= 1 && beats <= FLITZIS_MAX_BEATS_PER_BAR)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_METER,
               _("%u beats per bar is not allowed; a bar has 1 to %u beats"),
               beats, FLITZIS_MAX_BEATS_PER_BAR);
  return FALSE;
}

/* Called with the lock held: while running, queues @command when the
 * property @changed; stopped, there is nothing to queue (run() starts the
 * clock from the properties). */
gboolean
_flitzis_audio_engine_queue_change (FlitzisAudioEngine *self, gboolean changed,
                                    const FzMsg *command, GError **error)
{
  if (!changed || self->core == NULL)
    return TRUE;
  return _flitzis_audio_engine_send_command (self, command, error);
}

/* ---- the transport's properties ---- */

/**
 * flitzis_audio_engine_get_tempo:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:tempo].
 *
 * Returns: the tempo in beats per minute, as last set
 *
 * Since: 0.1
 */
double
flitzis_audio_engine_get_tempo (FlitzisAudioEngine *self)
{
  double tempo;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0.0);

  fz_mutex_lock (&self->lock);
  tempo = self->tempo;
  fz_mutex_unlock (&self->lock);
  return tempo;
}

/**
 * flitzis_audio_engine_set_tempo:
 * @self: a [class@Flitzis.AudioEngine]
 * @bpm: beats per minute, [const@Flitzis.MIN_TEMPO] to [const@Flitzis.MAX_TEMPO]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:tempo].  While running, the audio
 * thread changes tempo at the start of its next period, and the position
 * there stays what it was: the bar and beat go on from where they were, at
 * the new speed.
 *
 * Returns: %TRUE when the tempo was set (and queued while running);
 *   %FALSE, changing nothing, with @error set to
 *   [error@Flitzis.EngineError.INVALID_TEMPO] or
 *   [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_tempo (FlitzisAudioEngine *self, double bpm, GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_TEMPO };
  gboolean ok, changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_tempo (bpm, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  changed = self->tempo != bpm;
  command.start = fz_clock_step (bpm, self->sample_rate);
  ok = _flitzis_audio_engine_queue_change (self, changed, &command, error);
  if (ok && changed)
    {
      self->tempo = bpm;
      self->clock_serial++;
    }
  fz_mutex_unlock (&self->lock);
  if (ok && changed)
    _flitzis_audio_engine_notify (self, PROP_TEMPO);
  return ok;
}

/**
 * flitzis_audio_engine_get_beats_per_bar:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:beats-per-bar].
 *
 * Returns: the beats of a bar, as last set
 *
 * Since: 0.1
 */
guint
flitzis_audio_engine_get_beats_per_bar (FlitzisAudioEngine *self)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  return _flitzis_audio_engine_read_guint (self, &self->beats_per_bar);
}

/**
 * flitzis_audio_engine_set_beats_per_bar:
 * @self: a [class@Flitzis.AudioEngine]
 * @beats: the beats of a bar, 1 to [const@Flitzis.MAX_BEATS_PER_BAR]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:beats-per-bar], from the start of the
 * next audio period on while running.
 *
 * Returns: %TRUE when it was set (and queued while running); %FALSE,
 *   changing nothing, with @error set to
 *   [error@Flitzis.EngineError.INVALID_METER] or
 *   [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_beats_per_bar (FlitzisAudioEngine *self, guint beats, GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_BEATS_PER_BAR, .flag = beats };
  gboolean ok, changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_beats_per_bar (beats, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  changed = self->beats_per_bar != beats;
  ok = _flitzis_audio_engine_queue_change (self, changed, &command, error);
  if (ok)
    self->beats_per_bar = beats;
  fz_mutex_unlock (&self->lock);
  if (ok && changed)
    _flitzis_audio_engine_notify (self, PROP_BEATS_PER_BAR);
  return ok;
}

/**
 * flitzis_audio_engine_get_downbeat_frame:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:downbeat-frame].
 *
 * Returns: the frame of bar 1 beat 1, as last set (or synced)
 *
 * Since: 0.1
 */
guint64
flitzis_audio_engine_get_downbeat_frame (FlitzisAudioEngine *self)
{
  guint64 frame;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), 0);

  fz_mutex_lock (&self->lock);
  frame = self->downbeat_frame;
  fz_mutex_unlock (&self->lock);
  return frame;
}

/**
 * flitzis_audio_engine_set_downbeat_frame:
 * @self: a [class@Flitzis.AudioEngine]
 * @frame: the frame time (see [method@Flitzis.AudioEngine.get_frame_time])
 *   of bar 1 beat 1, past or future
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:downbeat-frame]: from the start of the
 * next audio period on, bar 1 beat 1 is at @frame, at the current tempo.
 * A frame still to come gives a count-in: the bars before it are numbered
 * 0, -1 and so on (the metronome clicks them; beats are reported from
 * bar 1 on).
 *
 * Returns: %TRUE when it was set (and queued while running); %FALSE,
 *   changing nothing, with @error set to [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_downbeat_frame (FlitzisAudioEngine *self, guint64 frame,
                                         GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_DOWNBEAT, .frame = frame };
  gboolean ok, changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fz_mutex_lock (&self->lock);
  changed = self->downbeat_frame != frame;
  ok = _flitzis_audio_engine_queue_change (self, changed, &command, error);
  if (ok && changed)
    {
      self->downbeat_frame = frame;
      self->clock_serial++;
    }
  fz_mutex_unlock (&self->lock);
  if (ok && changed)
    _flitzis_audio_engine_notify (self, PROP_DOWNBEAT_FRAME);
  return ok;
}

/**
 * flitzis_audio_engine_get_quantize:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:quantize].
 *
 * Returns: the grid that triggers and stops follow
 *
 * Since: 0.1
 */
FlitzisQuantize
flitzis_audio_engine_get_quantize (FlitzisAudioEngine *self)
{
  FlitzisQuantize quantize;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FLITZIS_QUANTIZE_NONE);

  fz_mutex_lock (&self->lock);
  quantize = self->quantize;
  fz_mutex_unlock (&self->lock);
  return quantize;
}

/**
 * flitzis_audio_engine_set_quantize:
 * @self: a [class@Flitzis.AudioEngine]
 * @quantize: the grid that triggers and stops follow from now on
 *
 * Sets [property@Flitzis.AudioEngine:quantize].  It applies to the
 * commands queued from now on; those queued before keep the grid they were
 * queued with.
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_quantize (FlitzisAudioEngine *self, FlitzisQuantize quantize)
{
  gboolean changed;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));
  g_return_if_fail ((guint) quantize <= FLITZIS_QUANTIZE_SIXTY_FOURTH);

  fz_mutex_lock (&self->lock);
  changed = self->quantize != quantize;
  self->quantize = quantize;
  /* MIDI triggers snap to it on the audio thread (fz-midi-in.h). */
  if (self->core != NULL)
    fz_core_set_midi_grid (self->core, (uint32_t) quantize);
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_QUANTIZE);
}

/* ---- reading the position ---- */

/* Called with the lock held: the segment from the properties, as run()
 * would start it at @rate. */
static FzTempo
tempo_from_properties (FlitzisAudioEngine *self, guint rate)
{
  return fz_clock_from_downbeat (self->downbeat_frame, fz_clock_step (self->tempo, rate),
                                 self->beats_per_bar);
}

/* The audio thread's segment as it last published it; when not running,
 * the one run() would start with (at the rate asked for, 48000 Hz for a
 * device's default). */
static FzTempo
read_tempo (FlitzisAudioEngine *self)
{
  FzTempo tempo;
  guint rate;

  fz_mutex_lock (&self->lock);
  if (self->core != NULL)
    fz_core_read_tempo (self->core, &tempo);
  else
    {
      rate = self->offline ? self->offline_rate : self->requested_rate;
      tempo = tempo_from_properties (self, rate != 0 ? rate : FZ_DEFAULT_OFFLINE_RATE);
    }
  fz_mutex_unlock (&self->lock);
  return tempo;
}

/**
 * flitzis_audio_engine_get_position:
 * @self: a [class@Flitzis.AudioEngine]
 * @frame: a frame time (see [method@Flitzis.AudioEngine.get_frame_time])
 * @bar: (out) (optional): the bar of @frame: 1 for the first bar from
 *   [property@Flitzis.AudioEngine:downbeat-frame] on, 0, -1 and so on
 *   before it
 * @beat: (out) (optional): the beat in the bar, 1 to
 *   [property@Flitzis.AudioEngine:beats-per-bar]
 * @fraction: (out) (optional): how far into the beat @frame is, from 0.0
 *   (on the beat) to below 1.0
 *
 * Reads the transport's position at @frame, computed from the same state
 * the audio thread uses: the tempo, downbeat and beats per bar it took at
 * the start of its latest period (a change set since, not yet taken, is
 * not in it), extended to @frame at that tempo, before and after.  A beat
 * falls on the first frame whose position is at or after it: at that
 * frame @fraction is (nearly) 0.  When the engine is not running, the
 * position is the one [method@Flitzis.AudioEngine.run] would start with.
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_get_position (FlitzisAudioEngine *self, guint64 frame, gint64 *bar,
                                   guint *beat, double *fraction)
{
  FzTempo tempo;
  FzBeatPos position;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  tempo = read_tempo (self);
  position = fz_clock_position (&tempo, frame);
  if (bar != NULL)
    *bar = fz_clock_bar (&tempo, position);
  if (beat != NULL)
    *beat = fz_clock_beat_in_bar (&tempo, position);
  if (fraction != NULL)
    *fraction = fz_clock_fraction (position);
}

/**
 * flitzis_audio_engine_get_grid_frame:
 * @self: a [class@Flitzis.AudioEngine]
 * @grid: a grid
 * @frame: a frame time (see [method@Flitzis.AudioEngine.get_frame_time])
 *
 * Finds the first frame at or after @frame on which a point of @grid falls,
 * as the audio thread finds it for a quantized trigger taken in the period
 * that starts at @frame (from the same state as
 * [method@Flitzis.AudioEngine.get_position]).
 *
 * Returns: the grid frame; @frame itself for [enum@Flitzis.Quantize.NONE]
 *
 * Since: 0.1
 */
guint64
flitzis_audio_engine_get_grid_frame (FlitzisAudioEngine *self, FlitzisQuantize grid,
                                     guint64 frame)
{
  FzTempo tempo;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), frame);
  g_return_val_if_fail ((guint) grid <= FLITZIS_QUANTIZE_SIXTY_FOURTH, frame);

  tempo = read_tempo (self);
  return fz_clock_grid_frame (&tempo, (FzGrid) grid, frame);
}

/* ---- the audio thread's clock ---- */

void
_flitzis_audio_engine_start_clock (FlitzisAudioEngine *self, FzCore *core, guint sample_rate,
                                   guint channels)
{
  FzTempo tempo;

  fz_mutex_lock (&self->lock);
  tempo = tempo_from_properties (self, sample_rate);
  core->metronome = self->metronome;
  core->metronome_gain = (float) self->metronome_volume;
  core->report_beats = self->report_beats;
  fz_mutex_unlock (&self->lock);
  fz_core_init_clock (core, &tempo);
  _flitzis_audio_engine_make_clicks (core, sample_rate, channels);
}

/* Called with the lock held: while beats are reported by a device stream,
 * the main context polls once the next one should be there (an offline
 * engine's come with each render(), which the source sees at once). */
gint
_flitzis_audio_engine_clock_poll_ms (FlitzisAudioEngine *self)
{
  FzTempo tempo;
  guint64 now, next;

  if (!self->report_beats || self->core == NULL || self->stream == NULL || self->sample_rate == 0)
    return -1;
  fz_core_read_tempo (self->core, &tempo);
  now = fz_core_get_frame_time (self->core);
  next = fz_clock_frame_of (&tempo, (FzBeatPos) { .beats = fz_clock_first_beat (&tempo, now) });
  if (next == G_MAXUINT64)
    return -1;
  return (gint) MIN ((next - now) * 1000u / self->sample_rate + 1u, (guint64) G_MAXINT);
}

/* ---- properties ---- */

void
_flitzis_audio_engine_init_clock (FlitzisAudioEngine *self)
{
  self->tempo = 120.0;
  self->beats_per_bar = 4;
  self->metronome_volume = 1.0;
  self->report_beats = TRUE;
}

gboolean
_flitzis_audio_engine_clock_get_property (FlitzisAudioEngine *self, guint prop_id,
                                          GValue *value)
{
  switch (prop_id)
    {
    case PROP_TEMPO:
      g_value_set_double (value, flitzis_audio_engine_get_tempo (self));
      return TRUE;
    case PROP_BEATS_PER_BAR:
      g_value_set_uint (value, flitzis_audio_engine_get_beats_per_bar (self));
      return TRUE;
    case PROP_DOWNBEAT_FRAME:
      g_value_set_uint64 (value, flitzis_audio_engine_get_downbeat_frame (self));
      return TRUE;
    case PROP_QUANTIZE:
      g_value_set_enum (value, flitzis_audio_engine_get_quantize (self));
      return TRUE;
    case PROP_METRONOME:
      g_value_set_boolean (value, flitzis_audio_engine_get_metronome (self));
      return TRUE;
    case PROP_METRONOME_VOLUME:
      g_value_set_double (value, flitzis_audio_engine_get_metronome_volume (self));
      return TRUE;
    case PROP_REPORT_BEATS:
      g_value_set_boolean (value, flitzis_audio_engine_get_report_beats (self));
      return TRUE;
    default:
      return FALSE;
    }
}

/* A property setter cannot return an error: a value that cannot be queued
 * is not lost silently, it is logged (GObject has already refused values
 * out of the property's range, with a warning). */
gboolean
_flitzis_audio_engine_clock_set_property (FlitzisAudioEngine *self, guint prop_id,
                                          const GValue *value)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = TRUE;

  switch (prop_id)
    {
    case PROP_TEMPO:
      ok = flitzis_audio_engine_set_tempo (self, g_value_get_double (value), &error);
      break;
    case PROP_BEATS_PER_BAR:
      ok = flitzis_audio_engine_set_beats_per_bar (self, g_value_get_uint (value), &error);
      break;
    case PROP_DOWNBEAT_FRAME:
      ok = flitzis_audio_engine_set_downbeat_frame (self, g_value_get_uint64 (value), &error);
      break;
    case PROP_QUANTIZE:
      flitzis_audio_engine_set_quantize (self, g_value_get_enum (value));
      break;
    case PROP_METRONOME:
      ok = flitzis_audio_engine_set_metronome (self, g_value_get_boolean (value), &error);
      break;
    case PROP_METRONOME_VOLUME:
      ok = flitzis_audio_engine_set_metronome_volume (self, g_value_get_double (value), &error);
      break;
    case PROP_REPORT_BEATS:
      ok = flitzis_audio_engine_set_report_beats (self, g_value_get_boolean (value), &error);
      break;
    default:
      return FALSE;
    }
  if (!ok)
    g_warning ("%s", error->message);
  return TRUE;
}

void
_flitzis_audio_engine_class_init_clock (GParamSpec **properties)
{
  /**
   * FlitzisAudioEngine:tempo: (getter get_tempo) (setter set_tempo)
   *
   * The transport's tempo in beats per minute, [const@Flitzis.MIN_TEMPO] to
   * [const@Flitzis.MAX_TEMPO] (120 by default).  Settable while running:
   * the audio thread changes tempo at the start of its next period, and the
   * musical position at that frame stays what it was (no jump of phase).
   *
   * A beat lasts 60 * rate / tempo frames, which need not be whole: the
   * clock counts beats in units of 2^-64 beat, each beat and grid point
   * falls on the first frame at or after its exact time, and grid frames
   * are computed from the latest change, never added up, so they do not
   * drift.  When a beat lasts a whole number of frames (120 BPM at 48 kHz:
   * 24000) every beat falls on its frame exactly.
   *
   * Since: 0.1
   */
  properties[PROP_TEMPO] =
    g_param_spec_double ("tempo", _("Tempo"), _("The transport’s tempo in beats per minute"),
                         FLITZIS_MIN_TEMPO, FLITZIS_MAX_TEMPO, 120.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:beats-per-bar: (getter get_beats_per_bar) (setter set_beats_per_bar)
   *
   * The beats of a bar, 1 to [const@Flitzis.MAX_BEATS_PER_BAR] (4 by
   * default).  Bars are counted from
   * [property@Flitzis.AudioEngine:downbeat-frame] on: a change regroups
   * the beats from there, from the start of the next period on.
   *
   * Since: 0.1
   */
  properties[PROP_BEATS_PER_BAR] =
    g_param_spec_uint ("beats-per-bar", _("Beats per bar"), _("The beats of a bar"),
                       1, FLITZIS_MAX_BEATS_PER_BAR, 4,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:downbeat-frame: (getter get_downbeat_frame) (setter set_downbeat_frame)
   *
   * The frame time of bar 1 beat 1 (0 by default).  Setting it places bar 1
   * beat 1 on that frame at the current tempo, from the start of the next
   * period on; a later tempo change keeps it where it was.
   * [method@Flitzis.AudioEngine.sync_transport_to_sample] sets it too.
   *
   * Since: 0.1
   */
  properties[PROP_DOWNBEAT_FRAME] =
    g_param_spec_uint64 ("downbeat-frame", _("Downbeat frame"),
                         _("The frame time of bar 1 beat 1"), 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:quantize: (getter get_quantize) (setter set_quantize)
   *
   * The grid that [method@Flitzis.AudioEngine.play_sample],
   * [method@Flitzis.AudioEngine.play_sample_exclusive],
   * [method@Flitzis.AudioEngine.stop_sample] and
   * [method@Flitzis.AudioEngine.stop_all] follow ([enum@Flitzis.Quantize.NONE]
   * by default: at once).  The audio thread starts a quantized voice on the
   * first grid frame at or after the start of the period in which it takes
   * the command: never in the past, never a period late, exact to the frame
   * ([method@Flitzis.AudioEngine.get_grid_frame] finds that frame).  A
   * quantized stop cancels, when taken, the slot's triggers waiting for its
   * grid frame or later, and fades out, from that frame, the slot's voices
   * that started before it.  [method@Flitzis.AudioEngine.play_sample_at] is
   * never quantized.  Quantized triggers and stops wait with those of
   * [method@Flitzis.AudioEngine.play_sample_at], 1024 at most.
   *
   * A looping slot whose loop is a whole number of bars long at the tempo
   * (96000 frames a bar at 120 BPM and 48 kHz), launched on
   * [enum@Flitzis.Quantize.BAR], stays on the grid for ever: its loop
   * starts again on every bar line, to the frame.  When a bar is not a
   * whole number of frames, no loop can be: a loop of n bars then drifts
   * from the grid by its length minus n bars, L - n * B frames, every time
   * it wraps.  With L the nearest whole number, that is at most half a
   * frame a wrap, k / 2 frames after k wraps; the grid itself is each
   * exact grid time rounded up, so the two are within k * |L - n * B| + 1
   * frames of each other.  Retrigger the loop on the grid (quantized
   * [method@Flitzis.AudioEngine.play_sample] with
   * [enum@Flitzis.Retrigger.RESTART]) to take the drift back to under a
   * frame.
   *
   * Since: 0.1
   */
  properties[PROP_QUANTIZE] =
    g_param_spec_enum ("quantize", _("Quantize"),
                       _("The grid that triggers and stops follow"),
                       FLITZIS_TYPE_QUANTIZE, FLITZIS_QUANTIZE_NONE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:metronome: (getter get_metronome) (setter set_metronome)
   *
   * Whether a click sounds on every beat, a higher and louder one on the
   * first beat of a bar (%FALSE by default).  The click is synthesised once
   * by [method@Flitzis.AudioEngine.run] and mixed by the audio thread on
   * the beat's frame exactly, with the voices, under
   * [property@Flitzis.AudioEngine:volume] and at
   * [property@Flitzis.AudioEngine:metronome-volume]: offline renders
   * include it.  The bars before bar 1 click too, as a count-in.
   *
   * Since: 0.1
   */
  properties[PROP_METRONOME] =
    g_param_spec_boolean ("metronome", _("Metronome"), _("Whether a click sounds on every beat"),
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:metronome-volume: (getter get_metronome_volume) (setter set_metronome_volume)
   *
   * The metronome's gain, from 0.0 to [const@Flitzis.MAX_GAIN] (1.0 by
   * default), applied from the next click on.
   *
   * Since: 0.1
   */
  properties[PROP_METRONOME_VOLUME] =
    g_param_spec_double ("metronome-volume", _("Metronome volume"), _("The metronome’s gain"),
                         0.0, FLITZIS_MAX_GAIN, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FlitzisAudioEngine:report-beats: (getter get_report_beats) (setter set_report_beats)
   *
   * Whether the audio thread reports every beat from bar 1 on: as
   * [signal@Flitzis.AudioEngine::beat] in the main context, and as
   * [enum@Flitzis.MessageKind.BEAT] messages for
   * [method@Flitzis.AudioEngine.receive_msg] (%TRUE by default: a handler
   * of [signal@Flitzis.AudioEngine::beat] needs nothing else).  An
   * application that only polls [method@Flitzis.AudioEngine.receive_msg]
   * gets a message a beat (two a second at 120 BPM) among its others.
   * As for every message, one that never polls keeps the newest
   * [const@Flitzis.QUEUE_CAPACITY]: older ones are pushed out and counted
   * ([method@Flitzis.EngineStats.get_dropped_messages]), and with no
   * main context running either, replies the audio thread could not hand
   * over are counted too ([method@Flitzis.EngineStats.get_dropped_events]).
   * Set this to %FALSE for no beat messages at all.  Beats before bar 1
   * (a count-in, see [property@Flitzis.AudioEngine:downbeat-frame]) are
   * never reported: [method@Flitzis.AudioEngine.get_position] gives their
   * bar, 0 or less.
   *
   * Since: 0.1
   */
  properties[PROP_REPORT_BEATS] =
    g_param_spec_boolean ("report-beats", _("Report beats"),
                          _("Whether every beat is reported as a message and a signal"), TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}
