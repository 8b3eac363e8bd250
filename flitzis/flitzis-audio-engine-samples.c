/* flitzis-audio-engine-samples.c: the samples the slots hold
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A sample is decoded on the control thread that loads it (or a GTask
 * worker, for the async twin), without the lock, then published: its
 * pointer travels to the audio thread in an FZ_CMD_LOAD command, which
 * owns one reference from then on.  The sample it replaces comes back in
 * an FZ_REPLY_RETIRE once no voice plays it, and is freed here, on a
 * control thread, never on the audio thread.
 */
#include "config.h"

#include "flitzis-audio-engine-private.h"
#include "fz-memlock.h"
#include "flitzis-engine-error.h"
#include "fz-loader.h"
#include "fz-waveform.h"

/* Called with the lock held: a sample decoded for one run must not be
 * published into the next, whose stream may have another layout. */
static gboolean
check_same_run (FlitzisAudioEngine *self, guint run_id, const char *display, GError **error)
{
  if (self->run_id == run_id)
    return TRUE;
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING,
               _("The audio engine was restarted while “%s” was loading; load it again"),
               display);
  return FALSE;
}

/* Called with the lock held.  Queues @sample (NULL: none) for slot @id,
 * taking the reference of @sample and of @info. */
static gboolean
publish (FlitzisAudioEngine *self, guint id, FzSample *sample, FlitzisSampleInfo *info,
         GError **error)
{
  FzMsg load = { .type = FZ_CMD_LOAD, .slot = id, .sample = sample };
  FzSample *old = self->published[id];

  if (!_flitzis_audio_engine_send_command (self, &load, error))
    {
      fz_sample_unref (sample);
      g_clear_pointer (&info, flitzis_sample_info_unref);
      return FALSE;
    }
  /* The audio thread now holds @sample's reference; the control side keeps
   * its own, so that it can tell what the slot holds. */
  self->published[id] = sample != NULL ? fz_sample_ref (sample) : NULL;
  g_clear_pointer (&self->infos[id], flitzis_sample_info_unref);
  self->infos[id] = info;
  if (old != NULL)
    {
      /* The audio thread hands its reference to @old back once no voice
       * plays it any more. */
      gboolean was_awaiting = _flitzis_audio_engine_awaiting_replies (self);

      fz_sample_unref (old);
      self->retires_in_flight++;
      _flitzis_audio_engine_wake_context (self, was_awaiting);
    }
  return TRUE;
}

/* One load of a sample into a slot, from its start to its publication. */
typedef struct {
  guint id;
  char *path;                 /* NULL for PCM from memory */
  GBytes *pcm;                /* NULL for a file */
  guint pcm_rate;
  guint pcm_channels;
  char *display;              /* what messages call it */
  FzProgress *progress;       /* async loads only */
  guint rate;
  guint channels;
  guint run_id;
  guint64 serial;             /* the slot's load_serials[] when it began */
  GCancellable *superseded;   /* cancelled by a newer load of the slot */
  gboolean lock_memory;       /* lock-memory when it began */
  /* Async loads: not a reference.  The caller's task holds the engine
   * until load_done(), in the caller's context, after the worker. */
  FlitzisAudioEngine *engine;
  FzResampleQuality quality;  /* resample-quality when it began */
} FzLoad;

static void
fz_load_free (FzLoad *load)
{
  /* The last reference to the worker's task may go on either thread,
   * after load_done() took the progress in the main context; GLib's
   * reference count orders them (fz-tsan.h). */
  fz_tsan_acquire (load);
  g_free (load->path);
  g_clear_pointer (&load->pcm, g_bytes_unref);
  g_free (load->display);
  g_clear_object (&load->superseded);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FzLoad, fz_load_free)

/* Called with the lock held: any load of slot @id still in flight will not
 * publish, and finishes with G_IO_ERROR_CANCELLED. */
static void
supersede_loads (FlitzisAudioEngine *self, guint id)
{
  self->load_serials[id]++;
  if (self->loading[id] != NULL)
    {
      g_cancellable_cancel (self->loading[id]);
      g_clear_object (&self->loading[id]);
    }
}

/* Any control thread: a new load of @path (or, with @path NULL, of @pcm)
 * into slot @id, superseding older ones, or NULL with @error set. */
