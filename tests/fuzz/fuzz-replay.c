/* fuzz-replay.c: runs a fuzz target over its committed corpus, one GLib
 * test case per file: the seeds and every input that once crashed (kept
 * as regressions) are tested by make check, with gcc, without libFuzzer.
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdint.h>
#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
replay (gconstpointer data)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (data, &contents, &length, NULL));
  g_assert_cmpint (LLVMFuzzerTestOneInput ((const uint8_t *) contents, length), ==, 0);
}

int
main (int argc, char **argv)
{
  g_autofree char *corpus = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GDir *dir;
  const char *name;
  int status;

  g_test_init (&argc, &argv, NULL);
  corpus = g_test_build_filename (G_TEST_DIST, "fuzz", FUZZ_CORPUS, NULL);
  dir = g_dir_open (corpus, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *test = g_strdup_printf ("/fuzz/%s/%s", FUZZ_CORPUS,
                                               (char *) g_ptr_array_index (names, i));
      g_test_add_data_func_full (test, g_build_filename (corpus, g_ptr_array_index (names, i),
                                                         NULL), replay, g_free);
    }
  status = g_test_run ();
  g_ptr_array_unref (names);
  return status;
}
