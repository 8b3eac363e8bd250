/* fz-reply-source.c: the GSource that carries replies to the main loop
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The audio thread never wakes the main loop (that would be a system call
 * on the real-time path).  Instead this source polls the reply ring as
 * often as its owner says: often while replies are expected (a pong, a
 * retired sample, events of playing voices), seldom or never otherwise;
 * the control side wakes its context (g_main_context_wakeup()) after
 * queueing a command that will be answered.
 *
 * All of this runs in the thread that iterates the source's GMainContext.
 */
#include "config.h"

#include "fz-reply-source.h"
#include "fz-tsan.h"

typedef struct {
  GSource source;
  const FzReplySourceFuncs *funcs;
  GWeakRef owner;
} FzReplySource;

static gboolean
with_owner (FzReplySource *self, gboolean (*func) (GObject *), gboolean if_gone)
{
  g_autoptr (GObject) owner = g_weak_ref_get (&self->owner);

  return owner != NULL ? func (owner) : if_gone;
}

static gboolean
reply_source_prepare (GSource *source, gint *timeout)
{
  FzReplySource *self = (FzReplySource *) source;

  g_autoptr (GObject) owner = NULL;

  /* The source may have been made in another thread (fz-tsan.h). */
  fz_tsan_acquire (source);
  owner = g_weak_ref_get (&self->owner);
  *timeout = -1;
  if (owner == NULL || self->funcs->is_ready (owner))
    return TRUE;
  *timeout = self->funcs->poll_interval (owner);
  return FALSE;
}

static gboolean
reply_source_check (GSource *source)
{
  FzReplySource *self = (FzReplySource *) source;

  fz_tsan_acquire (source);
  return with_owner (self, self->funcs->is_ready, TRUE);
}

static gboolean
reply_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  FzReplySource *self = (FzReplySource *) source;

  (void) callback; (void) user_data;
  fz_tsan_acquire (source);
  return with_owner (self, self->funcs->dispatch, G_SOURCE_REMOVE);
}

static void
reply_source_finalize (GSource *source)
{
  FzReplySource *self = (FzReplySource *) source;

  fz_tsan_acquire (source);
  g_weak_ref_clear (&self->owner);
}

static GSourceFuncs reply_source_funcs = {
  .prepare = reply_source_prepare,
  .check = reply_source_check,
  .dispatch = reply_source_dispatch,
  .finalize = reply_source_finalize,
};

GSource *
fz_reply_source_new (const FzReplySourceFuncs *funcs, GObject *owner)
{
  GSource *source = g_source_new (&reply_source_funcs, sizeof (FzReplySource));
  FzReplySource *self = (FzReplySource *) source;

  self->funcs = funcs;
  g_weak_ref_init (&self->owner, owner);
  g_source_set_static_name (source, "FlitzisAudioEngine replies");
  return source;
}
