/* flitzis-audio-engine-commands.c: what is queued to the audio thread
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every command is checked on the calling control thread, then queued on
 * the core's command ring under the lock, and carried out by the audio
 * thread at the start of its next period.  Nothing here waits for the
 * audio thread: a command that cannot be queued fails at once with
 * FLITZIS_ENGINE_ERROR_QUEUE_FULL, and a bad one with an error that says
 * what is allowed, changing nothing.
 *
 * Parameters (the volume, a slot's gain and loop region here; its
 * retrigger policy and choke group in -pads.c) take the other path, the
 * core's parameter cells (core/fz-params.h): written under the lock,
 * latest value wins, taken by the audio thread at the start of its next
 * period before the commands.  They never fill the command ring, never
 * wait behind it, and cannot fail for a full queue.
 */
#include "config.h"

#include <math.h>

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"

/* ---- checks ---- */

gboolean
_flitzis_audio_engine_check_slot (FlitzisAudioEngine *self, guint id, GError **error)
{
  /* n_slots is fixed once constructed: no lock needed. */
  if (id < self->n_slots)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT,
               _("Sample slot %u does not exist; slots are numbered 0 to %u"),
               id, self->n_slots - 1);
  return FALSE;
}

gboolean
_flitzis_audio_engine_check_velocity (float velocity, GError **error)
{
  if (isfinite (velocity) && velocity >= 0.0f && velocity <= 1.0f)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_VELOCITY,
               _("Velocity %g is not allowed; a velocity is a number from 0.0 to 1.0"),
               (double) velocity);
  return FALSE;
}

static gboolean
is_valid_gain (double gain)
{
  /* NaN fails both comparisons, and infinities the bounds: no isfinite()
   * (9 instructions of every set_sample_gain()). */
  return gain >= 0.0 && gain <= FLITZIS_MAX_GAIN;
}

static gboolean
check_gain (double gain, GError **error)
{
  if (is_valid_gain (gain))
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN,
               _("Gain %g is not allowed; a gain is a number from 0.0 to %g"),
               gain, FLITZIS_MAX_GAIN);
  return FALSE;
}

static gboolean
check_volume (double volume, GError **error)
{
  if (is_valid_gain (volume))
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN,
               _("Volume %g is not allowed; the volume is a number from 0.0 to %g"),
               volume, FLITZIS_MAX_GAIN);
  return FALSE;
}

/* Called with the lock held. */
gboolean
_flitzis_audio_engine_check_running (FlitzisAudioEngine *self, GError **error)
{
  if (self->core != NULL)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING,
               _("The audio engine is not running; call run() first"));
  return FALSE;
}

/* Called with the lock held.  Never waits for the audio thread.  Replies
 * are taken first: an application that neither polls nor runs a main loop
 * must not stall the audio thread's retirements (and so, by admission
 * control, its commands). */
gboolean
_flitzis_audio_engine_send_command (FlitzisAudioEngine *self, const FzMsg *command, GError **error)
{
  _flitzis_audio_engine_drain_replies (self);
  if (fz_core_send (self->core, command))
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_QUEUE_FULL,
               g_dngettext (GETTEXT_PACKAGE,
                            "The command queue to the audio thread is full (%u command); "
                            "nothing was queued, try again once the audio thread has caught up",
                            "The command queue to the audio thread is full (%u commands); "
                            "nothing was queued, try again once the audio thread has caught up",
                            FLITZIS_QUEUE_CAPACITY),
               FLITZIS_QUEUE_CAPACITY);
  return FALSE;
}

/* Called without the lock: checks that the engine runs, queues @command. */
gboolean
_flitzis_audio_engine_send_running (FlitzisAudioEngine *self, const FzMsg *command, GError **error)
{
  gboolean ok;

  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error) && _flitzis_audio_engine_send_command (self, command, error);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/* Called without the lock: checks a trigger's slot and velocity, and that
 * the engine runs, then queues it. */
