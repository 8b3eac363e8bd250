/* flitzis-i18n.c: the library's translations, see flitzis-i18n-private.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "flitzis-i18n-private.h"

void
_flitzis_init_i18n (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&done, 1);
    }
}
