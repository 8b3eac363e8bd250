/* flitzis-audio-engine-reconnect.c: a lost PipeWire stream that opens
 * again by itself
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * With the reconnect property on, an engine whose PipeWire stream is lost
 * (its sink went away, the server quit) keeps its core, stopped, with
 * every slot (flitzis-audio-engine-stream.c holds it), and makes a
 * reconnector.  The reconnector watches the server's sinks in the engine's
 * main context (a live monitor, fz-pipewire-monitor.h, which also waits
 * for a server that quit to come back); once the sink it waits for is
 * there, a worker thread opens a stream to it, at the format the held
 * samples are in, and the engine runs again with the held slots
 * (_flitzis_audio_engine_reopen()).  Opening never blocks the main
 * context: it can take seconds while a session manager starts.
 *
 * Threads: the reconnector is made and cancelled by any control thread,
 * under the engine's locks; its monitor lives in the context's thread
 * only (made and freed there, by sources attached to that context); the
 * worker holds a reference of its own.  The engine is reached through a
 * weak reference, so that waiting never keeps an engine alive.
 */
#include "config.h"

#include <stdatomic.h>

#include "flitzis-audio-engine-private.h"
#include "fz-pipewire-monitor.h"

/* How soon a failed open is tried again while the sink is there (the
 * session manager may not have set it up yet). */
#define FZ_RETRY_MS 250

struct _FzReconnector {
  FzReconnectTarget target;
  GWeakRef engine;
  atomic_bool cancelled;
  /* The context's thread only. */
  FzPwMonitor *monitor;
  GSource *retry;
  gboolean opening;             /* a worker is opening the stream */
};

static void
reconnector_clear (gpointer data)
{
  FzReconnector *self = data;

  /* Every thread's accesses before its release (reconnector_unref()). */
  fz_tsan_acquire (self);
  g_free (self->target.device);
  g_main_context_unref (self->target.context);
  g_weak_ref_clear (&self->engine);
}

static FzReconnector *
reconnector_ref (FzReconnector *self)
{
  return g_atomic_rc_box_acquire (self);
}

/* The count lives in libglib, which ThreadSanitizer does not see: the
 * release and reconnector_clear()'s acquire tell it that the thread which
 * frees the reconnector comes after every other that held it. */
static void
reconnector_unref (gpointer self)
{
  fz_tsan_release (self);
  g_atomic_rc_box_release_full (self, reconnector_clear);
}

/* Attaches @func to run once in the context's thread, with a reference. */
static void
in_context (FzReconnector *self, GSourceFunc func, guint delay_ms, GSource **keep)
{
  GSource *source = delay_ms > 0 ? g_timeout_source_new (delay_ms) : g_idle_source_new ();

  g_source_set_static_name (source, "flitzis reconnect");
  g_source_set_callback (source, func, reconnector_ref (self), reconnector_unref);
  g_source_attach (source, self->target.context);
  if (keep != NULL)
    *keep = source;
  else
    g_source_unref (source);
}

/* ---- the context's thread ---- */

static void
destroy_source (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static void check_sink (FzReconnector *self);

static gboolean
retry_now (gpointer data)
{
  FzReconnector *self = data;

  g_clear_pointer (&self->retry, g_source_unref);
  check_sink (self);
  return G_SOURCE_REMOVE;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FzReconnector, reconnector_unref)

/* Runs in the context's thread when the worker is done, with the
 * reference check_sink() gave it: the worker's task may be the last to
 * let the reconnector go, on the worker's thread. */
static void
on_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (FzReconnector) self = data;
  g_autoptr (GError) error = NULL;

  (void) source;
  /* The worker's writes (its error among them) before its release of the
   * task (open_in_thread()), handed over through GLib (fz-tsan.h). */
  fz_tsan_acquire (result);
  self->opening = FALSE;
  if (g_task_propagate_boolean (G_TASK (result), &error) || atomic_load (&self->cancelled))
    return;
  /* The sink was there but the stream did not start: try again soon. */
  g_debug ("reconnect: %s", error->message);
  if (self->retry == NULL)
    in_context (self, retry_now, FZ_RETRY_MS, &self->retry);
}