gboolean
_flitzis_audio_engine_queue_trigger (FlitzisAudioEngine *self, const FzMsg *play, GError **error)
{
  if (!_flitzis_audio_engine_check_slot (self, play->slot, error) || !_flitzis_audio_engine_check_velocity (play->gain, error))
    return FALSE;
  return _flitzis_audio_engine_send_running (self, play, error);
}


/**
 * flitzis_audio_engine_play_sample:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @velocity: the gain of the new voice, from 0.0 to 1.0
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Starts a voice playing slot @id from its beginning at the start of the
 * next audio period.  Triggering an empty slot is not an error: the
 * trigger is ignored.  When all [property@Flitzis.AudioEngine:voices] voices are busy the
 * trigger is dropped and counted ([method@Flitzis.EngineStats.get_dropped_voices]).
 *
 * Returns: %TRUE when the trigger was queued; %FALSE with @error set to
 *   [error@Flitzis.EngineError.INVALID_SLOT], [error@Flitzis.EngineError.INVALID_VELOCITY],
 *   [error@Flitzis.EngineError.NOT_RUNNING] or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_play_sample (FlitzisAudioEngine *self, guint id,
                                  float velocity, GError **error)
{
  FzMsg play = { .type = FZ_CMD_PLAY, .slot = id, .gain = velocity };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  play.start = flitzis_audio_engine_get_quantize (self);
  return _flitzis_audio_engine_queue_trigger (self, &play, error);
}

/**
 * flitzis_audio_engine_play_sample_at:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @velocity: the gain of the new voice, from 0.0 to 1.0
 * @frame: the frame time (see [method@Flitzis.AudioEngine.get_frame_time]) at
 *   which the voice's first frame plays
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Starts a voice playing slot @id exactly at @frame of the stream, in the
 * middle of an audio period if need be: sample-accurate scheduling, for
 * sequencers and loopers that queue their next bar ahead of time.  A
 * trigger whose frame has already passed when the audio thread takes it
 * starts at the first frame of that period instead, and is reported
 * ([signal@Flitzis.AudioEngine::trigger-late]).  Up to 1024 triggers wait at a time;
 * one more is dropped, counted and reported like a trigger that finds
 * every voice busy ([signal@Flitzis.AudioEngine::voice-dropped], with the requested
 * frame).  [method@Flitzis.AudioEngine.stop_sample] and
 * [method@Flitzis.AudioEngine.stop_all] cancel waiting triggers.
 *
 * Returns: %TRUE when the trigger was queued; %FALSE with @error set to
 *   [error@Flitzis.EngineError.INVALID_SLOT], [error@Flitzis.EngineError.INVALID_VELOCITY],
 *   [error@Flitzis.EngineError.NOT_RUNNING] or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_play_sample_at (FlitzisAudioEngine *self, guint id, float velocity,
                                     guint64 frame, GError **error)
{
  FzMsg play = { .type = FZ_CMD_PLAY_AT, .slot = id, .gain = velocity, .frame = frame };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _flitzis_audio_engine_queue_trigger (self, &play, error);
}

/**
 * flitzis_audio_engine_stop_sample:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Ends every voice of slot @id with a 5 ms fade, so that it does not
 * click, and cancels the slot's waiting triggers
 * ([method@Flitzis.AudioEngine.play_sample_at]).  Each voice reports
 * [signal@Flitzis.AudioEngine::sample-finished] when its fade is over.  The slot
 * keeps its sample.
 *
 * Returns: %TRUE when the stop was queued; %FALSE with @error set to
 *   [error@Flitzis.EngineError.INVALID_SLOT], [error@Flitzis.EngineError.NOT_RUNNING]
 *   or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_stop_sample (FlitzisAudioEngine *self, guint id, GError **error)
{
  FzMsg stop = { .type = FZ_CMD_STOP, .slot = id };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return FALSE;
  stop.start = flitzis_audio_engine_get_quantize (self);
  return _flitzis_audio_engine_send_running (self, &stop, error);
}

/**
 * flitzis_audio_engine_stop_all:
 * @self: a [class@Flitzis.AudioEngine]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Ends every voice with a 5 ms fade and cancels every waiting trigger, as
 * [method@Flitzis.AudioEngine.stop_sample] does for one slot.  The slots keep
 * their samples and the stream runs on.
 *
 * Returns: %TRUE when the stop was queued; %FALSE with @error set to
 *   [error@Flitzis.EngineError.NOT_RUNNING] or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_stop_all (FlitzisAudioEngine *self, GError **error)
{
  FzMsg stop = { .type = FZ_CMD_STOP, .slot = FZ_ALL_SLOTS };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stop.start = flitzis_audio_engine_get_quantize (self);
  return _flitzis_audio_engine_send_running (self, &stop, error);
}

/* Only a region that cannot be one is refused: the rest is clamped to the
 * sample that plays it, as it plays (see set_sample_loop()'s doc). */