static FzLoad *
begin_load (FlitzisAudioEngine *self, guint id, const char *path, GBytes *pcm, GError **error)
{
  FzLoad *load;

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return NULL;
  fz_mutex_lock (&self->lock);
  if (!_flitzis_audio_engine_check_running (self, error))
    {
      fz_mutex_unlock (&self->lock);
      return NULL;
    }
  supersede_loads (self, id);
  load = g_new0 (FzLoad, 1);
  load->id = id;
  load->path = g_strdup (path);
  load->pcm = pcm != NULL ? g_bytes_ref (pcm) : NULL;
  load->display = path != NULL ? g_filename_display_name (path) : g_strdup (_("PCM from memory"));
  load->rate = self->sample_rate;
  load->channels = self->channels;
  load->run_id = self->run_id;
  load->serial = self->load_serials[id];
  load->lock_memory = self->lock_memory;
  load->quality = (FzResampleQuality) self->resample_quality;
  load->superseded = g_cancellable_new ();
  self->loading[id] = g_object_ref (load->superseded);
  fz_mutex_unlock (&self->lock);
  return load;
}

static gboolean
set_superseded_error (const FzLoad *load, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
               _("Loading “%s” into slot %u was cancelled: a newer load or unload of the "
                 "slot replaced it"), load->display, load->id);
  return FALSE;
}

/* Called with the lock held. */
static gboolean
check_still_wanted (FlitzisAudioEngine *self, const FzLoad *load, GCancellable *cancellable,
                    GError **error)
{
  if (!_flitzis_audio_engine_check_running (self, error) || !check_same_run (self, load->run_id, load->display, error))
    return FALSE;
  if (self->load_serials[load->id] != load->serial)
    return set_superseded_error (load, error);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Called with the lock held, when @load is over, published or not. */
static void
end_load (FlitzisAudioEngine *self, const FzLoad *load)
{
  if (self->loading[load->id] == load->superseded)
    g_clear_object (&self->loading[load->id]);
}

static void
cancel_load (GCancellable *cancellable, gpointer superseded)
{
  (void) cancellable;
  g_cancellable_cancel (superseded);
}

/* Any control thread, without the lock: decoding takes time. */
static FzSample *
decode (const FzLoad *load, GCancellable *cancellable, FlitzisSampleInfo **info, GError **error)
{
  FzLoadOptions options = { load->quality, load->lock_memory };
  FzSampleFormat original = { 0 };
  uint64_t delivered = 0;
  gulong handler = 0;
  FzSample *sample;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_load),
                                     load->superseded, NULL);
  if (load->pcm != NULL)
    {
      sample = fz_load_pcm (load->pcm, load->pcm_rate, load->pcm_channels, load->display,
                            load->rate, load->channels, &options, load->superseded,
                            load->progress != NULL ? _flitzis_audio_engine_progress_report : NULL,
                            load->progress, error);
      original = (FzSampleFormat) {
        .frames = g_bytes_get_size (load->pcm) / (sizeof (float) * load->pcm_channels),
        .channels = load->pcm_channels, .rate = load->pcm_rate,
      };
      delivered = original.frames;   /* memory holds what its size says */
    }
  else
    sample = fz_load_sample_progress (load->path, load->rate, load->channels, &options,
                                      load->superseded,
                                      load->progress != NULL
                                      ? _flitzis_audio_engine_progress_report : NULL,
                                      load->progress, &original, &delivered, error);
  g_cancellable_disconnect (cancellable, handler);
  if (sample == NULL && g_cancellable_is_cancelled (load->superseded) &&
      !g_cancellable_is_cancelled (cancellable))
    {
      /* Superseded or shut down, not cancelled by the caller: run_load()
       * says which. */
      g_clear_error (error);
    }
  if (sample != NULL)
    {
      FzSampleFormat decoded = { sample->frames, sample->channels, sample->rate };

      *info = _flitzis_sample_info_new (load->path, &decoded, &original, delivered,
                                       fz_sample_memory_size (sample));
      /* Its block was locked as it was decoded into, where the system
       * allowed it: this adds the peaks, or tries again. */
      _flitzis_sample_info_set_memory_locked (*info, load->lock_memory &&
                                                     fz_memlock_sample (sample));
    }
  return sample;
}

/* Any control thread: decodes and, if no newer load or a shut_down() came
 * meanwhile, publishes. */
