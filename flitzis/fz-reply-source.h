/* fz-reply-source.h: the GSource that carries replies to the main loop
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

typedef struct {
  /* Something can be dispatched now. */
  gboolean (*is_ready) (GObject *owner);
  /* How soon to look again, in ms: -1 when nothing is expected. */
  gint (*poll_interval) (GObject *owner);
  /* Runs in the source's context; returns FALSE to remove the source. */
  gboolean (*dispatch) (GObject *owner);
} FzReplySourceFuncs;

/* Holds only a weak reference on @owner: the source removes itself once
 * the owner is gone. */
GSource *fz_reply_source_new (const FzReplySourceFuncs *funcs, GObject *owner);