static gboolean
check_loop (guint id, guint64 start, guint64 end, GError **error)
{
  if (end == 0 || end > start)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_LOOP,
               _("A loop from frame %llu to %llu is not possible in slot %u: the end must "
                 "come after the start, or be 0 for the sample’s end"),
               (unsigned long long) start, (unsigned long long) end, id);
  return FALSE;
}

/**
 * flitzis_audio_engine_set_sample_loop:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @loop: whether the slot's voices loop
 * @start_frame: the first frame of the loop, in frames of the sample as it
 *   plays (at the stream's rate: [method@Flitzis.SampleInfo.get_frames])
 * @end_frame: the frame after the loop's last one, or 0 for the sample's
 *   end
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Makes the voices of slot @id, playing now or triggered later, loop:
 * a voice starts at @start_frame, and once it reaches @end_frame goes on
 * at @start_frame, sample for sample, without a gap, until it is stopped.
 * Set while voices play, the region applies from the next audio period
 * on: a voice inside it plays on, and a voice outside it moves to
 * @start_frame with a 5 ms crossfade (no click).  With @loop %FALSE,
 * looping voices play on to the sample's end.
 *
 * The region belongs to the slot, not to the sample: it may be set on an
 * empty slot, and it stays when a sample is loaded into the slot or
 * replaced, until [method@Flitzis.AudioEngine.run] starts again.  It is
 * kept as set and clamped to each sample as it plays: an end of 0 or past
 * the sample's end is the sample's end; a start that is then not before
 * the end is 0 (the whole sample up to the end loops).  A longer sample
 * loaded later gets the region as set again.  Voices of a replaced sample
 * that still play on do not loop.
 *
 * Like every parameter, the region is not queued behind commands: of
 * several regions set between two audio periods the last one applies, at
 * the start of the next period, before that period's triggers (see
 * [method@Flitzis.AudioEngine.set_sample_gain]).  Setting the region a slot
 * has already changes nothing.
 *
 * Returns: %TRUE when the region was set; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.INVALID_LOOP] (an end not after the start, other
 *   than 0) or [error@Flitzis.EngineError.NOT_RUNNING]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_loop (FlitzisAudioEngine *self, guint id, gboolean loop,
                                      guint64 start_frame, guint64 end_frame, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error) ||
      !check_loop (id, start_frame, end_frame, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (ok)
    fz_params_set_loop (&self->core->params, id, loop != FALSE, start_frame, end_frame);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/* The engine's GType as its instances carry it, once one instance was
 * checked the full way (0 before): a final type's instances all have
 * exactly this one, so comparing it is the whole check, without calling
 * flitzis_audio_engine_get_type().  Any thread. */
static atomic_size_t engine_type;

