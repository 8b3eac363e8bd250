/* flitzis-audio-engine-progress.c: how far an async load is
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The loading thread (a GTask worker) only stores how far it is, after
 * each chunk it decodes (fz-loader.c): one atomic store, no lock, no
 * wake-up, so that progress costs the load nothing it would notice.  The
 * main context of the caller looks at it on a timer and emits
 * load-progress when it grew, never twice within FZ_PROGRESS_SPACING_US,
 * and last with 1.0 just before the load's callback, at once.
 */
#include "config.h"

#include <stdatomic.h>
#include <string.h>

#include "flitzis-audio-engine-private.h"

/* At most 20 fractions a second on the way: 50 ms apart at least (the
 * 1.0 at the end comes at once). */
#define FZ_PROGRESS_SPACING_US 50000
/* How often the main context looks: twice per spacing. */
#define FZ_PROGRESS_LOOK_MS 25

struct _FzProgress {
  FlitzisAudioEngine *engine;       /* a reference */
  guint slot;
  GMainContext *context;            /* the caller's thread-default, ref'd */
  GSource *timer;
  /* Written by the loading thread: the fraction's bits (a double). */
  atomic_uint_fast64_t fraction;
  /* The main context only. */
  double emitted;                   /* the last fraction emitted (0: none yet) */
  gint64 emitted_at;                /* when, monotonic µs */
};

static guint progress_signal;
static _Atomic (FzProgressTestHook) test_hook;

void
_flitzis_audio_engine_set_progress_hook (FzProgressTestHook hook)
{
  atomic_store (&test_hook, hook);
}

/**
 * FlitzisAudioEngine::load-progress:
 * @self: the engine
 * @slot: the slot the sample loads into
 * @fraction: how much of the source is decoded, from above 0.0 to 1.0
 *
 * An async load ([method@Flitzis.AudioEngine.load_sample_async],
 * [method@Flitzis.AudioEngine.load_sample_from_bytes_async]) got further:
 * emitted in the thread-default main context of the caller that started
 * it, at most 20 times a second on the way, with fractions that never
 * decrease.  The last one is 1.0, as soon as the sample is published,
 * just before the load's callback (however soon after the one before it);
 * a load that fails or is cancelled stops without it.  The
 * fraction counts the source's frames (a file's, at its own rate): a
 * resampled load moves at the same pace.  Synchronous loads emit nothing.
 *
 * Since: 0.1
 */
void
_flitzis_audio_engine_class_init_progress (GObjectClass *object_class)
{
  progress_signal = g_signal_new ("load-progress", G_TYPE_FROM_CLASS (object_class),
                                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                  G_TYPE_UINT, G_TYPE_DOUBLE);
}

static double
load_fraction (FzProgress *progress)
{
  uint64_t bits = atomic_load_explicit (&progress->fraction, memory_order_relaxed);
  double fraction;

  memcpy (&fraction, &bits, sizeof fraction);
  return fraction;
}

/* Main context. */
static void
emit (FzProgress *progress, double fraction)
{
  progress->emitted = fraction;
  progress->emitted_at = g_get_monotonic_time ();
  g_signal_emit (progress->engine, progress_signal, 0, progress->slot, fraction);
}

static gboolean
spaced (const FzProgress *progress)
{
  return progress->emitted == 0.0 ||
         g_get_monotonic_time () - progress->emitted_at >= FZ_PROGRESS_SPACING_US;
}

/* Main context, on the timer: what the loading thread got to, if more.
 * 1.0 waits for the end: the sample is not published yet. */
static gboolean
look (gpointer data)
{
  FzProgress *progress = data;
  double fraction = load_fraction (progress);

  if (fraction > progress->emitted && fraction < 1.0 && spaced (progress))
    emit (progress, fraction);
  return G_SOURCE_CONTINUE;
}

FzProgress *
_flitzis_audio_engine_progress_new (FlitzisAudioEngine *self, guint slot)
{
  FzProgress *progress = g_new0 (FzProgress, 1);

  progress->engine = g_object_ref (self);
  progress->slot = slot;
  progress->context = g_main_context_ref_thread_default ();
  atomic_init (&progress->fraction, 0);
  progress->timer = g_timeout_source_new (FZ_PROGRESS_LOOK_MS);
  g_source_set_callback (progress->timer, look, progress, NULL);
  g_source_set_static_name (progress->timer, "[flitzis] load progress");
  g_source_attach (progress->timer, progress->context);
  return progress;
}

/* Loading thread (FzLoadProgressFunc). */
void
_flitzis_audio_engine_progress_report (uint64_t done, uint64_t total, void *data)
{
  FzProgress *progress = data;
  double fraction = total > 0 ? (double) done / (double) total : 0.0;
  FzProgressTestHook hook = atomic_load_explicit (&test_hook, memory_order_relaxed);
  uint64_t bits;

  memcpy (&bits, &fraction, sizeof bits);
  atomic_store_explicit (&progress->fraction, bits, memory_order_relaxed);
  if (hook != NULL)
    hook (progress->engine, progress->slot, fraction);
}

static void
progress_free (FzProgress *progress)
{
  g_source_destroy (progress->timer);
  g_source_unref (progress->timer);
  g_main_context_unref (progress->context);
  g_object_unref (progress->engine);
  g_free (progress);
}

void
_flitzis_audio_engine_progress_complete (FzProgress *progress, GTask *task, GError *error)
{
  /* The 1.0 at once, however soon after the last fraction: the spacing is
   * for the fractions a load goes through.  Held back to keep it, the end
   * held the load's callback back too, up to 50 ms, and a bank loaded in
   * parallel was no faster than one file after another (bench-bank). */
  if (error == NULL)
    emit (progress, 1.0);
  progress_free (progress);
  if (error == NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}
