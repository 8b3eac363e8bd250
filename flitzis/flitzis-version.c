/* flitzis-version.c: the version of the library at run time
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The macros of flitzis-version.h give the version of the headers an
 * application was compiled against; these functions give the version of
 * the library it runs with, and are what bindings see.
 */
#include "config.h"

#include "flitzis-version.h"

/**
 * flitzis_get_major_version:
 *
 * Gets the major version of the library at run time.
 *
 * Returns: the major version of the libflitzis the program runs with
 *
 * Since: 0.1
 */
guint
flitzis_get_major_version (void)
{
  return FLITZIS_MAJOR_VERSION;
}

/**
 * flitzis_get_minor_version:
 *
 * Gets the minor version of the library at run time.
 *
 * Returns: the minor version of the libflitzis the program runs with
 *
 * Since: 0.1
 */
guint
flitzis_get_minor_version (void)
{
  return FLITZIS_MINOR_VERSION;
}

/**
 * flitzis_get_micro_version:
 *
 * Gets the micro version of the library at run time.
 *
 * Returns: the micro version of the libflitzis the program runs with
 *
 * Since: 0.1
 */
guint
flitzis_get_micro_version (void)
{
  return FLITZIS_MICRO_VERSION;
}

/**
 * flitzis_check_version:
 * @major: required major version
 * @minor: required minor version
 * @micro: required micro version
 *
 * Checks the version of the libflitzis the program runs with: the
 * run-time twin of FLITZIS_CHECK_VERSION(), for bindings.
 *
 * Returns: whether the library is at least version @major.@minor.@micro
 *
 * Since: 0.1
 */
gboolean
flitzis_check_version (guint major, guint minor, guint micro)
{
  /* Compared as arrays, not with FLITZIS_CHECK_VERSION(): while the major
   * version is 0, "major < 0" is always false, which -Wtype-limits
   * rejects. */
  const guint have[] = { FLITZIS_MAJOR_VERSION, FLITZIS_MINOR_VERSION, FLITZIS_MICRO_VERSION };
  const guint want[] = { major, minor, micro };

  for (gsize i = 0; i < G_N_ELEMENTS (have); i++)
    if (want[i] != have[i])
      return want[i] < have[i];
  return TRUE;
}
