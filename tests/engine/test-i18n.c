/* test-i18n.c: the engine's messages in German
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs under the de_DE.UTF-8 locale and with the catalogue compiled from
 * po/de.po, both built into the build tree by make check, and
 * checks that errors come out in German, with German numbers and plurals.
 */
#include "config.h"

#include <locale.h>
#include <libintl.h>
#include <string.h>

#include "flitzis.h"
#include "flitzis-test.h"

#define GERMAN "de_DE.UTF-8"

static char *german_locale;   /* NULL when the locale is not installed */

static void
assert_german (void)
{
  g_assert_nonnull (german_locale);
  g_assert_cmpstr (setlocale (LC_MESSAGES, NULL), ==, GERMAN);
}

static void
test_not_running (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  g_autoptr (GError) error = NULL;

  assert_german ();
  g_assert_false (flitzis_audio_engine_ping (engine, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_NOT_RUNNING);
  g_assert_cmpstr (error->message, ==, "Die Audio-Engine läuft nicht; rufen Sie zuerst run() auf");
}

static void
test_numbers (void)
{
  g_autoptr (FlitzisAudioEngine) engine = flitzis_audio_engine_new ();
  g_autoptr (GError) error = NULL;

  assert_german ();
  g_assert_false (flitzis_audio_engine_play_sample (engine, 0, 1.5f, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_VELOCITY);
  /* A decimal comma: the number is formatted for the locale too. */
  g_assert_cmpstr (error->message, ==,
                   "Die Anschlagstärke 1,5 ist nicht erlaubt; sie muss eine Zahl von 0,0 bis 1,0 sein");
  g_clear_error (&error);

  g_assert_false (flitzis_audio_engine_play_sample (engine, 40, 0.5f, &error));
  g_assert_error (error, FLITZIS_ENGINE_ERROR, FLITZIS_ENGINE_ERROR_INVALID_SLOT);
  g_assert_cmpstr (error->message, ==,
                   "Sample-Slot 40 gibt es nicht; die Slots sind von 0 bis 31 nummeriert");
}

static void
test_plurals (void)
{
  const char *one = "The command queue to the audio thread is full (%u command); "
                    "nothing was queued, try again once the audio thread has caught up";
  const char *many = "The command queue to the audio thread is full (%u commands); "
                     "nothing was queued, try again once the audio thread has caught up";

  assert_german ();
  g_assert_true (g_str_has_prefix (g_dngettext (GETTEXT_PACKAGE, one, many, 1),
                                   "Die Befehlswarteschlange zum Audio-Thread ist voll (%u Befehl)"));
  g_assert_true (g_str_has_prefix (g_dngettext (GETTEXT_PACKAGE, one, many, 1024),
                                   "Die Befehlswarteschlange zum Audio-Thread ist voll (%u Befehle)"));
  g_assert_true (g_str_has_prefix (g_dngettext (GETTEXT_PACKAGE, one, many, 0),
                                   "Die Befehlswarteschlange zum Audio-Thread ist voll (%u Befehle)"));
}

static void
test_property_blurb_is_marked (void)
{
  assert_german ();
  /* Blurbs are translated when the class is initialised; what this test
   * can check is that the catalogue has them. */
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Whether the output stream is running"), ==,
                   "Ob der Ausgabestrom läuft");
}

/* The flitzis tool speaks German too: its usage and its usage errors,
 * which it prints before an engine binds the library's catalogue. */
static void
test_tool (void)
{
  g_autofree char *tool = g_test_build_filename (G_TEST_BUILT, "..", "tools", "flitzis", NULL);
  g_autofree char *localedir = g_test_build_filename (G_TEST_BUILT, "locale", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  char **env = g_environ_setenv (g_get_environ (), "FLITZIS_LOCALEDIR", localedir, TRUE);
  int status;

  assert_german ();
  env = g_environ_setenv (env, "LC_ALL", GERMAN, TRUE);
  g_assert_true (g_spawn_sync (NULL, (char *[]) { tool, (char *) "render", (char *) "p", NULL },
                               env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (err, ==, "flitzis render: die zu schreibende Datei mit -o AUS.wav angeben\n"
                            "„flitzis render --help“ zeigt die Optionen.\n");
  g_clear_pointer (&out, g_free);
  g_assert_true (g_spawn_sync (NULL, (char *[]) { tool, (char *) "--help", NULL },
                               env, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error));
  g_assert_nonnull (strstr (out, "Befehle:"));
  g_assert_nonnull (strstr (out, "Ein Pattern schneller als in Echtzeit in eine Audiodatei rendern"));
  g_strfreev (env);
}

int
main (int argc, char **argv)
{
  g_autofree char *localedir = NULL;
  g_autofree char *localedata = NULL;

  g_test_init (&argc, &argv, NULL);
  /* make check compiles the locale into the build tree. */
  localedata = g_test_build_filename (G_TEST_BUILT, "locale-data", NULL);
  g_setenv ("LOCPATH", localedata, TRUE);
  g_unsetenv ("LANGUAGE");
  german_locale = setlocale (LC_ALL, GERMAN);
  if (german_locale == NULL)
    g_test_message ("The %s locale is missing from %s (make check builds it with "
                    "localedef, from the locales package)", GERMAN, localedata);

  /* The library binds its domain to the installed catalogues when the
   * engine's class is initialised; the test points it at the build
   * tree's afterwards. */
  g_type_class_unref (g_type_class_ref (FLITZIS_TYPE_AUDIO_ENGINE));
  localedir = g_test_build_filename (G_TEST_BUILT, "locale", NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir);

  g_test_add_func ("/engine/i18n/german/not-running", test_not_running);
  g_test_add_func ("/engine/i18n/german/numbers", test_numbers);
  g_test_add_func ("/engine/i18n/german/plurals", test_plurals);
  g_test_add_func ("/engine/i18n/german/property-blurb", test_property_blurb_is_marked);
  g_test_add_func ("/engine/i18n/german/tool", test_tool);
  return g_test_run ();
}
