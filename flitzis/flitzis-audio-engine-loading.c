/* flitzis-audio-engine-loading.c: how samples are loaded: the loading
 * pool and the resample-quality property
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Async loads (flitzis-audio-engine-samples.c) decode on the loading
 * pool: one GThreadPool for the whole process, as many threads as there
 * are cores, so that a bank of a few hundred files loads on every core
 * and no more (GLib's shared task pool, which g_task_run_in_thread() used,
 * runs ten and more at once and grows when they block, each with its
 * decoded sample in memory, and starves other users of that pool).  Loads
 * queue in the order they were asked for.
 *
 * Decoding converts a file of another rate than the stream's with
 * libsoxr, at the recipe resample-quality names, taken when the load
 * begins.
 */
#include "config.h"

#include "flitzis-audio-engine-private.h"
#include "flitzis-engine-error.h"
#include "flitzis-enum-types.h"
#include "fz-resampler.h"
#include "fz-tsan.h"

G_STATIC_ASSERT ((int) FLITZIS_RESAMPLE_QUICK == (int) FZ_RESAMPLE_QUICK);
G_STATIC_ASSERT ((int) FLITZIS_RESAMPLE_LOW == (int) FZ_RESAMPLE_LOW);
G_STATIC_ASSERT ((int) FLITZIS_RESAMPLE_MEDIUM == (int) FZ_RESAMPLE_MEDIUM);
G_STATIC_ASSERT ((int) FLITZIS_RESAMPLE_HIGH == (int) FZ_RESAMPLE_HIGH);
G_STATIC_ASSERT ((int) FLITZIS_RESAMPLE_VERY_HIGH == (int) FZ_RESAMPLE_VERY_HIGH);

/* ---- the loading pool ---- */

typedef struct {
  GTask *task;
  GTaskThreadFunc func;
} FzLoadJob;

/* A loading thread: what g_task_run_in_thread() would have called, then
 * the job's reference to its task goes. */
static void
run_job (gpointer data, gpointer pool_data)
{
  FzLoadJob *job = data;
  GTask *task;

  (void) pool_data;
  /* Handed over through GThreadPool's queue, whose futex-based GMutex
   * ThreadSanitizer does not see (fz-tsan.h). */
  fz_tsan_acquire (job);
  task = job->task;
  job->func (task, g_task_get_source_object (task), g_task_get_task_data (task),
             g_task_get_cancellable (task));
  g_object_unref (task);
  g_free (job);
}

/* Made once, never freed (as GLib's own task pool): its threads wait for
 * work and exit once idle (g_thread_pool_set_max_idle_time()'s default). */
static GThreadPool *
loading_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      guint cores = MAX (g_get_num_processors (), 1);
      GThreadPool *made = g_thread_pool_new (run_job, NULL, (gint) cores, FALSE, NULL);

      g_once_init_leave (&pool, made);
    }
  return pool;
}

void
_flitzis_audio_engine_run_load_task (GTask *task, GTaskThreadFunc func)
{
  FzLoadJob *job = g_new (FzLoadJob, 1);
  g_autoptr (GError) error = NULL;

  job->task = g_object_ref (task);
  job->func = func;
  fz_tsan_release (job);
  /* A non-exclusive pool makes its threads as work comes: pushing fails
   * only when a thread cannot be made, and the job then waits for one
   * that can (GLib logs why). */
  if (!g_thread_pool_push (loading_pool (), job, &error))
    g_warning ("A loading thread could not be started: %s", error->message);
}

/* ---- resample-quality ---- */

