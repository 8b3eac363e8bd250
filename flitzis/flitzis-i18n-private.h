/* flitzis-i18n-private.h: the library's translations
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib/gi18n-lib.h>

G_BEGIN_DECLS

/* Any thread: binds the translation domain, once per process.  Every entry
 * point that can set a translated GError calls it first. */
void _flitzis_init_i18n (void);

G_END_DECLS