static gboolean
run_load (FlitzisAudioEngine *self, FzLoad *load, GCancellable *cancellable, GError **error)
{
  FlitzisSampleInfo *info = NULL;
  g_autoptr (GError) local_error = NULL;
  FzSample *sample = decode (load, cancellable, &info, &local_error);
  gboolean ok = sample != NULL;

  fz_mutex_lock (&self->lock);
  if (ok)
    ok = check_still_wanted (self, load, cancellable, &local_error);
  else if (local_error == NULL && check_still_wanted (self, load, cancellable, &local_error))
    set_superseded_error (load, &local_error);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  if (ok)
    ok = publish (self, load->id, sample, info, error);
  else if (sample != NULL)
    {
      fz_sample_unref (sample);
      flitzis_sample_info_unref (info);
    }
  end_load (self, load);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_load_sample:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @path: (type filename): the audio file to load
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Decodes @path in the calling thread, converts it to the stream's sample
 * rate and channel layout and puts it in slot @id, replacing what the slot
 * held.  Voices already playing the replaced sample play on to their end;
 * it is freed after that, on a control thread.  The slot's loop region,
 * gain and policies stay, the region clamped to the new sample (see
 * [method@Flitzis.AudioEngine.set_sample_loop]).
 *
 * Files at another sample rate are resampled (with the SoX resampler,
 * high quality).  Channels: mono files play on every channel; with more
 * channels than the stream, channel c of the stream is the mean of the
 * file's channels c, c + n, c + 2n, ... (n the stream's channel count);
 * with fewer (but more than one), the stream's extra channels are silent.
 *
 * The decoded sample is stored once, in the stream's format, whatever the
 * number of voices that play it; while loading, memory grows by little more
 * than its size ([method@Flitzis.SampleInfo.get_memory_size]).
 *
 * A newer load (or unload) of the same slot supersedes this one while it
 * is still decoding: this one then fails with [error@Gio.IOErrorEnum.CANCELLED] and
 * publishes nothing.  On failure the slot keeps what it held.
 *
 * Returns: %TRUE on success; %FALSE with @error set: a [error@Gio.IOErrorEnum] such
 *   as [error@Gio.IOErrorEnum.NOT_FOUND] or [error@Gio.IOErrorEnum.PERMISSION_DENIED] when the file
 *   cannot be opened, [error@Gio.IOErrorEnum.CANCELLED] when superseded,
 *   [error@Flitzis.EngineError.UNSUPPORTED_FORMAT] when it is not audio that can
 *   be played, [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.NOT_RUNNING] or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_load_sample (FlitzisAudioEngine *self, guint id,
                                  const char *path, GError **error)
{
  g_autoptr (FzLoad) load = NULL;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  load = begin_load (self, id, path, NULL, error);
  return load != NULL && run_load (self, load, NULL, error);
}