/* A worker thread. */
static void
open_in_thread (GTask *task, gpointer source_object, gpointer task_data,
                GCancellable *cancellable)
{
  FzReconnector *self = task_data;
  g_autoptr (FlitzisAudioEngine) engine = g_weak_ref_get (&self->engine);
  GError *error = NULL;
  gboolean refused = FALSE, ok = FALSE;

  (void) source_object; (void) cancellable;
  fz_tsan_acquire (task);
  if (engine != NULL && !atomic_load (&self->cancelled))
    ok = _flitzis_audio_engine_reopen (engine, self, &refused, &error);
  else
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  if (refused)
    atomic_store (&self->cancelled, true);
  fz_tsan_release (task);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The sink is there: open it on a worker thread, unless one is at it. */
static void
check_sink (FzReconnector *self)
{
  g_autoptr (GTask) task = NULL;

  if (atomic_load (&self->cancelled) || self->opening || self->monitor == NULL ||
      fz_pw_monitor_find (self->monitor, self->target.device) == NULL)
    return;
  self->opening = TRUE;
  g_clear_pointer (&self->retry, destroy_source);
  task = g_task_new (NULL, NULL, on_opened, reconnector_ref (self));
  g_task_set_task_data (task, reconnector_ref (self), reconnector_unref);
  g_task_set_name (task, "flitzis reconnect");
  fz_tsan_release (task);
  g_task_run_in_thread (task, open_in_thread);
}

static void
on_sinks_changed (GListModel *sinks, guint position, guint removed, guint added, gpointer data)
{
  (void) sinks; (void) position; (void) removed;
  if (added > 0)
    check_sink (data);
}

static gboolean
start_watching (gpointer data)
{
  FzReconnector *self = data;

  if (atomic_load (&self->cancelled) || self->monitor != NULL)
    return G_SOURCE_REMOVE;
  self->monitor = fz_pw_monitor_new_live (self->target.context);
  if (self->monitor == NULL)
    return G_SOURCE_REMOVE;
  g_signal_connect (fz_pw_monitor_get_store (self->monitor), "items-changed",
                    G_CALLBACK (on_sinks_changed), self);
  /* A sink that went away alone may be back already. */
  check_sink (self);
  return G_SOURCE_REMOVE;
}

static gboolean
stop_watching (gpointer data)
{
  FzReconnector *self = data;

  g_clear_pointer (&self->retry, destroy_source);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (fz_pw_monitor_get_store (self->monitor), self);
  g_clear_pointer (&self->monitor, fz_pw_monitor_free);
  return G_SOURCE_REMOVE;
}

/* ---- any control thread ---- */

/* Called with both locks held. */
FzReconnector *
_flitzis_audio_engine_reconnector_new (FlitzisAudioEngine *self, const FzReconnectTarget *target)
{
  FzReconnector *reconnector = g_atomic_rc_box_new0 (FzReconnector);

  reconnector->target = *target;
  reconnector->target.device = g_strdup (target->device);
  reconnector->target.context = g_main_context_ref (target->context);
  g_weak_ref_init (&reconnector->engine, self);
  atomic_init (&reconnector->cancelled, false);
  in_context (reconnector, start_watching, 0, NULL);
  return reconnector;
}

/* Any thread, the engine's lock held or not. */
void
_flitzis_audio_engine_reconnector_cancel (FzReconnector *reconnector)
{
  atomic_store (&reconnector->cancelled, true);
  in_context (reconnector, stop_watching, 0, NULL);
  reconnector_unref (reconnector);
}

const FzReconnectTarget *
_flitzis_audio_engine_reconnector_get_target (FzReconnector *reconnector)
{
  return &reconnector->target;
}

/* Called with both locks held. */
void
_flitzis_audio_engine_drop_held (FlitzisAudioEngine *self)
{
  g_clear_pointer (&self->reconnector, _flitzis_audio_engine_reconnector_cancel);
  if (self->held_core == NULL)
    return;
  g_clear_pointer (&self->held_core, fz_core_free);
  _flitzis_audio_engine_forget_slots (self, TRUE);
  self->retires_in_flight = 0;
}
