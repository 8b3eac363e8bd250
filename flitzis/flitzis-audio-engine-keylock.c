/* flitzis-audio-engine-keylock.c: key lock and pitch, through the core's stretchers
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A slot's key lock and pitch live in the core's slot table, like its loop
 * region and tempo: they stay when a sample is loaded or replaced, until
 * run() starts again.  The key-lock property is the key lock of every slot
 * not set with set_sample_key_lock(), and lasts across runs.  The
 * stretchers (fz-stretch-rubberband.c) are made on the calling thread the
 * first time a run needs one, before the audio thread is told of them,
 * and freed once the core that used them is gone.  Any control thread.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"
#include "core/fz-keylock.h"
#include "fz-stretch-rubberband.h"

static gboolean
check_supported (GError **error)
{
  if (fz_stretch_supported ())
    return TRUE;
  g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_SUPPORTED,
                       _("Key lock and pitch shift are not supported: this build of libflitzis "
                         "has no Rubber Band (it was configured --without-rubberband)"));
  return FALSE;
}

static gboolean
check_pitch (guint id, double semitones, GError **error)
{
  if (semitones >= -FLITZIS_MAX_PITCH && semitones <= FLITZIS_MAX_PITCH)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
               _("Pitch %g is not allowed for slot %u; a slot’s pitch is %g to %g semitones"),
               semitones, id, -FLITZIS_MAX_PITCH, FLITZIS_MAX_PITCH);
  return FALSE;
}

/* Called without the lock: a pool for the running core's format, made
 * without holding the lock (some 4 ms a stretcher), or NULL when the
 * core has one already or the engine is not running; *@run_id: the run
 * it is for. */
static FzStretchPool *
make_pool (FlitzisAudioEngine *self, guint *run_id)
{
  guint rate, channels;
  gboolean needed;

  fz_mutex_lock (&self->lock);
  needed = self->core != NULL && self->stretch_pool == NULL;
  rate = self->sample_rate;
  channels = self->channels;
  *run_id = self->run_id;
  fz_mutex_unlock (&self->lock);
  return needed ? fz_stretch_pool_new (rate, channels) : NULL;
}

/* Called with the lock held, while running: the core has its stretchers
 * (@pool, from make_pool() for run @run_id, is taken or freed). */
static gboolean
install_pool (FlitzisAudioEngine *self, FzStretchPool *pool, guint run_id, GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_STRETCH_POOL };

  if (self->stretch_pool != NULL)
    {
      /* Another caller's came first. */
      fz_stretch_pool_free (pool);
      return TRUE;
    }
  if (run_id != self->run_id)
    {
      fz_stretch_pool_free (pool);
      g_set_error_literal (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING,
                           _("The engine started again while its stretchers were made; "
                             "nothing was changed"));
      return FALSE;
    }
  if (pool == NULL)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_SUPPORTED,
                   _("Key lock is not supported for %u channels (1 to 8 are)"), self->channels);
      return FALSE;
    }
  command.start = (guint64) (uintptr_t) pool;
  if (!_flitzis_audio_engine_send_command (self, &command, error))
    {
      fz_stretch_pool_free (pool);
      return FALSE;
    }
  self->stretch_pool = pool;
  return TRUE;
}