/* Runs on a loading thread (flitzis-audio-engine-loading.c). */
static void
load_in_thread (GTask *task, gpointer source_object, gpointer task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  gboolean ok;

  /* The task came through the loading pool, and its result goes back
   * through the caller's main context (fz-tsan.h). */
  fz_tsan_acquire (task);
  (void) source_object;
  ok = run_load (((FzLoad *) task_data)->engine, task_data, cancellable, &error);
  fz_tsan_release (task);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The caller's main context: the worker is done; the last progress, then
 * the caller's task.  The worker's task holds the load, and with it the
 * progress until here. */
static void
load_done (GObject *source_object, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  FzLoad *load;
  FzProgress *progress;
  GError *error = NULL;

  (void) source_object;
  /* Before the load is touched: the worker reads its progress until it
   * releases the task (load_in_thread()).  Stealing the pointer first
   * was a race, which make check-tsan reported now and then. */
  fz_tsan_acquire (result);
  load = g_task_get_task_data (G_TASK (result));
  progress = g_steal_pointer (&load->progress);
  fz_tsan_release (load);
  g_task_propagate_boolean (G_TASK (result), &error);
  _flitzis_audio_engine_progress_complete (progress, task, error);
  g_object_unref (task);
}

/* Starts @load (or fails @task with @error, @load being NULL) on a
 * worker, watched by a progress in the caller's context. */
static void
start_async (FlitzisAudioEngine *self, FzLoad *load, GTask *task, GCancellable *cancellable,
             GError *error)
{
  GTask *worker;

  /* The result says whether the sample was published, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);
  if (load == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  load->progress = _flitzis_audio_engine_progress_new (self, load->id);
  load->engine = self;
  /* No source object: GLib's pool thread drops its reference to the
   * worker's task only after queuing load_done(), so a task holding the
   * engine could be the last to let go of it when the caller dropped it
   * meanwhile, and dispose it there: its device stream closed, its
   * samples freed, on a loading thread, unordered (for
   * ThreadSanitizer, which does not see GLib's reference counts) with
   * what the caller's thread had read.  Every reference the load holds
   * goes in the caller's context. */
  worker = g_task_new (NULL, cancellable, load_done, g_object_ref (task));
  g_task_set_name (worker, "[flitzis] load worker");
  g_task_set_check_cancellable (worker, FALSE);
  g_task_set_task_data (worker, load, (GDestroyNotify) fz_load_free);
  fz_tsan_release (worker);
  _flitzis_audio_engine_run_load_task (worker, load_in_thread);
  g_object_unref (worker);
}

/**
 * flitzis_audio_engine_load_sample_async:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @path: (type filename): the audio file to load
 * @cancellable: (nullable): a [class@Gio.Cancellable], or %NULL
 * @callback: (scope async): called in the thread-default main context of
 *   the calling thread when the load is over
 * @user_data: data for @callback
 *
 * Loads @path into slot @id like [method@Flitzis.AudioEngine.load_sample], but
 * decodes on a worker thread and publishes the sample as soon as it is
 * decoded.  The workers are one per core, shared by every engine of the
 * process: a bank of many files started at once loads on every core, each
 * load waiting for a free worker in the order they were asked for.  A newer load or unload of the slot supersedes this one: it
 * then finishes with [error@Gio.IOErrorEnum.CANCELLED], its buffer is freed and never
 * published.  Cancelling @cancellable has the same effect.  Get the
 * result with [method@Flitzis.AudioEngine.load_sample_finish].
 * [signal@Flitzis.AudioEngine::load-progress] tells how far it is, in the
 * same main context, ending with 1.0 just before @callback.
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_load_sample_async (FlitzisAudioEngine *self, guint id, const char *path,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  FzLoad *load;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, flitzis_audio_engine_load_sample_async);
  g_task_set_name (task, "flitzis_audio_engine_load_sample_async");
  load = begin_load (self, id, path, NULL, &error);
  start_async (self, load, task, cancellable, error);
}

/**
 * flitzis_audio_engine_load_sample_finish:
 * @self: a [class@Flitzis.AudioEngine]
 * @result: the [iface@Gio.AsyncResult] passed to the callback
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Finishes [method@Flitzis.AudioEngine.load_sample_async].
 *
 * Returns: %TRUE when the sample was published into its slot; %FALSE with
 *   @error set as for [method@Flitzis.AudioEngine.load_sample]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_load_sample_finish (FlitzisAudioEngine *self, GAsyncResult *result,
                                         GError **error)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        flitzis_audio_engine_load_sample_async, FALSE);

  fz_tsan_acquire (result);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Any control thread: a load of @pcm, checked first (bad PCM changes
 * nothing, not even a load in flight), or NULL with @error set. */
static FzLoad *
begin_pcm_load (FlitzisAudioEngine *self, guint id, GBytes *pcm, guint rate, guint channels,
                GError **error)
{
  FzLoad *load;

  if (!_flitzis_audio_engine_check_slot (self, id, error) ||
      !fz_check_pcm (g_bytes_get_size (pcm), rate, channels, error))
    return NULL;
  load = begin_load (self, id, NULL, pcm, error);
  if (load != NULL)
    {
      load->pcm_rate = rate;
      load->pcm_channels = channels;
    }
  return load;
}

/**
 * flitzis_audio_engine_load_sample_from_bytes:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @pcm: float32 interleaved frames, in the machine's byte order
 *   (`numpy.float32(frames).tobytes()`, or `array.array("f", ...)`)
 * @rate: the frames' sample rate, 1000 to 768000 Hz
 * @channels: the frames' channel count, 1 to 1024
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Puts audio from memory in slot @id, as
 * [method@Flitzis.AudioEngine.load_sample] does with a file of that format:
 * resampled to the stream's rate (when @rate is another), its channels
 * mapped to the stream's the same way, values bounded the same way (NaN
 * and infinities become 0, magnitudes above 8.0 are cut to 8.0), with its
 * waveform overview ready.  @pcm is read, not kept.  The sample's
 * [method@Flitzis.SampleInfo.get_path] is %NULL.
 *
 * Returns: %TRUE when the sample was published; %FALSE with @error set:
 *   [error@Flitzis.EngineError.INVALID_ARGUMENT] (nothing changed) for an
 *   empty @pcm, one that is not a whole number of frames, or a rate or
 *   channel count out of range; otherwise as for
 *   [method@Flitzis.AudioEngine.load_sample]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_load_sample_from_bytes (FlitzisAudioEngine *self, guint id, GBytes *pcm,
                                             guint rate, guint channels, GError **error)
{
  g_autoptr (FzLoad) load = NULL;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (pcm != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  load = begin_pcm_load (self, id, pcm, rate, channels, error);
  return load != NULL && run_load (self, load, NULL, error);
}

/**
 * flitzis_audio_engine_load_sample_from_bytes_async:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @pcm: float32 interleaved frames, in the machine's byte order
 * @rate: the frames' sample rate, 1000 to 768000 Hz
 * @channels: the frames' channel count, 1 to 1024
 * @cancellable: (nullable): a [class@Gio.Cancellable], or %NULL
 * @callback: (scope async): called in the thread-default main context of
 *   the calling thread when the load is over
 * @user_data: data for @callback
 *
 * Loads @pcm into slot @id like
 * [method@Flitzis.AudioEngine.load_sample_from_bytes], on a worker thread,
 * with [signal@Flitzis.AudioEngine::load-progress] and superseding as for
 * [method@Flitzis.AudioEngine.load_sample_async].  @pcm is referenced
 * until the load is over.  Get the result with
 * [method@Flitzis.AudioEngine.load_sample_from_bytes_finish].
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_load_sample_from_bytes_async (FlitzisAudioEngine *self, guint id,
                                                   GBytes *pcm, guint rate, guint channels,
                                                   GCancellable *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  FzLoad *load;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));
  g_return_if_fail (pcm != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, flitzis_audio_engine_load_sample_from_bytes_async);
  g_task_set_name (task, "flitzis_audio_engine_load_sample_from_bytes_async");
  load = begin_pcm_load (self, id, pcm, rate, channels, &error);
  start_async (self, load, task, cancellable, error);
}

/**
 * flitzis_audio_engine_load_sample_from_bytes_finish:
 * @self: a [class@Flitzis.AudioEngine]
 * @result: the [iface@Gio.AsyncResult] passed to the callback
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Finishes [method@Flitzis.AudioEngine.load_sample_from_bytes_async].
 *
 * Returns: %TRUE when the sample was published into its slot; %FALSE with
 *   @error set as for [method@Flitzis.AudioEngine.load_sample_from_bytes]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_load_sample_from_bytes_finish (FlitzisAudioEngine *self,
                                                    GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        flitzis_audio_engine_load_sample_from_bytes_async, FALSE);

  fz_tsan_acquire (result);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * flitzis_audio_engine_unload_sample:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Empties slot @id: its voices fade out (as with
 * [method@Flitzis.AudioEngine.stop_sample]), its waiting triggers are cancelled,
 * and its sample is freed on a control thread once no voice plays it.
 * Loads of the slot still in flight are superseded.  Unloading an empty
 * slot does nothing.
 *
 * Returns: %TRUE when the slot is (to be) empty; %FALSE with @error set to
 *   [error@Flitzis.EngineError.INVALID_SLOT], [error@Flitzis.EngineError.NOT_RUNNING]
 *   or [error@Flitzis.EngineError.QUEUE_FULL]
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_unload_sample (FlitzisAudioEngine *self, guint id, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return FALSE;
  fz_mutex_lock (&self->lock);
  ok = _flitzis_audio_engine_check_running (self, error);
  if (ok)
    supersede_loads (self, id);
  if (ok && self->published[id] != NULL)
    ok = publish (self, id, NULL, NULL, error);
  fz_mutex_unlock (&self->lock);
  return ok;
}

/**
 * flitzis_audio_engine_dup_sample_info:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Describes what slot @id holds, as last loaded: its path, its length and
 * format as it plays, and the file's original format.
 *
 * Returns: (transfer full) (nullable): the slot's sample, or %NULL when
 *   it is empty (without @error) or on error (with @error set to
 *   [error@Flitzis.EngineError.INVALID_SLOT])
 *
 * Since: 0.1
 */
FlitzisSampleInfo *
flitzis_audio_engine_dup_sample_info (FlitzisAudioEngine *self, guint id, GError **error)
{
  FlitzisSampleInfo *info = NULL;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return NULL;
  fz_mutex_lock (&self->lock);
  if (self->infos[id] != NULL)
    info = flitzis_sample_info_ref (self->infos[id]);
  fz_mutex_unlock (&self->lock);
  return info;
}

/* Called with the lock held: the sample in slot @id, or NULL with @error
 * set. */
static FzSample *
published_sample (FlitzisAudioEngine *self, guint id, GError **error)
{
  if (!_flitzis_audio_engine_check_running (self, error))
    return NULL;
  if (self->published[id] != NULL)
    return self->published[id];
  g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_EMPTY_SLOT,
               _("Sample slot %u holds no sample; load one first"), id);
  return NULL;
}

