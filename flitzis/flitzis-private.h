/* flitzis-private.h: library-internal declarations
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib/gi18n-lib.h>

#include "flitzis-message.h"

G_BEGIN_DECLS

FlitzisMessage *flitzis_message_new (FlitzisMessageKind kind, guint64 frame);
/* Binds the translation domain, once per process. */
void            flitzis_init_i18n (void);

G_END_DECLS
