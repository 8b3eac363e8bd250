/* flitzis-message-private.h: making messages, for the engine's replies
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "flitzis-message.h"

G_BEGIN_DECLS

/* Any thread. */
FlitzisMessage *_flitzis_message_new       (FlitzisMessageKind kind,
                                            guint64            frame,
                                            guint              slot,
                                            guint64            count);
/* Takes @error. */
FlitzisMessage *_flitzis_message_new_error (guint64            frame,
                                            GError            *error);

G_END_DECLS