static gboolean
check_waveform_range (const FzSample *sample, guint64 start, guint64 end, guint n_buckets,
                      GError **error)
{
  if (start >= end || end > sample->frames)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("Frames %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " are not a range "
                     "of the sample; it has %" G_GSIZE_FORMAT " frames, and a range's start "
                     "must be below its end"), start, end, sample->frames);
      return FALSE;
    }
  if (n_buckets == 0 || n_buckets > end - start)
    {
      g_set_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("%u buckets do not fit %" G_GUINT64_FORMAT " frames; a waveform has "
                     "1 to as many buckets as its range has frames"),
                   n_buckets, end - start);
      return FALSE;
    }
  return TRUE;
}

/**
 * flitzis_audio_engine_dup_waveform:
 * @self: a [class@Flitzis.AudioEngine]
 * @id: the sample slot, below [property@Flitzis.AudioEngine:slots]
 * @start_frame: the first frame of the range, in the sample as it plays
 *   (at the stream's rate)
 * @end_frame: the frame just after the range, at most
 *   [method@Flitzis.SampleInfo.get_frames]
 * @n_buckets: how many buckets to cut the range into: 1 to
 *   @end_frame − @start_frame
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * An overview of slot @id's waveform, to draw it: for each bucket, for
 * each channel of the stream, its smallest then its largest value, as
 * little-endian float32 (`array.array("f", bytes.get_data())` in Python,
 * `numpy.frombuffer(bytes.get_data(), "<f4")`), so
 * @n_buckets × channels × 2 floats in all.  Bucket b covers frames
 * [start + ⌊b·L/N⌋, start + ⌊(b+1)·L/N⌋) of the decoded sample, L being
 * @end_frame − @start_frame and N @n_buckets: every frame of the range is
 * in exactly one bucket, and the values are exactly those of the frames,
 * not an approximation.
 *
 * The sample's peak pyramid, built once when it was loaded, makes a call
 * cost O(@n_buckets) whatever the range's length (a thousand buckets of a
 * ten-minute sample take well under a millisecond: see
 * docs/performance.md).  Runs in the calling thread.
 *
 * Returns: (transfer full): the buckets' minima and maxima; %NULL with
 *   @error set to [error@Flitzis.EngineError.INVALID_SLOT],
 *   [error@Flitzis.EngineError.NOT_RUNNING],
 *   [error@Flitzis.EngineError.EMPTY_SLOT] or, for a range or bucket
 *   count that does not fit the sample,
 *   [error@Flitzis.EngineError.INVALID_ARGUMENT]
 *
 * Since: 0.1
 */