/* Called without the lock: the pool (when @needs_pool) and then @command. */
static gboolean
send_slot_command (FlitzisAudioEngine *self, const FzMsg *command, gboolean needs_pool,
                   GError **error)
{
  FzStretchPool *pool = NULL;
  guint run_id = 0;
  gboolean ok;

  if (needs_pool)
    pool = make_pool (self, &run_id);
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (!ok)
    fz_stretch_pool_free (pool);
  ok = ok && (!needs_pool || install_pool (self, pool, run_id, error)) &&
       _flitzis_audio_engine_send_command (self, command, error);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_set_sample_key_lock:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @key_lock: whether the slot's voices keep their pitch whatever their speed
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Key-locks slot @id, or not: a key-locked voice keeps its pitch whatever
 * its speed (it is time-stretched, with Rubber Band), while one that is not
 * plays faster and higher, or slower and lower (varispeed).  Once set, the
 * slot keeps this setting whatever [property@Flitzis.AudioEngine:key-lock]
 * says, until [method@Flitzis.AudioEngine.run] starts again; it stays when
 * a sample is loaded or replaced.  Voices that play already take the new
 * setting from the next period on; voices that start get a stretcher when
 * they need one (key-locked, or [method@Flitzis.AudioEngine.set_sample_pitch]
 * not 0).
 *
 * At most [const@Flitzis.MAX_KEY_LOCKED_VOICES] voices are stretched at
 * once: a trigger that needs a stretcher when all are busy is dropped, as
 * one that finds every voice busy is (see
 * [signal@Flitzis.AudioEngine::voice-dropped] and
 * [method@Flitzis.EngineStats.get_dropped_voices]).
 *
 * A stretched voice's first frame sounds on its trigger frame, as an
 * unstretched one's does: the stretcher's latency is made up for.
 *
 * The first call of a run that needs the stretchers makes them (some
 * 70 ms for 16 stereo stretchers, on the calling thread).
 *
 * Returns: %TRUE when it was queued; %FALSE, changing nothing, with @error
 *   set to [error@Flitzis.EngineError.NOT_SUPPORTED] (a build without Rubber
 *   Band), [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.NOT_RUNNING] or
 *   [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_key_lock (FlitzisAudioEngine *self, guint id, gboolean key_lock,
                                          GError **error)
{
  FzMsg command = {
    .type = FZ_CMD_SET_KEY_LOCK, .slot = id, .flag = key_lock ? FZ_KEY_LOCK_ON : FZ_KEY_LOCK_OFF,
  };

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_supported (error) || !_flitzis_audio_engine_check_slot (self, id, error))
    return FALSE;
  return send_slot_command (self, &command, key_lock, error);
}

/**
 * flitzis_audio_engine_set_sample_pitch:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @semitones: the pitch shift, -[const@Flitzis.MAX_PITCH] to
 *   [const@Flitzis.MAX_PITCH] semitones (0: none, the default)
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Shifts the pitch of slot @id by @semitones, independently of its speed
 * (a key change): +12 plays an octave higher at the same length.  A voice
 * that is not key-locked changes pitch with its speed as well.  The pitch
 * belongs to the slot like its key lock
 * ([method@Flitzis.AudioEngine.set_sample_key_lock]): it stays when a sample
 * is loaded, until [method@Flitzis.AudioEngine.run] starts again, and a
 * voice with a pitch other than 0 takes one of the
 * [const@Flitzis.MAX_KEY_LOCKED_VOICES] stretchers.
 *
 * Returns: %TRUE when it was queued; %FALSE, changing nothing, with @error
 *   set to [error@Flitzis.EngineError.NOT_SUPPORTED] (a build without Rubber
 *   Band), [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.INVALID_ARGUMENT] (out of range, or not a
 *   number), [error@Flitzis.EngineError.NOT_RUNNING] or
 *   [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_sample_pitch (FlitzisAudioEngine *self, guint id, double semitones,
                                       GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_PITCH, .slot = id };
  double factor;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_supported (error) || !_flitzis_audio_engine_check_slot (self, id, error) ||
      !check_pitch (id, semitones, error))
    return FALSE;
  factor = semitones == 0.0 ? 1.0 : exp2 (semitones / 12.0);
  memcpy (&command.start, &factor, sizeof command.start);
  return send_slot_command (self, &command, semitones != 0.0, error);
}

/**
 * flitzis_audio_engine_get_key_lock:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:key-lock].
 *
 * Returns: whether slots not set otherwise are key-locked
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_key_lock (FlitzisAudioEngine *self)
{
  gboolean key_lock;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  fz_mutex_lock (&self->lock);
  key_lock = self->key_lock;
  fz_mutex_unlock (&self->lock);
  return key_lock;
}

/**
 * flitzis_audio_engine_set_key_lock:
 * @self: a [class@Flitzis.AudioEngine]
 * @key_lock: whether slots not set otherwise are key-locked
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:key-lock]; while running, the audio
 * thread takes it from its next period on.
 *
 * Returns: %TRUE when it was set; %FALSE, changing nothing, with @error set
 *   to [error@Flitzis.EngineError.NOT_SUPPORTED] (%TRUE in a build without
 *   Rubber Band) or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_key_lock (FlitzisAudioEngine *self, gboolean key_lock, GError **error)
{
  FzMsg command = { .type = FZ_CMD_SET_KEY_LOCK_DEFAULT, .flag = key_lock != FALSE };
  gboolean ok = TRUE, changed;
  FzStretchPool *pool = NULL;
  guint run_id = 0;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key_lock = key_lock != FALSE;
  if (key_lock && !check_supported (error))
    return FALSE;
  if (key_lock)
    pool = make_pool (self, &run_id);
  fz_mutex_lock (&self->lock);
  changed = self->key_lock != key_lock;
  if (changed && self->core != NULL)
    ok = (!key_lock || install_pool (self, pool, run_id, error)) &&
         _flitzis_audio_engine_send_command (self, &command, error);
  else
    fz_stretch_pool_free (pool);
  if (ok)
    self->key_lock = key_lock;
  fz_mutex_unlock (&self->lock);
  if (ok && changed)
    _flitzis_audio_engine_notify (self, PROP_KEY_LOCK);
  return ok;
}

/* Called with the lifecycle lock held, before the stream starts: with the
 * property on, the new core has its stretchers from its first period. */
void
_flitzis_audio_engine_start_keylock (FlitzisAudioEngine *self, FzCore *core, guint sample_rate,
                                     guint channels)
{
  FzStretchPool *pool = NULL;
  gboolean key_lock;

  fz_mutex_lock (&self->lock);
  key_lock = self->key_lock;
  fz_mutex_unlock (&self->lock);
  /* Made without the lock: some 4 ms a stretcher. */
  if (key_lock)
    pool = fz_stretch_pool_new (sample_rate, channels);
  fz_mutex_lock (&self->lock);
  g_assert (self->stretch_pool == NULL);
  self->stretch_pool = pool;
  core->mixer.stretch = pool;
  core->mixer.key_lock = pool != NULL;
  fz_mutex_unlock (&self->lock);
}

/* Called with the lock held, as the core goes (with @free_pool: freed). */
void
_flitzis_audio_engine_forget_keylock (FlitzisAudioEngine *self, gboolean free_pool)
{
  if (free_pool)
    fz_stretch_pool_free (self->stretch_pool);
  self->stretch_pool = NULL;
}

gboolean
_flitzis_audio_engine_keylock_get_property (FlitzisAudioEngine *self, guint prop_id,
                                            GValue *value)
{
  if (prop_id != PROP_KEY_LOCK)
    return FALSE;
  g_value_set_boolean (value, flitzis_audio_engine_get_key_lock (self));
  return TRUE;
}

/* A property setter cannot return an error: it is logged. */
gboolean
_flitzis_audio_engine_keylock_set_property (FlitzisAudioEngine *self, guint prop_id,
                                            const GValue *value)
{
  g_autoptr (GError) error = NULL;

  if (prop_id != PROP_KEY_LOCK)
    return FALSE;
  if (!flitzis_audio_engine_set_key_lock (self, g_value_get_boolean (value), &error))
    g_warning ("%s", error->message);
  return TRUE;
}

void
_flitzis_audio_engine_class_init_keylock (GParamSpec **properties)
{
  /**
   * FlitzisAudioEngine:key-lock: (getter get_key_lock) (setter set_key_lock)
   *
   * Whether slots are key-locked: the key lock of every slot that
   * [method@Flitzis.AudioEngine.set_sample_key_lock] has not set since
   * [method@Flitzis.AudioEngine.run] started (a slot that was set keeps its
   * own setting, on or off, whatever this says).  %FALSE by default; it
   * lasts across runs.  A build without Rubber Band refuses %TRUE
   * ([error@Flitzis.EngineError.NOT_SUPPORTED], logged as a warning when
   * set as a property).
   *
   * Since: 0.1
   */
  properties[PROP_KEY_LOCK] =
    g_param_spec_boolean ("key-lock", _("Key lock"),
                          _("Whether slots keep their pitch whatever their speed, unless set "
                            "one by one"),
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}