void
_flitzis_audio_engine_class_init_loading (GParamSpec **properties)
{
  /**
   * FlitzisAudioEngine:resample-quality: (getter get_resample_quality) (setter set_resample_quality)
   *
   * How a file of another sample rate than the stream's is converted when
   * it is loaded: libsoxr's recipes from quick (cubic interpolation) to
   * very high (28-bit), [enum@Flitzis.ResampleQuality.HIGH] by default.
   * See [method@Flitzis.AudioEngine.set_resample_quality].
   *
   * Since: 0.1
   */
  properties[PROP_RESAMPLE_QUALITY] =
    g_param_spec_enum ("resample-quality", _("Resample quality"),
                       _("How samples of another rate than the stream's are converted when "
                         "they are loaded"),
                       FLITZIS_TYPE_RESAMPLE_QUALITY, FLITZIS_RESAMPLE_HIGH,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

void
_flitzis_audio_engine_init_loading (FlitzisAudioEngine *self)
{
  self->resample_quality = FLITZIS_RESAMPLE_HIGH;
}

gboolean
_flitzis_audio_engine_loading_get_property (FlitzisAudioEngine *self, guint prop_id,
                                            GValue *value)
{
  if (prop_id != PROP_RESAMPLE_QUALITY)
    return FALSE;
  g_value_set_enum (value, flitzis_audio_engine_get_resample_quality (self));
  return TRUE;
}

gboolean
_flitzis_audio_engine_loading_set_property (FlitzisAudioEngine *self, guint prop_id,
                                            const GValue *value)
{
  g_autoptr (GError) error = NULL;

  if (prop_id != PROP_RESAMPLE_QUALITY)
    return FALSE;
  /* The spec refuses values that are not in the enum first. */
  if (!flitzis_audio_engine_set_resample_quality (self, g_value_get_enum (value), &error))
    g_warning ("%s", error->message);
  return TRUE;
}

/**
 * flitzis_audio_engine_get_resample_quality:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:resample-quality].
 *
 * Returns: how loads that begin from now on convert sample rates
 *
 * Since: 0.1
 */
FlitzisResampleQuality
flitzis_audio_engine_get_resample_quality (FlitzisAudioEngine *self)
{
  FlitzisResampleQuality quality;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FLITZIS_RESAMPLE_HIGH);

  fz_mutex_lock (&self->lock);
  quality = (FlitzisResampleQuality) self->resample_quality;
  fz_mutex_unlock (&self->lock);
  return quality;
}

/**
 * flitzis_audio_engine_set_resample_quality:
 * @self: a [class@Flitzis.AudioEngine]
 * @quality: the recipe loads that begin from now on convert with
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets [property@Flitzis.AudioEngine:resample-quality].  A file whose rate
 * is not the stream's is converted to it once, as it is loaded; the audio
 * thread never resamples, so the recipe costs load time and nothing while
 * playing.  [enum@Flitzis.ResampleQuality.HIGH], the default, is libsoxr's
 * high quality (20-bit precision: a 1 kHz sine converted from 44.1 to
 * 48 kHz is within -134 dB of the exact one).
 * [enum@Flitzis.ResampleQuality.QUICK] is a cubic interpolation, several
 * times faster: clean for low frequencies (-103 dB at 1 kHz) but not for
 * high ones (-55 dB at 4 kHz, -32 dB at 8 kHz), for previews and
 * sketches; low and medium are libsoxr's 16-bit recipes (-114 and
 * -109 dB at 1 kHz).  tests/engine/test-resample-quality.c and
 * docs/performance.md measure each.  The setting applies to loads that
 * begin after it, sync or async; samples already loaded stay as they
 * are.
 *
 * Returns: %TRUE; %FALSE with [error@Flitzis.EngineError.INVALID_ARGUMENT]
 *   when @quality is not a [enum@Flitzis.ResampleQuality], changing
 *   nothing
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_set_resample_quality (FlitzisAudioEngine *self,
                                           FlitzisResampleQuality quality, GError **error)
{
  gboolean changed;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((guint) quality > FLITZIS_RESAMPLE_VERY_HIGH)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("Resample quality %d does not exist; the qualities are %d (quick) to "
                     "%d (very high)"),
                   (int) quality, FLITZIS_RESAMPLE_QUICK, FLITZIS_RESAMPLE_VERY_HIGH);
      return FALSE;
    }
  fz_mutex_lock (&self->lock);
  changed = self->resample_quality != (guint) quality;
  self->resample_quality = quality;
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_RESAMPLE_QUALITY);
  return TRUE;
}