GBytes *
flitzis_audio_engine_dup_waveform (FlitzisAudioEngine *self, guint id, guint64 start_frame,
                                   guint64 end_frame, guint n_buckets, GError **error)
{
  FzSample *sample;
  GBytes *waveform;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_flitzis_audio_engine_check_slot (self, id, error))
    return NULL;
  fz_mutex_lock (&self->lock);
  sample = published_sample (self, id, error);
  if (sample != NULL)
    fz_sample_ref (sample);
  fz_mutex_unlock (&self->lock);
  if (sample == NULL)
    return NULL;
  /* Without the lock: the sample is immutable, and ours until unref. */
  waveform = check_waveform_range (sample, start_frame, end_frame, n_buckets, error)
             ? fz_waveform_new (sample, start_frame, end_frame, n_buckets) : NULL;
  fz_sample_unref (sample);
  return waveform;
}

/* Called with the lock held: what the slots held is gone with the core. */
void
_flitzis_audio_engine_forget_slots (FlitzisAudioEngine *self, gboolean free_samples)
{
  for (guint i = 0; i < self->n_slots; i++)
    {
      /* A decode still running could never publish: it stops at its next
       * chunk instead of decoding to the end for nothing. */
      supersede_loads (self, i);
      if (free_samples)
        fz_sample_unref (self->published[i]);
      self->published[i] = NULL;
      g_clear_pointer (&self->infos[i], flitzis_sample_info_unref);
    }
  _flitzis_audio_engine_forget_keylock (self, free_samples);
}