static inline gboolean
is_engine (FlitzisAudioEngine *self)
{
  GTypeInstance *instance = (GTypeInstance *) self;

  return instance != NULL && instance->g_class != NULL &&
         instance->g_class->g_type == atomic_load_explicit (&engine_type, memory_order_relaxed);
}

/* set_sample_gain() the full way: each check with its message, and the
 * lock when the gate is closed (not running, or run() publishing its
 * core just now). */
static G_GNUC_NO_INLINE gboolean
set_sample_gain_checked (FlitzisAudioEngine *self, guint id, double gain, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  atomic_store_explicit (&engine_type, G_TYPE_FROM_INSTANCE (self), memory_order_relaxed);
  if (!_flitzis_audio_engine_check_slot (self, id, error) || !check_gain (gain, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (ok)
    fz_params_set_gain (&self->core->params, id, (float) gain);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_set_sample_gain:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @gain: the slot's gain, from 0.0 to [const@Flitzis.MAX_GAIN]; 1.0 leaves the
 *   sample as it is
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets the gain of every voice of slot @id, playing now or triggered later,
 * on top of each voice's velocity and the master
 * [property@Flitzis.AudioEngine:volume].  The change is a 5 ms ramp, so it never
 * clicks.  Each slot starts at 1.0 when the engine runs; the gain stays
 * when another sample is loaded.
 *
 * A gain is a parameter, not a command: it is not queued behind triggers
 * and stops, and cannot fail for a full queue, however often it is set
 * (a slider may call this a thousand times a second).  Of the gains set
 * between two audio periods the last one wins: its ramp starts on the
 * first frame of the next period, and ends exactly 5 ms later.  A trigger
 * carried out in that period plays with it, whether it was queued before
 * or after: a gain set before [method@Flitzis.AudioEngine.play_sample]
 * (from the same thread) is always in effect for that trigger.  Setting
 * the gain a slot has (or is ramping to) already changes nothing.
 *
 * Returns: %TRUE when the gain was set; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.INVALID_GAIN] or
 *   [error@Flitzis.EngineError.NOT_RUNNING]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_gain (FlitzisAudioEngine *self, guint id, double gain,
                                      GError **error)
{
  unsigned int gate;

  /* The usual case first, without a call or a register saved: a slider
   * moved at 1 kHz pays for a few checks, one store and two marks (about
   * 30 instructions; it was 185 with the lock and GObject's type check,
   * bench-core param gain).  Anything else takes set_sample_gain_checked(),
   * which says what was wrong. */
  if (G_LIKELY (is_engine (self) && (error == NULL || *error == NULL) &&
                id < self->n_slots && is_valid_gain (gain)))
    {
      gate = atomic_fetch_add_explicit (&self->param_gate, 2, memory_order_acquire);
      if (G_LIKELY (gate & 1u))
        fz_params_set_gain (&self->gate_core->params, id, (float) gain);
      atomic_fetch_sub_explicit (&self->param_gate, 2, memory_order_release);
      if (G_LIKELY (gate & 1u))
        return TRUE;
    }
  return set_sample_gain_checked (self, id, gain, error);
}

/* Called with the lock held (see the private header).  A setter that got
 * in before the gate closed finishes its few stores; the wait is for
 * that, so it yields rather than spins (the setter may be preempted). */
void
_flitzis_audio_engine_set_gate (FlitzisAudioEngine *self, FzCore *core)
{
  if (core != NULL)
    {
      self->gate_core = core;
      atomic_fetch_or_explicit (&self->param_gate, 1u, memory_order_release);
      return;
    }
  atomic_fetch_and_explicit (&self->param_gate, ~1u, memory_order_acq_rel);
  while (atomic_load_explicit (&self->param_gate, memory_order_acquire) != 0)
    g_thread_yield ();
  self->gate_core = NULL;
}


/* The isolator's band gains, in dB (fz-eq.h). */
#define EQ_KILL_DB (-60.0)
#define EQ_MAX_DB 6.0

static gboolean
check_band (const char *band, double db, GError **error)
{
  if (db >= EQ_KILL_DB && db <= EQ_MAX_DB)
    return TRUE;
  /* TRANSLATORS: the first %s is the band: "low", "mid" or "high". */
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_GAIN,
               _("A %s band of %g dB is not allowed; a band is from %g dB (silent) to %g dB"),
               band, db, EQ_KILL_DB, EQ_MAX_DB);
  return FALSE;
}

/* The factor a band plays at: -60 dB is a kill, silence, not 0.001. */
static float
band_factor (double db)
{
  return db <= EQ_KILL_DB ? 0.0f : (float) pow (10.0, db / 20.0);
}

/**
 * flitzis_audio_engine_set_sample_eq:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @low_db: the gain of the band below 250 Hz, in dB: -60.0 (silent) to 6.0
 * @mid_db: the gain of the band from 250 Hz to 4 kHz, in dB: -60.0 to 6.0
 * @high_db: the gain of the band above 4 kHz, in dB: -60.0 to 6.0
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets the 3-band isolator of slot @id, a DJ mixer's: the slot's sound is
 * split at 250 Hz and 4 kHz by Linkwitz-Riley crossovers of the 8th order
 * (48 dB an octave), and each band plays at its own gain.  -60.0 dB kills
 * a band: it is silent, not 60 dB down (what is left at a frequency is
 * the other bands' slopes: 100 Hz with the low band killed is some 64 dB
 * down, 1 kHz with the mid band killed 91 dB, 10 kHz with the high band
 * killed 73 dB).  The 8th order, not the 4th, because the 4th's slopes
 * (24 dB an octave) leave those tones only 32, 43 and 37 dB down.  The
 * crossovers stay below 0.45 times the sample rate.
 *
 * The isolator works on the sum of the slot's voices after their
 * velocity and the slot's gain, before the master
 * [property@Flitzis.AudioEngine:volume]; the slot's level
 * ([method@Flitzis.Levels.get_slot_peak]) is measured after it.  A change
 * glides over 5 ms, so it never clicks.  At 0 dB for all three bands the
 * isolator is off: the slot's voices play bit for bit as without it, at
 * no cost.  Away from flat, it costs the slot some 30 instructions per
 * output sample (docs/performance.md); the bands at 0 dB then add up to
 * the input's level within 0.1 dB, shifted in phase (an allpass): going
 * from flat to not flat, and back, crossfades over 5 ms.
 *
 * The gains belong to the slot, not to the sample: they may be set on an
 * empty slot, and stay when a sample is loaded or replaced, until
 * [method@Flitzis.AudioEngine.run] starts again (at 0 dB).  Like every
 * parameter ([method@Flitzis.AudioEngine.set_sample_gain]) they are not
 * queued behind commands: of several settings between two audio periods
 * the last applies, from the start of the next period.
 *
 * Returns: %TRUE when the gains were set; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.INVALID_GAIN] (a band outside -60.0 to 6.0
 *   dB, or not a number) or [error@Flitzis.EngineError.NOT_RUNNING]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_eq (FlitzisAudioEngine *self, guint id, double low_db,
                                    double mid_db, double high_db, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error) ||
      !check_band (_("low"), low_db, error) || !check_band (_("mid"), mid_db, error) ||
      !check_band (_("high"), high_db, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (ok)
    fz_params_set_eq (&self->core->params, id, band_factor (low_db), band_factor (mid_db),
                      band_factor (high_db));
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_set_volume:
 * @self: a [class@Flitzis.AudioEngine]
 * @volume: the master volume, from 0.0 to [const@Flitzis.MAX_GAIN]; 1.0 leaves
 *   the mix as it is
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:volume], the gain of the whole mix.  While
 * running, the change is a 5 ms ramp, so it never clicks; otherwise the
 * next [method@Flitzis.AudioEngine.run] starts at it.  An exact 1.0 leaves every
 * sample's bits unchanged.
 *
 * The volume is a parameter, as a slot's gain is
 * ([method@Flitzis.AudioEngine.set_sample_gain]): never queued behind
 * commands, the last value set between two audio periods wins, and its
 * ramp starts on the first frame of the next period.  It fails only for
 * a bad value.
 *
 * Returns: %TRUE when the volume was set; %FALSE, changing nothing, with
 *   @error set to [error@Flitzis.EngineError.INVALID_GAIN]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_volume (FlitzisAudioEngine *self, double volume, GError **error)
{
  gboolean changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_volume (volume, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  changed = self->volume != volume;
  if (changed && self->core != NULL)
    fz_params_set_gain (&self->core->params, FZ_MASTER, (float) volume);
  self->volume = volume;
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_VOLUME);
  return TRUE;
}

/**
 * flitzis_audio_engine_ping:
 * @self: a [class@Flitzis.AudioEngine]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Asks the audio thread for a sign of life.  It answers in its next period
 * with a [enum@Flitzis.MessageKind.PONG] message: [signal@Flitzis.AudioEngine::pong] is
 * emitted in the main context, and [method@Flitzis.AudioEngine.receive_msg]
 * returns it.
 *
 * Returns: %TRUE when the ping was queued; %FALSE with @error set to
 *   [error@Flitzis.EngineError.NOT_RUNNING] or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_ping (FlitzisAudioEngine *self, GError **error)
{
  FzMsg ping = { .type = FZ_CMD_PING };
  gboolean ok, was_awaiting;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fz_mutex_lock (&self->lock);
  ping.seq = self->pings_sent;
  was_awaiting = _flitzis_audio_engine_awaiting_replies (self);
  ok = _flitzis_audio_engine_check_running (self, error) && _flitzis_audio_engine_send_command (self, &ping, error);
  if (ok)
    {
      self->pings_sent++;
      _flitzis_audio_engine_wake_context (self, was_awaiting);
    }
  fz_mutex_unlock (&self->lock);
  return ok;
}

static gboolean
set_paused (FlitzisAudioEngine *self, gboolean paused, GError **error)
{
  FzMsg command = { .type = paused ? FZ_CMD_PAUSE : FZ_CMD_RESUME };
  gboolean ok, changed = FALSE;

  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (ok && self->paused != paused)
    {
      ok = _flitzis_audio_engine_send_command (self, &command, error);
      changed = ok;
      if (ok)
        self->paused = paused;
    }
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_PAUSED);
  return ok;
}

/**
 * flitzis_audio_engine_pause:
 * @self: a [class@Flitzis.AudioEngine]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Silences the output from the next audio period on, keeping the stream
 * open and every voice where it is: [method@Flitzis.AudioEngine.resume] goes on
 * from there, sample for sample.  While paused, commands are still carried
 * out (a trigger starts a voice that sounds on resume) and pings are
 * answered; the frame time goes on counting.  Pausing a paused engine does
 * nothing.
 *
 * Returns: %TRUE when the engine is (to be) paused; %FALSE with @error set
 *   to [error@Flitzis.EngineError.NOT_RUNNING] or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_pause (FlitzisAudioEngine *self, GError **error)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_paused (self, TRUE, error);
}

/**
 * flitzis_audio_engine_resume:
 * @self: a [class@Flitzis.AudioEngine]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Ends a [method@Flitzis.AudioEngine.pause] at the next audio period: the voices
 * go on from where they were.  Resuming an engine that is not paused does
 * nothing.
 *
 * Returns: %TRUE when the engine is (to be) playing; %FALSE with @error
 *   set to [error@Flitzis.EngineError.NOT_RUNNING] or
 *   [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_resume (FlitzisAudioEngine *self, GError **error)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_paused (self, FALSE, error);
}