/* ---- locking sample memory ---- */

/* The lock-memory property, installed by the class. */
void
_flitzis_audio_engine_class_init_samples (GParamSpec **properties)
{
  /**
   * FlitzisAudioEngine:lock-memory: (getter get_lock_memory) (setter set_lock_memory)
   *
   * Whether samples loaded from now on are locked in RAM (`mlock()`), so
   * that the audio thread never page-faults on them.  See
   * [method@Flitzis.AudioEngine.set_lock_memory].
   *
   * Since: 0.1
   */
  _flitzis_audio_engine_class_init_loading (properties);
  properties[PROP_LOCK_MEMORY] =
    g_param_spec_boolean ("lock-memory", _("Lock memory"),
                          _("Whether loaded samples are locked in RAM, so that they are never "
                            "swapped out"),
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

gboolean
_flitzis_audio_engine_samples_get_property (FlitzisAudioEngine *self, guint prop_id,
                                            GValue *value)
{
  if (prop_id != PROP_LOCK_MEMORY)
    return _flitzis_audio_engine_loading_get_property (self, prop_id, value);
  g_value_set_boolean (value, flitzis_audio_engine_get_lock_memory (self));
  return TRUE;
}

gboolean
_flitzis_audio_engine_samples_set_property (FlitzisAudioEngine *self, guint prop_id,
                                            const GValue *value)
{
  if (prop_id != PROP_LOCK_MEMORY)
    return _flitzis_audio_engine_loading_set_property (self, prop_id, value);
  flitzis_audio_engine_set_lock_memory (self, g_value_get_boolean (value));
  return TRUE;
}

/**
 * flitzis_audio_engine_get_lock_memory:
 * @self: a [class@Flitzis.AudioEngine]
 *
 * Gets [property@Flitzis.AudioEngine:lock-memory].
 *
 * Returns: whether samples loaded from now on are locked in RAM
 *
 * Since: 0.1
 */
gboolean
flitzis_audio_engine_get_lock_memory (FlitzisAudioEngine *self)
{
  gboolean lock_memory;

  g_return_val_if_fail (FLITZIS_IS_AUDIO_ENGINE (self), FALSE);

  fz_mutex_lock (&self->lock);
  lock_memory = self->lock_memory;
  fz_mutex_unlock (&self->lock);
  return lock_memory;
}

/**
 * flitzis_audio_engine_set_lock_memory:
 * @self: a [class@Flitzis.AudioEngine]
 * @lock_memory: whether to lock samples loaded from now on
 *
 * Sets [property@Flitzis.AudioEngine:lock-memory]; %TRUE by default.  The
 * audio thread reads a sample's frames and peak pyramid: a page of them
 * swapped out under memory pressure would make the callback wait for the
 * disk, and the device underrun.  Each load locks its sample's memory
 * before it decodes into it (its peak pyramid once it is built), and so
 * before it is published, where the system allows it
 * ([method@Flitzis.SampleInfo.get_memory_locked] says whether it did); the
 * lock goes with the sample's memory when it is freed.  It costs locked
 * RAM, the size of the samples
 * ([method@Flitzis.SampleInfo.get_memory_size]), which the system then
 * cannot reclaim, but no time: the `mlock()` call faults the pages in, as
 * decoding into them would have (a locked load of 60 s of stereo 48 kHz
 * takes 0.97 times an unlocked one's; tests/bench/bench-memlock.c).  Turn
 * it off for sample sets larger than the RAM to be spared.  The setting applies to loads that
 * begin after it; samples already loaded stay as they are.
 *
 * Since: 0.1
 */
void
flitzis_audio_engine_set_lock_memory (FlitzisAudioEngine *self, gboolean lock_memory)
{
  gboolean changed;

  g_return_if_fail (FLITZIS_IS_AUDIO_ENGINE (self));

  lock_memory = !!lock_memory;
  fz_mutex_lock (&self->lock);
  changed = self->lock_memory != lock_memory;
  self->lock_memory = lock_memory;
  fz_mutex_unlock (&self->lock);
  if (changed)
    _flitzis_audio_engine_notify (self, PROP_LOCK_MEMORY);
}
